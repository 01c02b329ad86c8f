"""Curated facts, citations, documents and the seed's required content."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from components.atlas import load_atlas
from components.documents import DocumentError, decode_document_bytes, integrity_problems, load_corpus
from components.facts import load_facts, resolve_weekday
from components.paths import FACTS_FILE, SEEDS

ROOT = Path(__file__).resolve().parent.parent
SEED = "000_6a7ef684703209c4"
SHARED_SEED = ROOT.parent / "shared" / "seeds" / f"{SEED}.txt"


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def recorded_integrity() -> tuple[str, int]:
    """The seed's SHA-256 and length as recorded in its sidecar, in the repository."""
    meta = json.loads((SEEDS / f"{SEED}.meta.json").read_text(encoding="utf-8"))
    return meta["sha256"], meta["bytes"]


def test_seed_matches_the_sha256_recorded_in_its_sidecar() -> None:
    """Sealed: needs nothing outside the repository."""
    sha, length = recorded_integrity()
    data = (SEEDS / f"{SEED}.txt").read_bytes()
    assert len(sha) == 64 and set(sha) <= set("0123456789abcdef")
    assert (hashlib.sha256(data).hexdigest(), len(data)) == (sha, length)
    assert load_corpus(SEEDS).get(SEED).meta.sha256 == sha
    assert integrity_problems(load_corpus(SEEDS)) == []


@pytest.mark.skipif(not SHARED_SEED.exists(), reason=f"no shared seed at {SHARED_SEED} on this machine "
                    "(the recorded SHA-256 is checked by test_seed_matches_the_sha256_recorded_in_its_sidecar)")
def test_seed_is_byte_for_byte_copy_of_the_shared_seed() -> None:
    """Only where the team's ../shared folder exists: the recorded hash is the shared file's."""
    assert hashlib.sha256(SHARED_SEED.read_bytes()).hexdigest() == recorded_integrity()[0]
    assert (SEEDS / f"{SEED}.txt").read_bytes() == SHARED_SEED.read_bytes()


def test_validate_names_a_seed_whose_bytes_changed(data_copy) -> None:
    """One changed byte that keeps every quote intact is still named, by file and hash."""
    from components.validate import validate_all
    seed = data_copy.seeds[0] / f"{SEED}.txt"
    data = seed.read_bytes()
    assert data.startswith(b"New Agreement")
    seed.write_bytes(b"n" + data[1:])  # the title is never cited: the quotes still match
    problems = [str(p) for p in validate_all(data_copy)]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{SEED}.txt: SHA-256 ") and recorded_integrity()[0] in problems[0]
    seed.write_bytes(data + b"\n")  # one byte longer
    problems = [str(p) for p in validate_all(data_copy)]
    assert any(f"{SEED}.txt: 5,408 bytes, but its sidecar records 5,407" in p for p in problems), problems


def test_every_curated_quote_equals_text_at_offsets(atlas) -> None:
    raw = load_facts(FACTS_FILE)
    assert not raw.problems
    corpus = load_corpus(SEEDS)
    n = 0
    for fact in raw.facts:
        for c in fact.citations:
            assert corpus.get(c.doc).text[c.start:c.end] == c.quote, fact.id
            n += 1
    assert n >= 35
    assert len(atlas.facts.facts) == len(raw.facts)  # none hidden


@pytest.mark.parametrize("fact_id, value", [
    ("north-homs.settlements", 84),
    ("north-homs.population", 147000),
    ("north-homs.agreement", "2017-07-31"),
    ("north-homs.announced", "2017-08-03"),
    ("all.memorandum-signed", "2017-05-04"),
    ("all.in-force", "2017-05-06"),
    ("north-homs.borders-agreed", "2017-07"),
    ("eastern-ghouta.borders-agreed", "2017-07"),
    ("north-homs.borders-reported", "2017-07-24"),
    ("idlib.status", "under-consultation"),
    ("south.status", "operating"),
    ("eastern-ghouta.status", "operating"),
    ("all.observers", ("United States", "Jordan", "United Nations")),
    ("all.guarantors", ("Russia", "Turkey", "Iran")),
    ("idlib.lavrov", "2017-08-06"),
    ("idlib.next-stage", "2017-08-05"),
])
def test_required_facts_are_curated(atlas, fact_id: str, value) -> None:
    assert atlas.facts.by_id()[fact_id].value == value


def test_required_kinds_present(atlas) -> None:
    kinds = {f.kind for f in atlas.facts.facts}
    assert {"settlements", "population", "status", "event", "guarantor", "observer", "exclusion", "task", "body", "conflict", "assessment"} <= kinds


def test_population_qualifier_is_more_than(atlas) -> None:
    assert atlas.facts.by_id()["north-homs.population"].qualifier == "more than"


def test_conflicts_cite_both_sides(atlas) -> None:
    third = atlas.facts.by_id()["conflict.third-zone"]
    quotes = " | ".join(c.quote for c in third.citations)
    assert "third de-escalation zone" in quotes and "Idlib" in quotes
    provinces = atlas.facts.by_id()["conflict.first-zone-provinces"]
    assert "Homs" in provinces.citations[0].quote
    assert provinces.references == ("astana-memorandum-2017",)
    assert "Hama" in atlas.references["astana-memorandum-2017"].summary


def test_relative_dates_keep_their_words(atlas) -> None:
    rel = [c.relative for f in atlas.facts.facts for c in f.citations if c.relative]
    words = {r.words for r in rel}
    assert {"Thursday", "Sunday", "Monday", "Saturday", "early July"} <= words


