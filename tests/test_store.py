"""The corpus store: migrations, ingest once, duplicates, removal, faults, indexed search, panels' queries, CLI."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.documents import load_corpus, read_document_text
from components.ingest import ingest_corpus
from components.store import SCHEMA_VERSION, StoreError, open_store
from components.store import ingest as store_ingest
from components.store.db import connect, migrate
from components.store.folding import fold_with_offsets, indexed_text, search_fold
from components.store.ingest import (
    StoreMeta,
    add_bytes,
    add_file,
    add_upload,
    reingest_stale,
    remove_document,
    start_up,
    sync_folder,
    unfinished,
)
from components.store.migrations import MIGRATIONS, statements
from components.store.queries import (
    list_documents,
    place_counts,
    place_passages,
    reader_data,
    zone_passages,
)
from components.store.search import SearchFilters, search

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_6a7ef684703209c4.txt"
SEED_ID = SEED.stem

ARTICLE_A = (
    "Shelling reported near Dar'a\n"
    "Government forces shelled the outskirts of Dar'a on Thursday, the monitor said, and 1,200 families fled towards Quneitra.\n"
    "Residents of Idlib said the evacuation of wounded continued.\n"
)
ARTICLE_B = (
    "Talks in Astana\n"
    "Delegations discussed the Eastern Ghouta zone and the evacuation of civilians from Douma.\n"
)


def write(folder: Path, name: str, text: str, meta: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    if meta is not None:
        path.with_name(path.stem + ".meta.json").write_text(meta, encoding="utf-8")
    return path


@pytest.fixture
def store(store_location):
    """The store on each backend: SQLite, then PostgreSQL (a real server: tests/pgserver.py)."""
    s = open_store(store_location)
    yield s
    s.close()


def table_counts(store) -> dict[str, int]:
    return {t: int(store.scalar(f"SELECT count(*) FROM {t}")) for t in ("documents", "passages", "mentions", "zone_links", "candidates")}


def mark_derived_rows(store, doc_id: str | None = None) -> None:
    """Write a sentinel into one derived row per document: a re-ingestion replaces it, nothing else does."""
    with store.transaction() as conn:
        conn.execute("UPDATE mentions SET place_name = 'SENTINEL' WHERE id IN (SELECT min(m.id) FROM mentions m"
                     " JOIN documents d ON d.id = m.doc WHERE ? IS NULL OR d.doc_id = ? GROUP BY m.doc)", (doc_id, doc_id))


def marked_documents(store) -> set[str]:
    return {r[0] for r in store.query(
        "SELECT DISTINCT d.doc_id FROM mentions m JOIN documents d ON d.id = m.doc WHERE m.place_name = 'SENTINEL'")}


def assert_consistent(store) -> None:
    """Derived rows exist exactly for documents ingested ok; indexes and keys intact; quotes exact."""
    if store.dialect == "sqlite":
        assert store.query("PRAGMA integrity_check")[0][0] == "ok"
        assert store.query("PRAGMA foreign_key_check") == []
        store.conn.execute("INSERT INTO passages_fts(passages_fts, rank) VALUES ('integrity-check', 1)")
    else:  # PostgreSQL enforces the keys on every statement; its indexes must all be usable
        assert store.count("SELECT count(*) FROM pg_index WHERE NOT indisvalid OR NOT indisready") == 0
    for row in store.query("SELECT id, doc_id, status, text FROM documents"):
        derived = int(store.scalar("SELECT count(*) FROM passages WHERE doc = ?", (row["id"],)))
        if row["status"] == "ok":
            assert derived > 0, row["doc_id"]
        else:
            assert derived == 0, f"{row['doc_id']} is {row['status']} but has {derived} passages"
    assert_quotes_exact(store)


def assert_quotes_exact(store) -> None:
    for doc, text in store.query("SELECT id, text FROM documents WHERE status = 'ok'"):
        for table, column in (("mentions", "surface"), ("candidates", "quote")):
            for start, end, quote in store.query(f"SELECT start, end, {column} FROM {table} WHERE doc = ?", (doc,)):
                assert text[start:end] == quote


# ---------------------------------------------------------------- migrations

def test_migrations_from_empty_reach_the_latest_version(tmp_path: Path) -> None:
    with open_store(tmp_path / "new.db") as s:
        assert s.schema_version() == SCHEMA_VERSION == MIGRATIONS[-1][0]
        assert [r[0] for r in s.query("SELECT version FROM schema_version ORDER BY version")] == [m[0] for m in MIGRATIONS]
        assert s.scalar("PRAGMA journal_mode") == "wal"
        assert s.scalar("PRAGMA foreign_keys") == 1
        names = {r[0] for r in s.query("SELECT name FROM sqlite_master")}
        assert {"documents", "passages", "mentions", "zone_links", "candidates", "passages_fts", "place_stats"} <= names
    with open_store(tmp_path / "new.db") as s:  # reopening applies nothing twice
        assert len(s.query("SELECT version FROM schema_version")) == len(MIGRATIONS)


def test_the_search_index_buffers_8_mb_of_terms_per_segment(tmp_path: Path) -> None:
    """Migration 15: FTS5's 'hashsize' is stored in the index, so every connection's inserts use it."""
    with open_store(tmp_path / "new.db") as s:
        assert dict(tuple(r) for r in s.query("SELECT k, v FROM passages_fts_config"))["hashsize"] == 8 * 1024 * 1024


def test_migration_from_version_1_indexes_existing_passages(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with open_store(path, migrate_to=1) as s:
        assert s.schema_version() == 1
        assert "passages_fts" not in {r[0] for r in s.query("SELECT name FROM sqlite_master")}
        text = "Shelling near Dar'a was reported."
        with s.transaction() as conn:
            conn.execute(
                "INSERT INTO documents (id, doc_id, sha256, file_name, n_bytes, title, added_at, source, status, text)"
                " VALUES (1, 'old', 'abc', 'old.txt', 33, 'Old', '2017-01-01', 'cli', 'ok', ?)", (text,))
            conn.execute("INSERT INTO passages (doc, idx, start, end, folded, published_sort) VALUES (1, 0, 0, ?, ?, '')",
                         (len(text), f" {search_fold(text)} "))
    with open_store(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        page = search(s, "shelling")
        assert page.total == 1 and page.hits[0].doc_id == "old"


def test_a_newer_schema_is_refused_with_the_path(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"future\.db.*newer"):
        open_store(path)


def test_statement_splitting_keeps_trigger_bodies() -> None:
    parts = statements(MIGRATIONS[1][2])
    assert any(p.startswith("CREATE TRIGGER passages_fts_insert") and p.rstrip().endswith("END;") for p in parts)
    with pytest.raises(ValueError, match="incomplete"):
        statements("CREATE TABLE x (a INTEGER")


def test_a_failing_migration_step_leaves_the_previous_version(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "half.db"
    open_store(path, migrate_to=1).close()
    broken = (*MIGRATIONS[:1], (2, "broken", "CREATE TABLE ok_table (a INTEGER);\nCREATE TABLE documents (a INTEGER);\n"))
    monkeypatch.setattr("components.store.db.MIGRATIONS", broken)
    conn = connect(path)
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn)
    assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'ok_table'").fetchone()[0] == 0
    conn.close()


# ---------------------------------------------------------------- ingest once

def test_sync_loads_seeds_once_and_a_second_sync_ingests_nothing(store, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    first = sync_folder(store, seeds)
    assert [r.status for r in first.results] == ["added"]
    counts = table_counts(store)
    mark_derived_rows(store)
    assert counts["passages"] > 10 and counts["mentions"] > 10 and counts["candidates"] > 10
    row = store.query("SELECT * FROM documents")[0]
    assert row["doc_id"] == SEED_ID and row["source"] == "seed" and row["status"] == "ok"
    assert row["publisher"].startswith("Sputnik") and row["published"] == "2017-08-06" and row["date_precision"] == "inferred-day"
    assert row["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest()
    second = sync_folder(store, seeds)
    assert [r.status for r in second.results] == ["unchanged"]
    os.utime(seeds / SEED.name)  # touched, same bytes: read and recognised, not re-ingested
    third = start_up(store, seeds)
    assert [r.status for r in third.results] == ["unchanged"] and not third.reingested and not third.resumed
    assert table_counts(store) == counts and marked_documents(store) == {SEED_ID}  # nothing re-ingested
    assert (seeds / SEED.name).read_bytes() == SEED.read_bytes()  # source stays byte-for-byte


def test_changed_bytes_reingest_that_document_only(store, tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    a = write(folder, "a.txt", ARTICLE_A)
    write(folder, "b.txt", ARTICLE_B)
    sync_folder(store, folder)
    mark_derived_rows(store)
    a.write_text(ARTICLE_A + "Fighting resumed in Douma.\n", encoding="utf-8")
    report = sync_folder(store, folder)
    assert sorted((r.doc_id, r.status) for r in report.results) == [("a", "updated"), ("b", "unchanged")]
    assert marked_documents(store) == {"b"}
    assert search(store, "fighting resumed").total == 1
    assert store.scalar("SELECT count(*) FROM documents") == 2


def test_a_file_gone_from_the_folder_leaves_the_store(store, tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    write(folder, "a.txt", ARTICLE_A)
    b = write(folder, "b.txt", ARTICLE_B)
    sync_folder(store, folder)
    b.unlink()
    report = sync_folder(store, folder)
    assert report.removed == ["b"]
    assert [r[0] for r in store.query("SELECT doc_id FROM documents")] == ["a"]
    assert search(store, "astana").total == 0


def test_pipeline_version_change_reingests_every_document(store, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "seeds"
    write(folder, "a.txt", ARTICLE_A)
    write(folder, "b.txt", ARTICLE_B)
    sync_folder(store, folder)
    mark_derived_rows(store)
    assert reingest_stale(store) == [] and marked_documents(store) == {"a", "b"}
    monkeypatch.setattr(store_ingest, "PIPELINE_VERSION", "test-next")
    assert sorted(reingest_stale(store)) == ["a", "b"]
    assert marked_documents(store) == set()
    assert reingest_stale(store) == []
    assert [r.status for r in sync_folder(store, folder).results] == ["unchanged", "unchanged"]
    assert_consistent(store)


def test_gazetteer_change_reingests(store, tmp_path: Path, monkeypatch) -> None:
    geodata = tmp_path / "geodata"
    shutil.copytree(ROOT / "geodata", geodata)
    files = (geodata / "gazetteer_sy.json", geodata / "gazetteer_extra.json", geodata / "zones.geojson")
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(tmp_path))  # the data root's gazetteer is what ingestion reads
    folder = tmp_path / "seeds"
    write(folder, "a.txt", ARTICLE_A)
    sync_folder(store, folder)
    assert reingest_stale(store) == []
    mark_derived_rows(store)
    extra = files[1]
    extra.write_text(extra.read_text(encoding="utf-8").rstrip() + "\n\n", encoding="utf-8")  # any byte changes the version
    assert reingest_stale(store) == ["a"] and marked_documents(store) == set()
    assert reingest_stale(store) == []


def test_publication_date_change_reingests_relative_dates(store, tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    write(folder, "a.txt", ARTICLE_A, '{"published": "2017-08-06"}')
    sync_folder(store, folder)
    def dates() -> list[str]:
        return [r[0] for r in store.query("SELECT value FROM candidates WHERE kind = 'date'")]

    assert dates() == ['"2017-08-03"']  # "on Thursday" before Sunday 6 August
    write(folder, "a.txt", ARTICLE_A, '{"published": "2017-09-10"}')
    assert [r.status for r in sync_folder(store, folder).results] == ["updated"]
    assert dates() == ['"2017-09-07"']


# ---------------------------------------------------------------- add, duplicate, remove

def test_add_duplicate_and_remove(store, tmp_path: Path) -> None:
    copy = write(tmp_path / "mine", "report.txt", SEED.read_text(encoding="utf-8"))
    result = add_file(store, copy, overrides={"publisher": "Wire", "url": "https://example.org/a", "language": "en",
                                              "author": "A. Writer"})
    assert result.status == "added" and result.doc_id == "report"
    row = store.query("SELECT * FROM documents")[0]
    assert (row["publisher"], row["url"], row["language"], row["author"], row["source"]) == (
        "Wire", "https://example.org/a", "en", "A. Writer", "cli")
    counts = table_counts(store)
    again = add_file(store, SEED)
    assert again.status == "duplicate"
    assert "already in the corpus as report (" in again.message
    assert table_counts(store) == counts
    assert remove_document(store, "report").startswith("removed report")
    assert table_counts(store) == dict.fromkeys(counts, 0)
    assert copy.exists()  # a CLI user's own file is never deleted
    assert search(store, "Idlib").total == 0


def test_upload_duplicate_writes_nothing_and_remove_deletes_the_upload(store, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    first = add_upload(store, ARTICLE_A.encode(), "../../news.txt", uploads, StoreMeta(publisher="Wire"))
    assert first.status == "added" and first.doc_id == "news"
    assert sorted(p.name for p in uploads.iterdir()) == ["news.txt"]
    second = add_upload(store, ARTICLE_A.encode(), "other-name.txt", uploads)
    assert second.status == "duplicate" and "already in the corpus as news" in second.message
    assert sorted(p.name for p in uploads.iterdir()) == ["news.txt"]
    refused = add_upload(store, b"\xff\xfe bad", "bad.txt", uploads)
    assert refused.status == "failed" and "not valid UTF-8" in refused.message
    assert sorted(p.name for p in uploads.iterdir()) == ["news.txt"]
    message = remove_document(store, "news")
    assert "deleted" in message and not (uploads / "news.txt").exists()
    assert store.scalar("SELECT count(*) FROM documents") == 0


def test_remove_by_sha_prefix_and_unknown_reference(store, tmp_path: Path) -> None:
    add_bytes(store, ARTICLE_B.encode(), "b.txt", source="cli")
    sha = hashlib.sha256(ARTICLE_B.encode()).hexdigest()
    with pytest.raises(StoreError, match="no such document"):
        remove_document(store, "nothing-like-this")
    assert remove_document(store, sha[:10]).startswith("removed b")


def test_same_name_different_bytes_gets_its_own_id(store) -> None:
    assert add_bytes(store, ARTICLE_A.encode(), "news.txt", source="cli").doc_id == "news"
    assert add_bytes(store, ARTICLE_B.encode(), "news.txt", source="cli").doc_id == "news-2"


# ---------------------------------------------------------------- failures

def test_failed_document_is_stored_with_reason_and_others_are_ingested(store, tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    write(folder, "a.txt", ARTICLE_A)
    (folder / "latin1.txt").write_bytes("Dar\xe2a".encode("latin-1"))
    (folder / "binary.txt").write_bytes(b"abc\x00def")
    (folder / "empty.txt").write_bytes(b"  \n")
    write(folder, "z.txt", ARTICLE_B)
    report = sync_folder(store, folder)
    status = {r.doc_id: r.status for r in report.results}
    assert status == {"a": "added", "binary": "failed", "empty": "failed", "latin1": "failed", "z": "added"}
    reasons = dict(store.query("SELECT doc_id, failure FROM documents WHERE status = 'failed'"))
    assert "not valid UTF-8 (byte 3" in reasons["latin1"]
    assert "NUL byte at offset 3" in reasons["binary"]
    assert "empty document" in reasons["empty"]
    total, rows = list_documents(store)
    assert total == 5 and {r.doc_id: r.status for r in rows}["latin1"] == "failed"
    assert [r.status for r in sync_folder(store, folder).results] == ["unchanged"] * 5
    assert_consistent(store)


BIG_ADD = """
import sys
from pathlib import Path
from components.store import open_store
from components.store.ingest import add_file
store = open_store(Path(sys.argv[1]))
add_file(store, Path(sys.argv[2]))
"""


def big_document(path: Path) -> Path:
    text = SEED.read_text(encoding="utf-8")
    path.write_text((text + "\n") * (1_900_000 // (len(text.encode()) + 1)), encoding="utf-8")
    return path


@pytest.mark.parametrize("moment", ["pipeline", "write"])
def test_kill_mid_ingest_leaves_a_consistent_store_and_start_up_finishes(tmp_path: Path, moment: str) -> None:
    """SIGKILL while the pipeline runs, or inside the transaction writing the derived rows
    (seen as the WAL file growing past its size after the 'pending' commit)."""
    db = tmp_path / "atlas.db"
    open_store(db).close()
    big = big_document(tmp_path / "big.txt")
    proc = subprocess.Popen([sys.executable, "-c", BIG_ADD, str(db), str(big)], cwd=ROOT)
    watcher = sqlite3.connect(db)
    wal = db.with_name(db.name + "-wal")
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if watcher.execute("SELECT count(*) FROM documents").fetchone()[0]:
            break
        time.sleep(0.01)
    pending_size = wal.stat().st_size
    if moment == "write":
        while time.time() < deadline and proc.poll() is None and wal.stat().st_size <= pending_size + 2_000_000:
            time.sleep(0.005)
    else:
        time.sleep(0.3)
    assert proc.poll() is None, "the add finished before it could be killed; use a bigger document"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if moment == "write":
        assert wal.stat().st_size > pending_size + 2_000_000  # killed with derived rows written but not committed
    watcher.close()
    with open_store(db) as s:
        assert_consistent(s)
        assert unfinished(s) == ["big"]
        assert s.scalar("SELECT count(*) FROM passages") == 0
        report = start_up(s, tmp_path / "no-seeds")
        assert report.resumed == ["big"] and "1 unfinished ingestion finished: big" in report.summary()
        assert unfinished(s) == [] and s.scalar("SELECT status FROM documents") == "ok"
        assert_consistent(s)
        assert s.scalar("SELECT count(*) FROM passages") == text_lines(big)


def text_lines(path: Path) -> int:
    return sum(1 for line in read_document_text(path).splitlines() if line.strip())


def test_read_only_database_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    db = folder / "atlas.db"
    with open_store(db) as s:
        add_bytes(s, ARTICLE_A.encode(), "a.txt", source="cli")
    doc = write(tmp_path / "in", "b.txt", ARTICLE_B)
    for args, expected in (
        (["add", str(doc), "--db", str(db)], "read-only"),                                   # the file
        (["store", "status", "--db", str(folder / "other.db")], "read-only"),    # the folder: no new file
        (["store", "status", "--db", str(folder / "sub" / "atlas.db")], "cannot create its folder"),
    ):
        result = run_cli_read_only(folder, args)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1, result.stderr
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        assert str(Path(args[-1])) in lines[0] and expected in lines[0]
    with open_store(db) as s:  # untouched
        assert [r[0] for r in s.query("SELECT doc_id FROM documents")] == ["a"]


def run_cli_read_only(folder: Path, args: list[str]) -> subprocess.CompletedProcess:
    """Run the CLI with ``folder`` read-only: a read-only bind mount as root (root ignores file modes), else chmod."""
    command = [sys.executable, "-m", "components", *args]
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
    if not shutil.which("unshare"):
        pytest.skip("running as root without unshare(1): cannot make a folder read-only")
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(folder), *command], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=120)


def write_public(text: str, folder: Path) -> Path:
    return write(folder, "b.txt", text)


def test_locked_database_is_a_clear_error_after_the_busy_timeout(tmp_path: Path) -> None:
    db = tmp_path / "atlas.db"
    open_store(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.perf_counter()
        with open_store(db, busy_timeout=0.3) as s:  # reading works in WAL mode
            assert s.scalar("SELECT count(*) FROM documents") == 0
            with pytest.raises(StoreError, match=r"atlas\.db: locked by another process \(waited 0\.3 s\)"):
                add_bytes(s, ARTICLE_A.encode(), "a.txt", source="cli")
        assert time.perf_counter() - started >= 0.3
        result = subprocess.run([sys.executable, "-m", "components", "add", str(write_public(ARTICLE_B, tmp_path)), "--db", str(db)],
                                cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
        assert result.returncode == 1 and "locked by another process" in result.stderr and "Traceback" not in result.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with open_store(db) as s:
        assert add_bytes(s, ARTICLE_A.encode(), "a.txt", source="cli").status == "added"


def test_default_path_follows_atlas_db_or_sits_beside_uploads(tmp_path: Path, monkeypatch) -> None:
    from components.store import default_db_path
    monkeypatch.delenv("ATLAS_DB", raising=False)
    monkeypatch.setenv("ATLAS_UPLOADS", str(tmp_path / "data" / "uploads"))
    assert default_db_path() == tmp_path / "data" / "atlas.db"
    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "elsewhere.db"))
    assert default_db_path() == tmp_path / "elsewhere.db"
    with open_store() as s:
        assert s.path == tmp_path / "elsewhere.db" and (tmp_path / "elsewhere.db").exists()


def test_a_directory_or_garbage_file_as_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        open_store(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"junk\.db: not a valid database"):
        open_store(junk)


# ---------------------------------------------------------------- search

@pytest.fixture
def corpus(store, tmp_path: Path):
    folder = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", folder)
    write(folder, "a.txt", ARTICLE_A, '{"publisher": "Wire One", "published": "2017-08-06"}')
    write(folder, "b.txt", ARTICLE_B, '{"publisher": "Wire Two", "published": "2017-09-01"}')
    sync_folder(store, folder)
    return store


def folded_hit_texts(page) -> list[str]:
    return [h.text[a - h.start:b - h.start] for h in page.hits for a, b in h.spans]


def test_search_spelling_variants_find_each_other(corpus) -> None:
    daraa = search(corpus, "Daraa")
    assert "Dar'a" in folded_hit_texts(daraa) and "Daraa" in folded_hit_texts(daraa)
    assert {h.doc_id for h in daraa.hits} == {"a", SEED_ID}
    assert "Darayya" not in " ".join(folded_hit_texts(daraa))
    idleb = search(corpus, "Idleb")  # a zone alias and a gazetteer variant
    assert "Idlib" in folded_hit_texts(idleb) and idleb.total >= 2


def test_search_is_substring_case_and_accent_insensitive(corpus) -> None:
    page = search(corpus, "ÉVACUAT")
    assert page.total == 2 and sorted(folded_hit_texts(page)) == ["evacuat", "evacuat"]
    assert search(corpus, "vacuation of wou").total == 1


def test_search_offsets_are_exact_document_offsets(corpus) -> None:
    for query in ("Dar'a", "de-escalation", "Eastern Ghouta", "1,200 families", "al"):
        page = search(corpus, query, limit=100)
        assert page.hits, query
        for hit in page.hits:
            text = reader_data(corpus, hit.doc_id).text
            assert text[hit.start:hit.end] == hit.text
            for a, b in hit.spans:
                assert hit.start <= a < b <= hit.end
                assert search_fold(text[a:b]) in {t.strip() for t in page.terms}


def test_search_filters(corpus) -> None:
    assert {h.doc_id for h in search(corpus, "evacuation", SearchFilters(publisher="wire two")).hits} == {"b"}
    assert search(corpus, "evacuation", SearchFilters(zone="eastern-ghouta")).total == 1
    assert search(corpus, "evacuation", SearchFilters(zone="north-homs")).total == 0
    import datetime as dt
    assert {h.doc_id for h in search(corpus, "evacuation", SearchFilters(date_from=dt.date(2017, 8, 7))).hits} == {"b"}
    assert {h.doc_id for h in search(corpus, "evacuation", SearchFilters(date_to=dt.date(2017, 8, 6))).hits} == {"a"}


def test_search_pagination_and_order(corpus) -> None:
    everything = search(corpus, "the", limit=100)
    assert everything.total == len(everything.hits) > 6
    pages = [search(corpus, "the", limit=4, offset=o) for o in range(0, everything.total, 4)]
    assert all(p.total == everything.total for p in pages)
    keys = [(h.doc_id, h.passage_index) for p in pages for h in p.hits]
    assert keys == [(h.doc_id, h.passage_index) for h in everything.hits] and len(set(keys)) == everything.total
    dates = [h.published or "" for h in everything.hits]
    assert dates == sorted(dates, reverse=True)


def test_short_queries_fall_back_to_a_scan(corpus) -> None:
    page = search(corpus, "Ea")
    assert page.total > 0 and all(t.lower() == "ea" for t in folded_hit_texts(page))
    assert search(corpus, "  ").message


def test_fold_with_offsets_maps_every_character_back() -> None:
    text = "  Ḥamā's — “Dar‘a”,  al-Rastan  ﬁnal Daraa Maarrat "
    folded, starts, ends = fold_with_offsets(text, 100)
    assert folded == " hamas dara al rastan final dara marat "
    assert len(starts) == len(ends) == len(folded) and starts == sorted(starts)
    for ch, a, b in zip(folded, starts, ends, strict=True):
        if ch.isalnum() and text[a - 100] != "ﬁ":  # the ligature stands for two letters
            assert ch in search_fold(text[a - 100:b - 100]), (ch, text[a - 100:b - 100])
    # a squeezed run stands for all its letters: "Daraa" is marked whole, not "Dara"
    a = folded.index("dara", 10)
    assert text[starts[a] - 100:ends[a + 3] - 100] == "Daraa"


@given(st.text())
def test_the_offset_fold_is_the_index_fold(text: str) -> None:
    """What the index stores and what hits are mapped back through are the same fold."""
    folded, starts, ends = fold_with_offsets(text)
    assert folded == indexed_text(text)
    assert all(a <= b for a, b in zip(starts, ends, strict=True)) and starts == sorted(starts)


# ---------------------------------------------------------------- panels

def test_zone_passages_put_cited_passages_first_then_newest(corpus) -> None:
    text = reader_data(corpus, SEED_ID).text
    start = text.index("84 settlements")
    page = zone_passages(corpus, "north-homs", citations=[(SEED_ID, start, start + 14)], limit=3)
    assert page.passages[0].cited and "84 settlements" in page.passages[0].text
    assert not any(p.cited for p in page.passages[1:])
    everything = zone_passages(corpus, "north-homs", citations=[(SEED_ID, start, start + 14)], limit=100)
    assert everything.total == len(everything.passages) and page.total == everything.total
    assert [p.index for p in everything.passages[:3]] == [p.index for p in page.passages]
    rest = [p.published or "" for p in everything.passages[1:]]
    assert rest == sorted(rest, reverse=True)
    second = zone_passages(corpus, "north-homs", citations=[(SEED_ID, start, start + 14)], limit=3, offset=3)
    assert [p.index for p in second.passages] == [p.index for p in everything.passages[3:6]]
    assert page.counts_label == f"{page.total} passages in {page.documents} document{'s' * (page.documents != 1)}"
    ghouta = zone_passages(corpus, "eastern-ghouta", limit=100)
    assert {p.doc_id for p in ghouta.passages} == {SEED_ID, "b"} and ghouta.documents == 2


@dataclass
class Mentions:
    place_id: str
    lat: float
    lon: float
    mentions: int = 0
    passages: set[tuple[str, int]] = field(default_factory=set)


def settlement_mentions(folder: Path) -> list[Mentions]:
    """Every settlement the pipeline finds in the folder's documents, with its mention count and
    passages, most mentioned first: the reference the store's aggregate must equal."""
    by_place: dict[str, Mentions] = {}
    for doc in ingest_corpus(load_corpus(folder)).values():
        for index, passage in enumerate(doc.passages):
            for linked in passage.places:
                place = linked.mention.place
                if place.kind == "settlement":
                    entry = by_place.setdefault(place.id, Mentions(place.id, place.lat, place.lon))
                    entry.mentions += 1
                    entry.passages.add((doc.id, index))
    return sorted(by_place.values(), key=lambda m: (-m.mentions, m.place_id))


