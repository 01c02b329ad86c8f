"""Issue 18: the corpus store on PostgreSQL (``ATLAS_DATABASE_URL``), on a real server (tests/pgserver.py).

The store's other tests run on both backends (the ``store_location`` fixture); these cover what is
PostgreSQL's own: the migrations in its dialect, the SQL translation, search through pg_trgm and
the word index with the same results as SQLite's FTS5, one writer at a time across connections, a
review made through one replica seen at once through another, a restarted server, the setting.
"""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from components.auth import add_curator
from components.review import ReviewConflict, fact_target, history, review
from components.settings import SettingsError, current_settings
from components.store import SCHEMA_VERSION, StoreError, open_store
from components.store.folding import search_fold
from components.store.ingest import StoreMeta, add_bytes, sync_folder
from components.store.migrations import MIGRATIONS
from components.store.pg import pg_script, translate
from components.store.queries import place_counts, store_revision, zone_passages
from components.store.search import SearchFilters, _pg_condition, search
from tests import pgserver

ROOT = Path(__file__).resolve().parent.parent
TALKS = ("Talks on the southern ceasefire\n"
         "The agreement on the zone in northern Homs covers 84 settlements with a population of more than 200,000 people, "
         "officials in Moscow said on 3 August 2017.\n")
PASSWORD = "correct horse battery staple"


# --------------------------------------------------------------------------- translation


def test_translation_of_placeholders_reserved_names_and_sqlite_forms() -> None:
    assert translate("SELECT start, end FROM passages WHERE doc = ? AND p.end > :end") == \
        'SELECT start, "end" FROM passages WHERE doc = %s AND p.end > %(end)s'
    assert translate("SELECT 'a ? :b end 100%' -- it's a comment ?\nFROM t WHERE x LIKE ?") == \
        "SELECT 'a ? :b end 100%' -- it's a comment ?\nFROM t WHERE x LIKE %s"
    assert translate("SELECT x::text, 5 % 2 FROM t") == "SELECT x::text, 5 %% 2 FROM t"
    assert translate("SELECT x % 2", False) == "SELECT x % 2"  # no parameters: sent as written
    assert translate("INSERT OR IGNORE INTO t (a) VALUES (?)") == "INSERT INTO t (a) VALUES (%s) ON CONFLICT DO NOTHING"
    assert translate("INSERT OR REPLACE INTO ingest_claims (doc, worker) VALUES (?, ?)") == \
        "INSERT INTO ingest_claims (doc, worker) VALUES (%s, %s) ON CONFLICT (doc) DO UPDATE SET worker = excluded.worker"
    assert translate("SELECT group_concat(z.zone), instr(a, ?) FROM z") == "SELECT string_agg(z.zone, ','), strpos(a, %s) FROM z"


# --------------------------------------------------------------------------- schema and migrations


def columns_sqlite(path: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'passages_fts%'"
                                         " AND name NOT LIKE 'sqlite_%'")]
    out = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in tables}
    conn.close()
    return out


def test_migrations_build_the_same_schema_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    with open_store(pg_url) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert [r[0] for r in s.query("SELECT version FROM schema_version ORDER BY version")] == [m[0] for m in MIGRATIONS]
        pg_columns: dict[str, list[str]] = {}
        for table, column in s.query("SELECT table_name, column_name FROM information_schema.columns"
                                     " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"):
            pg_columns.setdefault(table, []).append(column)
        indexes = {r[0]: r[1] for r in s.query("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")}
    open_store(tmp_path / "same.db").close()
    assert pg_columns["passages"].pop() == "folded_words"  # PostgreSQL's word index, as SQLite has passages_fts
    assert pg_columns == columns_sqlite(tmp_path / "same.db")  # every table and column, in the same order
    assert "gin (folded gin_trgm_ops)" in indexes["passages_folded_trgm"]
    assert "gin (folded_words)" in indexes["passages_folded_words"]
    for name in ("documents_publisher", "mentions_place", "zone_links_passage", "signin_failures_source"):
        assert name in indexes  # the SQLite steps' indexes, in PostgreSQL's dialect
    with open_store(pg_url) as s:  # reopening applies nothing twice
        assert s.count("SELECT count(*) FROM schema_version") == len(MIGRATIONS)


