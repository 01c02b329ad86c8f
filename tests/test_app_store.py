"""The app on the corpus store (AppTest, the real script): add, duplicate, remove, search → reader,
and a store that cannot be used or a document that fails -- listed, never a traceback."""
from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.store import open_store
from components.store.queries import list_documents
from tests.curators import sign_in_app
from tests.test_apptest import html_of, run_app

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ("Zorblatt convoy report\n\nShelling hit Nawa in the southern de-escalation zone on Thursday, residents said. "
           "The Zorblatt convoy carried 1,200 food parcels.")


def messages(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in [*at.info, *at.warning, *at.error]).replace("\\", "")  # Markdown escapes


IN_PROGRESS = ("queued for ingestion", "Ingesting “")
INGEST_TIMEOUT_S = 180.0  # a worker process starts and runs the pipeline; slow on a loaded machine


def until_ingested(at: AppTest, timeout_s: float = INGEST_TIMEOUT_S) -> AppTest:
    """Rerun the page, as its progress note does by itself every second, while the upload is queued or being
    ingested by the worker process (components/worker.py); fails if it does not end within the timeout."""
    deadline = time.monotonic() + timeout_s
    while any(words in messages(at) for words in IN_PROGRESS):
        assert time.monotonic() < deadline, f"still not ingested after {timeout_s:g} s: {messages(at)}"
        time.sleep(0.5)
        at.run()
        assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, data: bytes, *, wait: bool = True) -> AppTest:
    at.file_uploader(key="atlas_upload").upload(name, data, "text/plain")
    at.run()
    assert not at.exception, at.exception
    return until_ingested(at) if wait else at


def search_for(at: AppTest, word: str) -> AppTest:
    at.text_input(key="atlas_search").input(word).run()
    assert not at.exception, at.exception
    return at


def curator_app(query: dict[str, str]) -> AppTest:
    """The app in a new session with a curator signed in through the real form."""
    return sign_in_app(run_app(query))


def stored_uploads() -> list[str]:
    with open_store() as store:  # the app's store: ATLAS_DATABASE_URL, else ATLAS_DB
        return [d.doc_id for d in list_documents(store, source="upload")[1]]


@pytest.fixture(params=["sqlite", "postgresql"])
def app_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The app on each backend: its SQLite file (ATLAS_DB), then a PostgreSQL database (ATLAS_DATABASE_URL)."""
    if request.param == "postgresql":
        monkeypatch.setenv("ATLAS_DATABASE_URL", request.getfixturevalue("pg_url"))
    return str(request.param)


def test_add_appears_in_search_and_zone_panel_duplicate_refused_remove_confirmed(app_backend: str) -> None:
    at = curator_app({"tab": "Add a document"})
    at.text_input(key="atlas_upload_publisher").input("Test Wire")
    at.date_input(key="atlas_upload_date").set_value("2017-08-06")
    at = upload(at, "zorblatt.txt", ARTICLE.encode(), wait=False)
    assert any(words in messages(at) for words in IN_PROGRESS), messages(at)  # stored; the worker ingests it
    assert "is stored as zorblatt" in messages(at) or "Ingesting “zorblatt.txt” (zorblatt)" in messages(at)
    at = until_ingested(at)
    text = messages(at)
    assert "It is now part of the corpus" in text and "(Nawá); zones: Southern de-escalation zone; 1 date" in text, text
    assert "zorblatt" in html_of(at)  # listed among the documents added here
    assert stored_uploads() == ["zorblatt"]

    at = upload(curator_app({"tab": "Add a document"}), "again.txt", ARTICLE.encode())
    assert "already in the corpus as zorblatt" in messages(at)
    assert stored_uploads() == ["zorblatt"]  # nothing stored twice
    assert sorted(p.name for p in Path(os.environ["ATLAS_UPLOADS"]).iterdir()) == ["zorblatt.txt"]

    found = search_for(run_app({"tab": "Search"}), "zorblatt")
    assert "results 1–2 of 2" in html_of(found)
    assert "<mark" in html_of(found) and "Test Wire" in html_of(found)

    zone = run_app({"zone": "south"})
    assert "Shelling hit" in html_of(zone)
    ours = next(str(h.value) for h in zone.html if "Shelling hit" in str(h.value))
    assert "<mark" in ours and "Extracted, not reviewed" in ours and "“Thursday”" in ours  # place marked, date unreviewed

    at = curator_app({"tab": "Add a document"})
    remove = at.button(key="atlas_remove_zorblatt")
    assert remove.disabled  # needs the confirmation first
    at.checkbox(key="atlas_remove_confirm_zorblatt").check().run()
    at.button(key="atlas_remove_zorblatt").click().run()
    assert not at.exception, at.exception
    assert "Removed: removed zorblatt" in messages(at)
    assert stored_uploads() == [] and list(Path(os.environ["ATLAS_UPLOADS"]).iterdir()) == []
    gone = search_for(run_app({"tab": "Search"}), "zorblatt")
    assert "no results" in html_of(gone)


def test_search_hit_opens_the_reader_at_its_passage(app_backend: str) -> None:
    at = search_for(run_app({"tab": "Search"}), "Homs")
    assert "results 1–" in html_of(at)
    at.button(key=next(b.key for b in at.button if b.label == "Open in the reader")).click().run()
    assert not at.exception, at.exception
    assert at.query_params["tab"] in (["Read a document"], "Read a document")
    assert at.selectbox(key="atlas_reader_doc").value == "000_6a7ef684703209c4"
    assert 'class="atlas-passage atlas-target"' in html_of(at)


def test_a_search_hit_selects_the_zone_its_passage_is_linked_to() -> None:
    """The hit's button opens the reader at the passage and selects its zone: panel, zone list and URL agree."""
    at = run_app({"tab": "Search"})
    at.selectbox(key="atlas_search_zone").set_value("north-homs").run()
    assert at.radio(key="atlas_zone_radio").value == "(none)"
    at = search_for(at, "Homs")  # with the zone filter, hits linked to northern Homs
    buttons = [b for b in at.button if b.label == "Open in the reader"]
    assert buttons and "selects the Northern Homs de-escalation zone" in buttons[0].help
    buttons[0].click().run()
    assert not at.exception, at.exception
    assert at.radio(key="atlas_zone_radio").value == "north-homs"
    assert at.query_params["zone"] in (["north-homs"], "north-homs")
    assert at.query_params["tab"] in (["Read a document"], "Read a document")
    assert next(s.value for s in at.subheader) == "Northern Homs de-escalation zone"