def test_place_counts_match_the_pipeline_and_place_passages(corpus, tmp_path: Path) -> None:
    expected = settlement_mentions(tmp_path / "seeds")  # the pipeline's output, aggregated here in memory
    counts = place_counts(corpus)
    assert [(c.place_id, c.mentions) for c in counts] == [(m.place_id, m.mentions) for m in expected]
    dar = next(c for c in counts if c.place_id == "geonames:170905")  # Daraa
    assert dar.documents == 2 and (dar.lat, dar.lon) == next((m.lat, m.lon) for m in expected if m.place_id == dar.place_id)
    page, spans = place_passages(corpus, dar.place_id)
    assert page.documents == 2 and page.total == len({(d, i) for m in expected if m.place_id == dar.place_id for d, i in m.passages})
    for p in page.passages:
        text = reader_data(corpus, p.doc_id).text
        assert spans[(p.doc_id, p.index)] and all(search_fold(text[a:b]) in ("dara", "daraa") for a, b in spans[(p.doc_id, p.index)])
    assert len(place_counts(corpus, limit=2)) == 2
    remove_document(corpus, "a")  # the aggregate follows removals
    (tmp_path / "seeds" / "a.txt").unlink()
    expected = settlement_mentions(tmp_path / "seeds")
    assert [(c.place_id, c.mentions) for c in place_counts(corpus)] == [(m.place_id, m.mentions) for m in expected]
    assert next(c for c in place_counts(corpus) if c.place_id == dar.place_id).documents == 1