def test_migration_from_version_1_indexes_existing_passages_on_postgresql(pg_url: str) -> None:
    text = "Shelling near Dar'a was reported."
    with open_store(pg_url, migrate_to=1) as s:
        assert s.schema_version() == 1
        with s.transaction() as conn:
            conn.execute("INSERT INTO documents (doc_id, sha256, file_name, n_bytes, title, added_at, source, status, text)"
                         " VALUES ('old', 'abc', 'old.txt', 33, 'Old', '2017-01-01', 'cli', 'ok', ?)", (text,))
            doc = conn.execute("SELECT id FROM documents").fetchone()[0]
            conn.execute("INSERT INTO passages (id, doc, idx, start, end, folded, published_sort) VALUES (7, ?, 0, 0, ?, ?, '')",
                         (doc, len(text), f" {search_fold(text)} "))
    with open_store(pg_url) as s:
        assert s.schema_version() == SCHEMA_VERSION
        page = search(s, "shelling")
        assert page.total == 1 and page.hits[0].doc_id == "old" and page.hits[0].spans == ((0, 8),)
        assert search(s, "daraa").total == 1  # the whole-word variant " dara " through the word index


def test_a_newer_schema_is_refused_and_a_failing_step_leaves_the_previous_version(pg_url: str, monkeypatch) -> None:
    open_store(pg_url, migrate_to=1).close()
    broken = (*MIGRATIONS[:1], (2, "broken", "CREATE TABLE ok_table (a INTEGER);\nCREATE TABLE documents (a INTEGER);\n"))
    monkeypatch.setattr("components.store.pg.MIGRATIONS", broken)
    monkeypatch.setattr("components.store.pg.PG_STEPS", {})
    with pytest.raises(StoreError, match="already exists"):
        open_store(pg_url)
    monkeypatch.undo()
    with open_store(pg_url, migrate_to=1) as s:
        assert s.schema_version() == 1 and s.scalar("SELECT to_regclass('ok_table')") is None  # nothing half-applied
        with s.transaction() as conn:
            conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match=r"atlas_test_\w+: schema version .* newer"):
        open_store(pg_url)


def test_each_step_has_a_postgresql_script() -> None:
    for number, _, script in MIGRATIONS:
        pg = pg_script(number, script)
        assert "WITHOUT ROWID" not in pg and "fts5" not in pg and " REAL" not in pg, number
    assert "CREATE EXTENSION IF NOT EXISTS pg_trgm" in pg_script(2, MIGRATIONS[1][2])


# --------------------------------------------------------------------------- the same answers as SQLite


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, pg_server):
    """The bundled seeds plus two dated articles, ingested into a SQLite file and a PostgreSQL database."""
    folder = tmp_path_factory.mktemp("seeds") / "seeds"
    shutil.copytree(ROOT / "seeds", folder)
    (folder / "a.txt").write_text("Shelling reported near Dar'a\n\nDaraa and Idleb; the Idlib zone held. Deraa was calm.\n",
                                  encoding="utf-8")
    (folder / "a.meta.json").write_text('{"publisher": "Wire One", "published": "2017-08-06"}', encoding="utf-8")
    url = pg_server.new_database()
    stores = (open_store(tmp_path_factory.mktemp("db") / "atlas.db"), open_store(url))
    for s in stores:
        sync_folder(s, folder, workers=1)
    yield stores
    for s in stores:
        s.close()
    pg_server.drop_database(url)


def page_of(store, query: str, **kw) -> tuple:
    page = search(store, query, **kw)
    return page.total, page.terms, [(h.doc_id, h.passage_index, h.start, h.end, h.spans, h.text) for h in page.hits]


