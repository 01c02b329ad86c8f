"""Curator accounts (argon2 hashes, rate-limited sign-in, expiry, upload limits) and the review of
extracted facts and place matches: queue order, confirm / correct / reject / revert, bad corrections
named by field, optimistic locking, the audit trail, reviewed facts in the atlas, export → validate."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from components.atlas import DataPaths, load_atlas
from components.auth import (
    FAILURE_WINDOW_S,
    MAX_FAILURES,
    MAX_NAME_FAILURES,
    MAX_SOURCE_FAILURES,
    SSO_ONLY,
    AuthError,
    add_curator,
    list_curators,
    record_upload,
    remove_curator,
    session_problem,
    sign_in,
    upload_problem,
)
from components.export import render
from components.gazetteer import default_gazetteer
from components.ingest import default_zone_linker
from components.review import (
    ReviewConflict,
    ReviewError,
    ReviewInputError,
    export_reviewed,
    fact_target,
    history,
    place_target,
    review,
    review_queue,
    reviewed_facts,
    reviewed_items,
    with_reviewed,
)
from components.store import Store, open_store
from components.store.ingest import StoreMeta, add_bytes, reingest_stale
from components.store.queries import passage_candidates, reader_data, zone_date_candidates, zone_passages
from components.timeline import disagreements, status_on
from components.validate import validate_all
from tests.conftest import sealed_data_root

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
TALKS = (
    "Talks on the southern ceasefire\n"
    "The agreement on the zone in northern Homs covers 84 settlements with a population of more than 200,000 people, "
    "officials in Moscow said on 3 August 2017.\n"
    "Delegations from Cairo and Ankara met in Rastan, while Hayat Tahrir al-Sham was excluded from the ceasefire.\n"
    "In Daraa, residents said the ceasefire held on 9 July 2017.\n"
)
OTHER = "Shelling near Rastan\nGovernment forces shelled Rastan and the road to Cairo was closed, the monitor said.\n"


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def store(store_location) -> Store:
    """Once per backend: SQLite, then PostgreSQL (a real server: tests/pgserver.py)."""
    s = open_store(store_location)
    add_bytes(s, TALKS.encode(), "talks.txt", source="upload", meta=StoreMeta(published=dt.date(2017, 8, 4), date_precision="day"))
    add_curator(s, "alice", PASSWORD)
    add_curator(s, "bob", PASSWORD)
    yield s
    s.close()


def target_of(quote: str, kind: str, text: str = TALKS, doc: str = "talks") -> str:
    return fact_target(doc, *span(text, quote), kind)


def place_kw() -> dict:
    return {"gazetteer": default_gazetteer(), "zone_of": default_zone_linker().zone_of_place}


def review_count(store: Store) -> int:
    return store.count("SELECT count(*) FROM reviews")


# --------------------------------------------------------------------------- accounts


def test_password_is_hashed_with_argon2_and_salted(store: Store) -> None:
    rows = store.query("SELECT name, password_hash FROM curators ORDER BY name")
    assert [r[0] for r in rows] == ["alice", "bob"]
    assert all(r[1].startswith("$argon2id$") and PASSWORD not in r[1] for r in rows)
    assert rows[0][1] != rows[1][1]  # same password, different salt
    assert [n for n, _ in list_curators(store)] == ["alice", "bob"]


def test_bad_names_and_passwords_and_duplicates_are_refused(store: Store) -> None:
    with pytest.raises(AuthError, match="password too short"):
        add_curator(store, "carol", "short")
    with pytest.raises(AuthError, match="not valid"):
        add_curator(store, "../etc", PASSWORD)
    with pytest.raises(AuthError, match="already exists"):
        add_curator(store, "alice", PASSWORD)
    with pytest.raises(AuthError, match="no curator named"):
        remove_curator(store, "nobody")


def test_sign_in_right_and_wrong(store: Store) -> None:
    assert sign_in(store, "alice", PASSWORD).ok
    wrong = sign_in(store, "alice", "not the password")
    assert not wrong.ok and wrong.message == "Wrong name or password."
    assert not sign_in(store, "nobody", PASSWORD).ok
    assert not sign_in(store, "alice", "").ok


def test_failed_sign_ins_are_rate_limited_in_the_store(store: Store, tmp_path: Path) -> None:
    now = 1_800_000_000.0
    for i in range(MAX_FAILURES):
        assert sign_in(store, "alice", f"guess {i}", source="10.0.0.9", now=now + i).message == "Wrong name or password."
    locked = sign_in(store, "alice", PASSWORD, source="10.0.0.9", now=now + 10)  # even the right password, while locked
    assert not locked.ok and "Too many failed sign-ins" in locked.message and "15 minutes" in locked.message
    # another process (another replica) sees the same count: it is in the store
    with open_store(store.location) as other:
        assert "Too many failed sign-ins" in sign_in(other, "alice", PASSWORD, source="10.0.0.9", now=now + 11).message
    assert sign_in(store, "bob", PASSWORD, source="10.0.0.9", now=now + 12).ok  # per name
    # the guesser does not lock the curator out: alice signs in from her own address meanwhile
    assert sign_in(store, "alice", PASSWORD, source="192.0.2.7", now=now + 13).ok
    assert sign_in(store, "alice", PASSWORD, source="10.0.0.9", now=now + FAILURE_WINDOW_S + MAX_FAILURES).ok  # window passed
    assert store.count("SELECT count(*) FROM signin_failures WHERE name = 'alice'") == 0  # cleared on success


def test_sign_in_ceilings_per_address_and_per_name(store: Store) -> None:
    now = 1_800_000_000.0
    # spraying: one address trying many names is stopped after MAX_SOURCE_FAILURES, whatever the names
    for i in range(MAX_SOURCE_FAILURES):
        assert not sign_in(store, f"user{i}", "guess", source="10.0.0.1", now=now + i).ok
    sprayed = sign_in(store, "alice", PASSWORD, source="10.0.0.1", now=now + 30)
    assert not sprayed.ok and "from here" in sprayed.message
    # a distributed guess at one name: MAX_NAME_FAILURES from many addresses lock the name everywhere
    for i in range(MAX_NAME_FAILURES):
        assert not sign_in(store, "bob", "guess", source=f"10.1.{i // 250}.{i % 250}", now=now + 40 + i / 100).ok
    distributed = sign_in(store, "bob", PASSWORD, source="192.0.2.8", now=now + 50)
    assert not distributed.ok and distributed.message == "Too many failed sign-ins for this name: try again in 15 minutes."
    assert sign_in(store, "bob", PASSWORD, source="192.0.2.8", now=now + 40 + FAILURE_WINDOW_S + 1).ok


def test_sso_only_account_never_signs_in_with_a_password(store: Store) -> None:
    add_curator(store, "carol@example.org", None)
    assert store.query("SELECT password_hash FROM curators WHERE name = 'carol@example.org'")[0][0] == SSO_ONLY
    for password in ("", SSO_ONLY, PASSWORD):
        refused = sign_in(store, "carol@example.org", password)
        assert not refused.ok and refused.message == "Wrong name or password."


def test_session_expires_and_ends_when_the_account_is_removed(store: Store) -> None:
    at = sign_in(store, "alice", PASSWORD, now=1_800_000_000.0).at
    assert session_problem(store, "alice", at, 8, now=at + 8 * 3600 - 1) is None
    assert "expired after 8 hour" in (session_problem(store, "alice", at, 8, now=at + 8 * 3600 + 1) or "")
    assert "expired" in (session_problem(store, "alice", at, 0.5, now=at + 1801) or "")
    remove_curator(store, "alice")
    assert "no longer exists" in (session_problem(store, "alice", at, 8, now=at + 1) or "")


def test_per_curator_upload_limits(store: Store) -> None:
    now = 1_800_000_000.0
    assert upload_problem(store, "alice", 1000, max_count=2, max_mb=1, now=now) is None
    record_upload(store, "alice", 600_000, now=now)
    size = upload_problem(store, "alice", 500_000, max_count=2, max_mb=1, now=now)
    assert size and "upload size limit" in size and "ATLAS_CURATOR_UPLOAD_MB" in size
    record_upload(store, "alice", 1000, now=now)
    count = upload_problem(store, "alice", 10, max_count=2, max_mb=1, now=now)
    assert count and "upload limit reached" in count and "ATLAS_CURATOR_UPLOADS" in count
    assert upload_problem(store, "bob", 10, max_count=2, max_mb=1, now=now) is None  # per curator
    assert upload_problem(store, "alice", 10, max_count=2, max_mb=1, now=now + 25 * 3600) is None  # 24 h later


def test_curator_cli_reads_the_password_from_stdin_never_an_argument(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    env = {**os.environ, "ATLAS_DB": str(db)}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "components", *args], input=stdin, capture_output=True, text=True,
                              cwd=ROOT, env=env, timeout=60)

    added = run("curator", "add", "carol", stdin=PASSWORD + "\n")
    assert added.returncode == 0 and "added curator carol" in added.stdout
    assert PASSWORD not in db.read_bytes().decode("latin-1")
    as_argument = run("curator", "add", "dave", PASSWORD)
    assert as_argument.returncode == 2 and "unrecognized arguments" in as_argument.stderr
    short = run("curator", "add", "erin", stdin="short\n")
    assert short.returncode == 1 and "password too short" in short.stderr and "Traceback" not in short.stderr
    assert run("curator", "list").stdout.split("\t")[0] == "carol"
    with open_store(db) as s:
        assert sign_in(s, "carol", PASSWORD).ok
    assert run("curator", "remove", "carol").returncode == 0
    missing = run("curator", "remove", "carol")
    assert missing.returncode == 1 and "no curator named 'carol'" in missing.stderr


# --------------------------------------------------------------------------- the queue


def test_queue_puts_contradictions_and_dates_first_then_parties_then_places(store: Store) -> None:
    curated = load_atlas().facts.facts
    total, items = review_queue(store, doc_id="talks", curated=curated, limit=100)
    assert total == len(items) > 8
    first = items[0]
    assert first.reading["kind"] == "population" and "contradicts curated fact north-homs.population" in first.why
    assert [i.reading["value_type"] for i in items[1:3]] == ["date", "date"]
    priorities = [i.priority for i in items]
    assert priorities == sorted(priorities) and items[-1].kind == "place"
    _, by_zone = review_queue(store, zone="south", curated=curated, limit=100)
    assert {i.target for i in by_zone} >= {target_of("on 9 July 2017", "date")}
    assert all("south" in i.zones for i in by_zone if i.kind == "fact")
    with pytest.raises(ReviewError):
        review_queue(store)


# --------------------------------------------------------------------------- actions


def test_confirm_makes_a_fact_with_the_exact_citation_and_hides_the_candidate(store: Store) -> None:
    target = target_of("84 settlements", "settlements")
    result = review(store, target, "confirm", "alice", 0)
    assert result.version == 1 and "confirmed" in result.message
    found = reviewed_facts(store)
    assert not found.problems
    [fact] = found.facts
    c = fact.citations[0]
    assert (fact.zone, fact.kind, fact.value, fact.reviewed_by) == ("north-homs", "settlements", 84, "alice")
    assert c.quote == "84 settlements" == TALKS[c.start:c.end] and c.doc == "talks"
    assert "Reviewed by alice" in fact.note and "extracted as: settlements: 84" in fact.note
    atlas = with_reviewed(load_atlas(), found)
    assert fact in atlas.facts_for("north-homs") and atlas.corpus.get("talks") is not None
    # no longer "extracted, not reviewed" anywhere
    assert all(c["quote"] != "84 settlements" for c in reader_data(store, "talks").candidates)
    rows = zone_passages(store, "north-homs", limit=50).passages
    assert all(c["quote"] != "84 settlements" for cs in passage_candidates(store, rows).values() for c in cs)
    assert target not in {i.target for i in review_queue(store, doc_id="talks", limit=100)[1]}


def test_reject_needs_a_reason_and_the_candidate_disappears_but_the_history_keeps_it(store: Store) -> None:
    target = target_of("Cairo", "party")
    with pytest.raises(ReviewInputError, match="reason: must not be empty"):
        review(store, target, "reject", "alice", 0)
    assert review_count(store) == 0
    review(store, target, "reject", "alice", 0, reason="a capital city, not a party")
    assert all(c["value"] != "Egypt" for c in reader_data(store, "talks").candidates)
    assert not reviewed_facts(store).facts
    assert target not in {i.target for i in review_queue(store, doc_id="talks", limit=100)[1]}
    [row] = history(store, doc_id="talks")
    assert (row.action, row.curator, row.reason, row.after) == ("reject", "alice", "a capital city, not a party", None)
    assert row.before["value"] == "Egypt"
    assert [i.state for i in reviewed_items(store, "talks")] == ["rejected"]


def test_correct_value_qualifier_zone_date_speaker_unit(store: Store) -> None:
    target = target_of("more than 200,000 people", "population")
    review(store, target, "correct", "bob", 0, changes={
        "value": "147,000", "qualifier": "about", "zone": "north-homs", "date": "2017-08-03", "speaker": "officials in Moscow",
        "unit": "people"})
    [fact] = reviewed_facts(store).facts
    assert (fact.value, fact.qualifier, fact.zone, fact.as_of) == (147000, "about", "north-homs", "2017-08-03")
    assert fact.unit == "people" and fact.as_dict()["unit"] == "people"  # fields of the exported fact, not a note
    assert "Speaker:" not in fact.note and "Unit:" not in fact.note
    assert fact.citations[0].speaker is not None and fact.citations[0].speaker.label == "officials in Moscow"
    from components.panels import zone_fact_views
    from components.ui.cards import citation_card_html
    atlas = with_reviewed(load_atlas(), reviewed_facts(store))
    view = next(v for v in zone_fact_views(atlas, "north-homs") if v.fact.id == fact.id)
    card = citation_card_html(atlas, view, fact.citations[0], None, "north-homs", None)
    assert "Said by <b>officials in Moscow</b>" in card and "“more than 200,000 people” (characters" in card  # the copied reference
    assert fact.original.startswith("population: more than 200,000") and "extracted as: population: more than 200,000" in fact.note
    [row] = history(store, target=target)
    assert row.before["value"] == 200000 and row.after["value"] == 147000


def test_a_reviewed_fact_is_in_disagreements_and_every_export(store: Store) -> None:
    review(store, target_of("more than 200,000 people", "population"), "confirm", "alice", 0)
    atlas = with_reviewed(load_atlas(), reviewed_facts(store))
    fact_id = "reviewed.talks.{}-{}.population".format(*span(TALKS, "more than 200,000 people"))
    found = [d for d in disagreements(atlas) if d.zone == "north-homs" and d.kind == "population"]
    assert found and fact_id in {f.id for d in found for f in d.facts}
    rows = list(csv.DictReader(io.StringIO(render(atlas, "csv").removeprefix("\ufeff"))))
    [row] = [r for r in rows if r["fact_id"] == fact_id]
    assert (row["review_state"], row["reviewed_by"], row["quote"], row["zone_id"]) == ("reviewed", "alice", "more than 200,000 people", "north-homs")
    geojson = json.loads(render(atlas, "geojson"))  # the zone counts it; its row joins on zone_id
    homs = next(f for f in geojson["features"] if f["properties"]["zone_id"] == "north-homs")
    assert homs["properties"]["fact_count"] == len(atlas.facts_for("north-homs")) == len(load_atlas().facts_for("north-homs")) + 1
    annotations = render(atlas, "annotations")
    assert f"/annotation/{fact_id}/1" in annotations and "reviewed by alice" in annotations


@pytest.mark.parametrize(("quote", "kind", "changes", "field", "words"), [
    ("more than 200,000 people", "population", {"value": "many"}, "value", "'many' is not a whole number"),
    ("more than 200,000 people", "population", {"value": "12.5"}, "value", "not a whole number"),
    ("more than 200,000 people", "population", {"qualifier": "roughly"}, "qualifier", "not one of"),
    ("on 3 August 2017", "date", {"date": "2025-03-01"}, "date", "outside the zones' lifetime (2017-05-04 to 2024-12-31)"),
    ("on 3 August 2017", "date", {"date": "2017-04"}, "date", "is not a date of precision 'day'"),
    ("on 3 August 2017", "date", {"date": "2017-04", "date_precision": "month"}, "date", "outside the zones' lifetime"),
    ("on 3 August 2017", "date", {"date_precision": "week"}, "date_precision", "not one of"),
    ("on 3 August 2017", "date", {"event": "coup"}, "event", "not one of"),
    ("84 settlements", "settlements", {"zone": "aleppo"}, "zone", "'aleppo' is not a zone"),
    ("84 settlements", "settlements", {"event": "borders-agreed"}, "event", "only a date can be an event"),
    ("84 settlements", "settlements", {"colour": "red"}, "colour", "not a field that can be corrected"),
    ("84 settlements", "settlements", {"speaker": "x" * 201}, "speaker", "too long"),
])
def test_a_bad_correction_names_the_field_and_stores_nothing(store: Store, quote: str, kind: str, changes: dict,
                                                             field: str, words: str) -> None:
    with pytest.raises(ReviewInputError) as caught:
        review(store, target_of(quote, kind), "correct", "alice", 0, changes=changes)
    assert caught.value.field == field and str(caught.value).startswith(f"{field}: ") and words in str(caught.value)
    assert review_count(store) == 0 and not reviewed_facts(store).facts


@pytest.mark.parametrize(("changes", "words"), [
    ({"place": "Cairo"}, "Cairo (extra:cairo, EG"),
    ({"place": "extra:moscow"}, "is outside Syria"),
    ({"place": "Atlantis"}, "no gazetteer entry 'Atlantis'"),
    ({"place": ""}, "must not be empty"),
])
def test_a_place_outside_syria_or_unknown_is_refused(store: Store, changes: dict, words: str) -> None:
    with pytest.raises(ReviewInputError) as caught:
        review(store, place_target("talks", "Rastan"), "correct", "alice", 0, changes=changes, **place_kw())
    assert caught.value.field == "place" and words in str(caught.value)
    assert review_count(store) == 0
    assert {r[0] for r in store.query("SELECT place_id FROM mentions WHERE surface = 'Rastan'")} == {"geonames:172946"}


def test_the_second_curator_is_told_who_reviewed_first_and_nothing_is_lost(store: Store) -> None:
    target = target_of("84 settlements", "settlements")
    _, items = review_queue(store, doc_id="talks", limit=100)
    seen = next(i for i in items if i.target == target).version
    first = review(store, target, "confirm", "alice", seen)
    with pytest.raises(ReviewConflict) as caught:
        review(store, target, "reject", "bob", seen, reason="duplicate")
    assert f"already reviewed by alice at {first.at}" in str(caught.value)
    assert [r.action for r in history(store, target=target)] == ["confirm"]
    assert reviewed_facts(store).facts[0].reviewed_by == "alice"
    with pytest.raises(ReviewConflict, match="reload"):  # a version nobody saw (a stale or forged form)
        review(store, target_of("on 3 August 2017", "date"), "confirm", "bob", 7)


def test_revert_brings_the_candidate_back_and_keeps_the_trail(store: Store) -> None:
    target = target_of("84 settlements", "settlements")
    review(store, target, "confirm", "alice", 0)
    with pytest.raises(ReviewConflict, match="already confirmed by alice"):
        review(store, target, "confirm", "bob", 1)
    review(store, target, "revert", "bob", 1)
    assert not reviewed_facts(store).facts
    assert any(c["quote"] == "84 settlements" for c in reader_data(store, "talks").candidates)
    again = next(i for i in review_queue(store, doc_id="talks", limit=100)[1] if i.target == target)
    assert again.version == 2
    review(store, target, "correct", "bob", 2, changes={"value": "85"})
    assert [(r.action, r.curator) for r in history(store, target=target)] == [("correct", "bob"), ("revert", "bob"),
                                                                              ("confirm", "alice")]
    with pytest.raises(ReviewError, match="nothing to revert"):
        review(store, target_of("on 3 August 2017", "date"), "revert", "bob", 0)


def test_place_correction_applies_to_every_mention_in_the_document_and_can_be_promoted(store: Store) -> None:
    add_bytes(store, OTHER.encode(), "other.txt", source="upload")
    rastan_other = store.count("SELECT count(*) FROM mentions m JOIN documents d ON d.id = m.doc"
                               " WHERE d.doc_id = 'other' AND m.surface = 'Rastan'")
    assert rastan_other == 2
    # "Cairo" is not a place in this document
    review(store, place_target("talks", "Cairo"), "correct", "alice", 0, changes={"not_a_place": True}, **place_kw())
    assert not store.query("SELECT 1 FROM mentions m JOIN documents d ON d.id = m.doc WHERE d.doc_id = 'talks'"
                           " AND m.surface = 'Cairo'")
    assert store.count("SELECT count(*) FROM mentions WHERE surface = 'Cairo'") == 1  # the other document keeps its own
    # "Rastan" -> Homs, promoted to a corpus-wide alias: both documents follow
    review(store, place_target("talks", "Rastan"), "correct", "alice", 0,
           changes={"place": "geonames:169577", "promote": True}, **place_kw())
    assert {r[0] for r in store.query("SELECT place_id FROM mentions WHERE surface = 'Rastan'")} == {"geonames:169577"}
    assert store.query("SELECT place_id, curator FROM place_aliases")[0][:] == ("geonames:169577", "alice")
    assert not store.query("SELECT 1 FROM place_stats WHERE place_id = 'geonames:172946'")
    homs = store.query("SELECT mentions, documents FROM place_stats WHERE place_id = 'geonames:169577'")[0]
    assert tuple(homs) == (4, 2)  # "Homs" once in talks, "Rastan" once in talks and twice in other
    # revert: the pipeline's match in this document again, the alias gone
    review(store, place_target("talks", "Rastan"), "revert", "bob", 1)
    assert store.query("SELECT m.place_id FROM mentions m JOIN documents d ON d.id = m.doc WHERE d.doc_id = 'talks'"
                       " AND m.surface = 'Rastan'")[0][0] == "geonames:172946"
    assert not store.query("SELECT 1 FROM place_aliases")


def test_a_reviewed_status_event_changes_the_zones_status(store: Store) -> None:
    atlas = load_atlas()
    day = dt.date(2017, 7, 20)
    before, _ = status_on(atlas, "south", day)
    review(store, target_of("on 9 July 2017", "date"), "correct", "alice", 0,
           changes={"event": "agreement-reached", "speaker": "residents"})
    reviewed = with_reviewed(atlas, reviewed_facts(store))
    status, transition = status_on(reviewed, "south", day)
    assert before != "agreement-reached" == status
    assert transition is not None and transition.fact.reviewed_by == "alice"
    assert transition.fact.id in render(reviewed, "lpf")  # the zones over time (Linked Places) follow it
    assert all(d.start != span(TALKS, "on 9 July 2017")[0] for d in zone_date_candidates(store)[1] if d.doc_id == "talks")


def test_a_document_edited_after_review_hides_the_fact_with_a_problem(store: Store) -> None:
    review(store, target_of("84 settlements", "settlements"), "confirm", "alice", 0)
    store.conn.execute("UPDATE documents SET text = replace(text, '84 settlements', '85 settlements') WHERE doc_id = 'talks'")
    found = reviewed_facts(store)
    assert not found.facts and "does not match" in found.problems[0].message


def test_review_export_round_trips_through_validate(store: Store, tmp_path: Path) -> None:
    review(store, target_of("84 settlements", "settlements"), "confirm", "alice", 0)
    review(store, target_of("on 3 August 2017", "date"), "correct", "bob", 0, changes={"event": "agreement-announced"})
    review(store, target_of("Cairo", "party"), "reject", "bob", 0, reason="a city")
    out = tmp_path / "reviewed.json"
    env = {**os.environ, **({"ATLAS_DATABASE_URL": store.location} if store.dialect == "postgresql" else {"ATLAS_DB": str(store.path)})}
    run = subprocess.run([sys.executable, "-m", "components", "review", "export", "--out", str(out)], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["schema"] == "atlas-facts/1"
    ids = [f["id"] for f in exported["facts"]]
    assert ids == sorted(ids) and len(ids) == 2 and all("Egypt" not in json.dumps(f) for f in exported["facts"])
    assert out.read_text(encoding="utf-8") == export_reviewed(store)  # stable
    trail = subprocess.run([sys.executable, "-m", "components", "review", "history", "--document", "talks"],
                           capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    lines = trail.stdout.splitlines()
    assert trail.returncode == 0 and len(lines) == 3 and "\tbob\treject\tv1\tfact|talks|" in lines[0]
    assert lines[0].endswith("reason: a city") and "\talice\tconfirm\t" in lines[2]
    # the reviewed work becomes bundled data: the document into seeds/, the facts into facts.json
    root = tmp_path / "data"
    shutil.copytree(sealed_data_root(), root)
    (root / "seeds" / "talks.txt").write_text(TALKS, encoding="utf-8", newline="")
    bundled = json.loads((root / "geodata" / "facts.json").read_text(encoding="utf-8"))
    bundled["facts"] += exported["facts"]
    (root / "geodata" / "facts.json").write_text(json.dumps(bundled, ensure_ascii=False, indent=2), encoding="utf-8")
    assert validate_all(DataPaths.under(root)) == []
    cli = subprocess.run([sys.executable, "-m", "components", "validate"], capture_output=True, text=True, cwd=ROOT,
                         env={**env, "ATLAS_DATA_ROOT": str(root)}, timeout=120)
    assert cli.returncode == 0 and "all data files are valid" in cli.stdout
    # and the export alone is a valid facts file too: the only problems left are the zones' life events
    # (zone_life.json) that now lack the memorandum's declaration, or the curated fact one of them contradicts,
    # both of which live in the bundled facts
    (root / "geodata" / "facts.json").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    left = validate_all(DataPaths.under(root))
    assert left and all(p.file == "zone_life.json" and ("from not-declared" in p.message or "contradicts unknown" in p.message)
                    for p in left), left


def test_only_a_curator_name_can_act(store: Store) -> None:
    with pytest.raises(ReviewError, match="signed-in curator"):
        review(store, target_of("84 settlements", "settlements"), "confirm", "", 0)
    with pytest.raises(ReviewError, match="unknown action"):
        review(store, target_of("84 settlements", "settlements"), "delete", "alice", 0)
    with pytest.raises(ReviewError, match="not a review target"):
        review(store, "fact|talks|x", "confirm", "alice", 0)
    assert review_count(store) == 0


def test_place_reviews_and_aliases_survive_re_ingestion_and_reach_new_documents(store: Store) -> None:
    review(store, place_target("talks", "Cairo"), "correct", "alice", 0, changes={"not_a_place": True}, **place_kw())
    review(store, place_target("talks", "Rastan"), "correct", "alice", 0,
           changes={"place": "geonames:169577", "promote": True}, **place_kw())
    store.conn.execute("UPDATE documents SET ingest_key = 'stale'")
    assert reingest_stale(store) == ["talks"]  # e.g. the gazetteer changed: the pipeline's mentions are written again
    talks = {r[0]: r[1] for r in store.query("SELECT m.surface, m.place_id FROM mentions m JOIN documents d ON d.id = m.doc"
                                              " WHERE d.doc_id = 'talks'")}
    assert "Cairo" not in talks and talks["Rastan"] == "geonames:169577"
    add_bytes(store, OTHER.encode(), "other.txt", source="upload")  # a new document follows the alias
    assert {r[0] for r in store.query("SELECT place_id FROM mentions WHERE surface = 'Rastan'")} == {"geonames:169577"}
    assert store.count("SELECT count(*) FROM mentions WHERE surface = 'Cairo'") == 1  # only talks said "not a place"
    stats = store.query("SELECT mentions, documents FROM place_stats WHERE place_id = 'geonames:169577'")[0]
    assert tuple(stats) == (4, 2)