def test_reader_data_is_exact(corpus) -> None:
    data = reader_data(corpus, SEED_ID)
    assert data.text == read_document_text(SEED)
    assert all(data.text[p.start:p.end] == p.text for p in data.passages)
    assert all(data.text[m["start"]:m["end"]] == m["surface"] for m in data.mentions)
    assert all(data.text[c["start"]:c["end"]] == c["quote"] == c["citation"]["quote"] for c in data.candidates)
    assert reader_data(corpus, "nope") is None
    assert_consistent(corpus)


# ---------------------------------------------------------------- CLI

def run_cli(*args: str, db: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "components", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=120)


def test_cli_add_documents_search_remove(tmp_path: Path, store_location) -> None:
    db = store_location
    a = write(tmp_path / "in", "a.txt", ARTICLE_A)
    added = run_cli("add", str(a), "--publisher", "Wire One", "--date", "2017-08-06", "--language", "en", db=db)
    assert added.returncode == 0 and added.stdout.startswith("added a:")
    dup = run_cli("add", str(SEED), str(a), db=db)
    assert dup.returncode == 1 and "already in the corpus as a" in dup.stderr and "Traceback" not in dup.stderr
    listed = run_cli("documents", db=db)
    assert "a\t2017-08-06\tWire One\tShelling reported near Dar'a" in listed.stdout
    assert f"{SEED_ID}\t2017-08-06\tSputnik" in listed.stdout and "2 documents" in listed.stderr
    found = run_cli("search", "daraa", "--publisher", "Wire One", db=db)
    assert found.returncode == 0 and found.stdout.count("[Dar'a]") == 2 and "2 passages match" in found.stderr
    assert run_cli("search", "daraa", "--from", "2018-01-01", db=db).stderr.startswith("0 passages match")
    bad = run_cli("search", "x", "--from", "yesterday", db=db)
    assert bad.returncode == 2 and "not an ISO date" in bad.stderr
    refused = run_cli("remove", "a", db=db)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert run_cli("remove", "a", "--yes", db=db).stdout.startswith("removed a")
    missing = run_cli("add", str(tmp_path / "nope.txt"), db=db)
    assert missing.returncode == 1 and "nope.txt: file not found" in missing.stderr
    status = run_cli("store", "status", db=db)
    assert f"schema version {SCHEMA_VERSION}" in status.stdout and "1 documents (1 ok" in status.stdout


def test_store_revision_follows_documents_from_any_connection(store, tmp_path: Path) -> None:
    """The app's cache key: unchanged while nothing is written, new after an add or a removal by
    another process (another connection), the same again for the same content."""
    from components.store.ingest import add_file, remove_document
    from components.store.queries import store_revision

    empty = store_revision(store)
    assert store_revision(store) == empty
    doc = write(tmp_path / "cli", "a.txt", ARTICLE_A)
    with open_store(store.location) as other:  # another writer: the CLI, another replica
        assert add_file(other, doc).status == "added"
    added = store_revision(store)
    assert added != empty
    remove_document(store, "a", delete_file=False)
    assert store_revision(store) == empty