@pytest.mark.parametrize("query", ["Daraa", "idleb", "Idlib zone", "ra", "de-escalation", "homs", "ceasefire 84", "zzzq"])
def test_search_finds_the_same_passages_on_both_backends(both, query: str) -> None:
    lite, pg = both
    assert page_of(pg, query) == page_of(lite, query)
    assert page_of(pg, query, limit=3, offset=2) == page_of(lite, query, limit=3, offset=2)
    filters = SearchFilters(publisher="wire one", date_from=dt.date(2017, 8, 1))  # the publisher compares without case
    assert page_of(pg, query, filters=filters) == page_of(lite, query, filters=filters)


def test_panels_read_the_same_on_both_backends(both) -> None:
    lite, pg = both
    assert place_counts(pg) == place_counts(lite)
    for zone in ("idlib", "south", "north-homs", "eastern-ghouta"):
        assert zone_passages(pg, zone, limit=50) == zone_passages(lite, zone, limit=50)


def test_search_uses_postgresql_indexes(both) -> None:
    _, pg = both
    params: dict[str, object] = {}
    condition = _pg_condition(("dara", " deraa ", " dera "), params)
    with pg.lock:
        pg.conn.execute("SET enable_seqscan = off")
        try:
            plan = "\n".join(r[0] for r in pg.conn.execute(f"EXPLAIN SELECT count(*) FROM passages p WHERE ({condition})", params))
        finally:
            pg.conn.execute("RESET enable_seqscan")
    assert "passages_folded_trgm" in plan and "passages_folded_words" in plan and "passages_long" in plan, plan
    assert "Seq Scan" not in plan


def analysed_tables(store) -> dict[str, tuple[bool, int]]:
    """Per table: ANALYZE run on it by hand (not autovacuum) and how many rows the planner believes it has."""
    return {r[0]: (r[1] is not None, int(r[2])) for r in store.query(
        "SELECT s.relname, s.last_analyze, c.reltuples FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
        " WHERE s.relname IN ('documents', 'passages', 'zone_links', 'mentions', 'place_stats')")}


def test_a_bulk_sync_leaves_the_planner_statistics_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """Without ANALYZE the planner takes the new tables for empty until autovacuum's next round (the zone panel
    took 90-117 ms on 300 new documents, 3-4 ms analysed): a sync of many documents analyses what it wrote."""
    from components.store.bulk import ANALYZE_MIN_DOCUMENTS
    folder = tmp_path / "docs"
    folder.mkdir()

    def write(first: int, n: int) -> None:
        for i in range(first, first + n):
            (folder / f"d{i:03}.txt").write_text(TALKS.replace("84 settlements", f"{i + 10} settlements"), encoding="utf-8")
    with open_store(pg_url) as s:
        write(0, 3)
        sync_folder(s, folder, workers=1)
        few = analysed_tables(s)
        assert not any(done for done, _ in few.values()), few  # a few documents: left to autovacuum
        write(3, ANALYZE_MIN_DOCUMENTS)
        report = sync_folder(s, folder, workers=1)
        assert sum(r.status == "added" for r in report.results) == ANALYZE_MIN_DOCUMENTS
        after = analysed_tables(s)
        n_docs, n_links = s.count("SELECT count(*) FROM documents"), s.count("SELECT count(*) FROM zone_links")
        assert after["documents"] == (True, n_docs) and n_docs == ANALYZE_MIN_DOCUMENTS + 3, after
        assert after["zone_links"] == (True, n_links) and n_links > 0, after
        assert all(done for done, _ in after.values()), after
        columns = {r[0] for r in s.query("SELECT attname FROM pg_stats WHERE tablename = 'zone_links'")}
        assert {"zone", "passage", "doc"} <= columns  # the statistics the zone panel's plan is chosen from


# --------------------------------------------------------------------------- several replicas, one database