@pytest.mark.parametrize("word, expected", [
    ("Thursday", dt.date(2017, 8, 3)), ("Sunday", dt.date(2017, 8, 6)),
    ("Monday", dt.date(2017, 7, 31)), ("Saturday", dt.date(2017, 8, 5)), ("Friday", dt.date(2017, 8, 4)),
])
def test_resolve_weekday_against_publication_date(word: str, expected: dt.date) -> None:
    assert resolve_weekday(word, dt.date(2017, 8, 6)) == expected


def test_seed_metadata_records_date_inference() -> None:
    doc = load_corpus(SEEDS).get(SEED)
    assert doc.meta.published == dt.date(2017, 8, 6)
    assert "Thursday" in doc.meta.date_reasoning and "Sunday" in doc.meta.date_reasoning
    assert doc.meta.publisher.startswith("Sputnik")


def test_document_text_keeps_exact_characters() -> None:
    doc = load_corpus(SEEDS).get(SEED)
    assert "\xa0" in doc.text  # non-breaking spaces are kept, offsets count them
    assert doc.text.startswith("New Agreement on Safe Zone")


@pytest.mark.parametrize("data, message", [
    (b"", "empty document"),
    (b"   \n\n", "empty document"),
    (b"abc\x00def", "looks binary"),
    (b"caf\xe9", "not valid UTF-8"),
    (b"x" * (2 * 1024 * 1024 + 1), "over the"),
])
def test_bad_documents_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        decode_document_bytes(data, "upload.txt")


def test_corpus_collects_bad_documents_without_stopping(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Fine text about Idlib.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe bad")
    (tmp_path / "c.txt").write_bytes(b"")
    (tmp_path / "c.meta.json").write_text("{", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert list(corpus.documents) == ["a"]
    assert {p.file for p in corpus.problems} == {"b.txt", "c.txt"}


def test_a_dataset_change_is_seen_on_the_next_load(data_copy) -> None:
    """Edit a curated value and drop in a new document: loading again shows both, ingested and exported."""
    from components.export import render
    from components.ingest import ingest_corpus
    before = load_atlas(data_copy)
    assert before.facts.by_id()["north-homs.population"].value == 147000
    raw = json.loads(data_copy.facts.read_text(encoding="utf-8"))
    next(f for f in raw["facts"] if f["id"] == "north-homs.population")["value"] = 150000
    data_copy.facts.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    (data_copy.seeds[0] / "900_new.txt").write_text(
        "Shelling hit Nawa in the southern de-escalation zone on Tuesday, residents said.", encoding="utf-8")
    after = load_atlas(data_copy)
    assert after.problems == []
    assert after.facts.by_id()["north-homs.population"].value == 150000
    assert sorted(after.corpus.documents) == sorted([*before.corpus.documents, "900_new"])
    ingested = ingest_corpus(after.corpus)["900_new"]
    assert ingested.zones == ("south",)
    assert [p.mention.name for passage in ingested.passages for p in passage.places] == ["Nawa"]
    assert "north-homs.population,north-homs,Northern Homs de-escalation zone,,population,Population included,150000," \
        in render(after, "csv")


@pytest.mark.parametrize(("fact_id", "name"), [
    ("north-homs.settlements", "Igor Konashenkov"), ("north-homs.borders-reported", "Sergei Rudskoi"),
    ("idlib.lavrov", "Sergei Lavrov"), ("all.exclusion-terrorists", "Sergei Lavrov"),
])
def test_named_speakers_are_cited_spans_that_name_them(atlas, fact_id: str, name: str) -> None:
    fact = atlas.facts.by_id()[fact_id]
    speaker = fact.citations[0].speaker
    assert speaker is not None and speaker.name == name
    text = atlas.corpus.get(fact.citations[0].doc).text
    assert text[speaker.start:speaker.end] == speaker.quote and name.rsplit(maxsplit=1)[-1] in speaker.quote


def test_narration_has_no_speaker(atlas) -> None:
    """The article's own words (the memorandum's date, the observers) name no speaker: none is invented."""
    for fact_id in ("all.memorandum-signed", "all.observers", "south.status"):
        assert all(c.speaker is None for c in atlas.facts.by_id()[fact_id].citations)


@pytest.mark.parametrize(("change", "message"), [
    ({"name": "Boris Johnson"}, "name 'Boris Johnson' does not occur in its attribution"),
    ({"role": "Prime Minister"}, "role 'Prime Minister' is not in 000_6a7ef684703209c4's text"),
    ({"start": 390}, "quote does not match 000_6a7ef684703209c4[390:447]"),
])
def test_validate_names_a_wrong_speaker(data_copy, change: dict, message: str) -> None:
    from components.validate import validate_all
    raw = json.loads(data_copy.facts.read_text(encoding="utf-8"))
    fact = next(f for f in raw["facts"] if f["id"] == "north-homs.settlements")
    fact["citations"][0]["speaker"].update(change)
    data_copy.facts.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    problems = [str(p) for p in validate_all(data_copy)]
    assert len(problems) == 1 and "fact north-homs.settlements citation 0 speaker" in problems[0] and message in problems[0], problems


def test_a_unit_belongs_to_a_count_only(data_copy) -> None:
    from components.validate import validate_all
    raw = json.loads(data_copy.facts.read_text(encoding="utf-8"))
    facts = {f["id"]: f for f in raw["facts"]}
    facts["north-homs.settlements"]["unit"] = "settlements"  # a count: fine, and kept
    status = next(f for f in raw["facts"] if f["value_type"] != "integer")
    status["unit"] = "days"
    data_copy.facts.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    problems = [str(p) for p in validate_all(data_copy)]
    assert len(problems) == 1 and status["id"] in problems[0] and "only a count has a unit" in problems[0], problems
    assert load_atlas(data_copy).facts.by_id()["north-homs.settlements"].unit == "settlements"