def result_counts(at: AppTest) -> str:
    return next(str(h.value) for h in at.html if 'class="atlas-search-summary"' in str(h.value))


def test_search_filters_by_zone_and_date() -> None:
    at = search_for(run_app({"tab": "Search"}), "Homs")
    assert "results 1–7 of 7" in result_counts(at)
    at.selectbox(key="atlas_search_zone").set_value("north-homs").run()
    assert "results 1–6 of 6" in result_counts(at)  # only the passages linked to the zone
    at.selectbox(key="atlas_search_zone").set_value(None).run()
    at.date_input(key="atlas_search_from").set_value("2030-01-01").run()
    assert "no results" in result_counts(at)


def copy_data(tmp_path: Path) -> Path:
    for name in ("geodata", "seeds"):
        shutil.copytree(ROOT / name, tmp_path / "data" / name)
    return tmp_path / "data"


def test_a_failed_document_is_listed_and_the_others_work(tmp_path: Path, monkeypatch) -> None:
    root = copy_data(tmp_path)
    (root / "seeds" / "broken.txt").write_bytes(b"\xff\xfe not utf-8 \x00")
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(root))
    at = run_app({"zone": "north-homs"})
    problems = next(str(h.value) for h in at.html if 'class="atlas-problems"' in str(h.value))
    assert "broken" in problems and "not ingested" in problems
    assert 'data-fact="north-homs.settlements"' in html_of(at)
    assert "passages in" in html_of(at)  # the linked passages still come from the store


def test_a_store_that_cannot_be_opened_is_named_and_the_map_and_facts_still_work(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "a-directory.db"
    folder.mkdir()
    monkeypatch.setenv("ATLAS_DB", str(folder))
    at = run_app({"zone": "north-homs", "tab": "Search"})
    problems = next(str(h.value) for h in at.html if 'class="atlas-problems"' in str(h.value))
    assert "a-directory.db" in problems and "is a directory" in problems
    assert 'data-fact="north-homs.settlements"' in html_of(at)
    assert any("Search needs the corpus store" in c.value for c in at.caption)


def test_an_upload_while_the_store_is_locked_says_so(tmp_path: Path) -> None:
    at = curator_app({"tab": "Add a document"})
    other = sqlite3.connect(os.environ["ATLAS_DB"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        at = upload(at, "zorblatt.txt", ARTICLE.encode())
    finally:
        other.execute("ROLLBACK")
        other.close()
    text = messages(at)
    assert "Not added" in text and "locked by another process" in text, text
    assert stored_uploads() == []


SEED_NAME = "000_6a7ef684703209c4"


def test_an_upload_named_like_a_bundled_seed_is_stored_under_a_new_id_and_found(monkeypatch, tmp_path: Path) -> None:
    """Issue 17: never "Added" and then invisible. The seed keeps its id; the upload gets another, named in
    the confirmation, and is found by search and opened in the reader -- also after a restart on a new store."""
    at = upload(curator_app({"tab": "Add a document"}), f"{SEED_NAME}.txt", ARTICLE.encode())
    assert f"Added “{SEED_NAME}.txt” as {SEED_NAME}-2. It is now part of the corpus." in messages(at)
    assert stored_uploads() == [f"{SEED_NAME}-2"]
    for restarted in (False, True):
        if restarted:  # a fresh store (another replica, a deleted atlas.db): rebuilt from seeds/ and the uploads folder
            monkeypatch.setenv("ATLAS_DB", str(tmp_path / "fresh.db"))
        found = search_for(run_app({"tab": "Search"}), "zorblatt")
        assert "results 1–2 of 2" in html_of(found), restarted
        reader = run_app({"tab": "Read a document"})
        reader.selectbox(key="atlas_reader_doc").set_value(f"{SEED_NAME}-2").run()
        assert not reader.exception and "Zorblatt convoy report" in html_of(reader), restarted
        reader.selectbox(key="atlas_reader_doc").set_value(SEED_NAME).run()
        assert "84 settlements" in html_of(reader) and "Zorblatt" not in html_of(reader), restarted  # the seed is intact
        homs = run_app({"zone": "north-homs"})
        assert 'data-fact="north-homs.settlements"' in html_of(homs), restarted