def test_a_review_through_one_replica_is_seen_at_once_through_the_other(pg_url: str) -> None:
    """Two app-level store handles on one database, as two replicas hold them."""
    one, two = open_store(pg_url), open_store(pg_url)
    try:
        add_bytes(one, TALKS.encode(), "talks.txt", source="upload", meta=StoreMeta(published=dt.date(2017, 8, 4)))
        add_curator(one, "alice", PASSWORD)
        add_curator(two, "bob", PASSWORD)
        before = store_revision(two)
        quote = "84 settlements"
        target = fact_target("talks", TALKS.index(quote), TALKS.index(quote) + len(quote), "settlements")
        review(one, target, "confirm", "alice", 0)
        seen = history(two, target=target)
        assert [(h.action, h.curator, h.version) for h in seen] == [("confirm", "alice", 1)]  # at once, no cache to expire
        assert store_revision(two) != before  # replica two's sessions reload what is shown
        with pytest.raises(ReviewConflict, match="already reviewed by alice"):
            review(two, target, "reject", "bob", 0, reason="stale form")  # bob saw version 0: refused, nothing written
        assert len(history(one, target=target)) == 1
    finally:
        one.close()
        two.close()


def test_one_writer_at_a_time_across_connections(pg_url: str) -> None:
    with open_store(pg_url) as one, open_store(pg_url, busy_timeout=0.3) as two:
        with one.transaction():
            with pytest.raises(StoreError, match=r"locked by another process \(waited 0.3 s\)"), two.transaction():
                pass
            assert two.count("SELECT count(*) FROM documents") == 0  # reading is not blocked
        with two.transaction() as conn:  # released at commit
            conn.execute("INSERT INTO curators (name, password_hash, created_at) VALUES ('x', 'h', 'now')")
        assert one.count("SELECT count(*) FROM curators") == 1


def test_a_stopped_server_is_a_clear_error_and_a_restarted_one_is_reconnected_to(pg_server, pg_url: str) -> None:
    with open_store(pg_url) as s:
        assert s.count("SELECT count(*) FROM documents") == 0
        pgserver.restart(pg_server)  # the connection is dropped: a read, then a write, each on a new one at once
        assert s.count("SELECT count(*) FROM documents") == 0
        pgserver.restart(pg_server)
        with s.transaction() as conn:
            conn.execute("INSERT INTO curators (name, password_hash, created_at) VALUES ('x', 'h', 'now')")
        pgserver.halt(pg_server)
        try:
            for attempt in range(2):  # down: every call says so, none hangs or raises anything else
                with pytest.raises(StoreError, match=r"unavailable.*check the database server is running") as caught:
                    s.count("SELECT count(*) FROM documents") if attempt == 0 else s.transaction().__enter__()
                assert "Traceback" not in str(caught.value)
        finally:
            pgserver.start_again(pg_server)
        assert s.count("SELECT count(*) FROM curators") == 1  # back: reconnected, nothing committed lost


# --------------------------------------------------------------------------- the setting


def test_atlas_database_url_chooses_postgresql(pg_url: str, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ATLAS_DATABASE_URL", pg_url)
    assert current_settings().database_url == pg_url
    with open_store() as s:
        assert s.dialect == "postgresql" and s.location == pg_url and s.schema_version() == SCHEMA_VERSION
    status = subprocess.run([sys.executable, "-m", "components", "store", "status"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert status.returncode == 0 and f"schema version {SCHEMA_VERSION}" in status.stdout, status.stderr
    assert not Path(current_settings().uploads.parent / "atlas.db").exists()  # no SQLite file was made
    monkeypatch.setenv("ATLAS_DATABASE_URL", "mysql://root:secret@db/atlas")
    with pytest.raises(SettingsError, match="ATLAS_DATABASE_URL is not valid: use a PostgreSQL URL") as caught:
        current_settings()
    assert "secret" not in str(caught.value)


def test_an_unreachable_server_is_a_clear_error_without_the_password() -> None:
    with pytest.raises(StoreError, match="unavailable") as caught:
        open_store(f"postgresql://atlas:hunter2@127.0.0.1:{pgserver.free_port()}/atlas", busy_timeout=1)
    assert "hunter2" not in str(caught.value) and "127.0.0.1" in str(caught.value)
