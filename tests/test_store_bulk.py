"""Bulk ingestion (worker processes, batched writes) stores exactly what one-by-one ingestion stores."""
from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path

from bench.gen_corpus import generate
from components.documents import document_paths
from components.store import bulk, open_store
from components.store.ingest import add_file, sync_folder
from components.store.search import search

from .test_store import ARTICLE_A, assert_consistent, write

TABLES = {
    "documents": "SELECT * FROM documents ORDER BY id",
    "passages": "SELECT id, doc, idx, start, end, folded, published_sort FROM passages ORDER BY id",  # not PostgreSQL's folded_words
    "mentions": "SELECT * FROM mentions ORDER BY id",
    "zone_links": "SELECT * FROM zone_links ORDER BY zone, passage",
    "candidates": "SELECT * FROM candidates ORDER BY id",
    "place_stats": "SELECT * FROM place_stats ORDER BY place_id",
}
WORDS = ("ceasefire", "Idleb", "Daraa", "shelling", "zeolite", "Douma")


def snapshot(store) -> dict[str, list[tuple]]:
    out = {name: [tuple(r) for r in store.query(sql)] for name, sql in TABLES.items()}
    columns = [d[0] for d in store.conn.execute("SELECT * FROM documents LIMIT 0").description]
    out["documents"] = [tuple(v for c, v in zip(columns, r, strict=True) if c != "added_at") for r in out["documents"]]
    for word in WORDS:
        page = search(store, word, limit=100)
        out[f"search {word}"] = [(page.total,)] + [(h.doc_id, h.passage_index, h.spans) for h in page.hits]
    return out


def test_bulk_parallel_ingest_stores_the_same_rows_as_one_by_one(tmp_path: Path, monkeypatch, store_location) -> None:
    """One by one into a SQLite file, in bulk into each backend: the same rows (PostgreSQL: the same as SQLite's)."""
    folder = tmp_path / "corpus"
    generate(120, folder, seed=3)
    shutil.copy(folder / "doc-00007.txt", folder / "zz-copy-of-7.txt")  # a duplicate: refused the same way
    write(folder, "zz-latin1.txt", "")
    (folder / "zz-latin1.txt").write_bytes(b"caf\xe9 in Douma\n")            # a failure: stored with its reason
    write(folder, "zz-dated.txt", ARTICLE_A, '{"title": "Dated", "publisher": "X", "published": "2017-07-06"}')
    monkeypatch.setattr(bulk, "POOL_MIN_BYTES", 0)
    one = open_store(tmp_path / "one.db")
    results_one = [add_file(one, path, source="seed", added_by="") for path in document_paths(folder)]
    many = open_store(store_location)
    threshold = gc.get_threshold()
    with bulk.BulkIngester(many, expected_bytes=1, workers=2) as probe:
        assert probe.pool is not None  # the worker processes are really used below
        assert probe.pool.submit(os.nice, 0).result() == min(19, os.nice(0) + bulk.WORKER_NICENESS)  # the writer comes first
        assert gc.get_freeze_count() > 0 and gc.get_threshold() == bulk.GC_THRESHOLD
        if many.dialect == "sqlite":  # a bigger page cache while the run writes, the default again after
            assert many.scalar("PRAGMA cache_size") == -bulk.BULK_CACHE_KIB
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold  # this process collects as before
    if many.dialect == "sqlite":
        assert many.scalar("PRAGMA cache_size") == -2000
    report = sync_folder(many, folder, "seed", workers=2)
    assert [(r.status, r.doc_id, r.message) for r in report.results] == [(r.status, r.doc_id, r.message) for r in results_one]
    assert report.count("added") == 121 and report.count("duplicate") == 1 and report.count("failed") == 1
    first, second = snapshot(one), snapshot(many)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name
    assert len(first["mentions"]) > 1000 and first["search ceasefire"][0][0] > 10
    assert_consistent(many)
    one.close()
    many.close()


def test_batched_writes_without_workers_store_the_same_rows(tmp_path: Path, store_location) -> None:
    folder = tmp_path / "corpus"
    generate(30, folder, seed=5)
    one = open_store(tmp_path / "one.db")
    for path in document_paths(folder):
        add_file(one, path, source="upload", added_by="")
    many = open_store(store_location)
    assert sync_folder(many, folder, "upload", workers=1).count("added") == 30
    assert snapshot(one) == snapshot(many)
    assert_consistent(many)
    one.close()
    many.close()


def without_row_ids(snap: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Mentions and candidates without their row ids: replaced rows get new ones on PostgreSQL (an identity
    sequence never gives an id twice), where SQLite gives the deleted highest ids again."""
    return {name: [r[1:] for r in rows] if name in ("mentions", "candidates") else rows for name, rows in snap.items()}


def test_a_document_another_process_finished_meanwhile_is_replaced_not_duplicated(store_location) -> None:
    """Two replicas ingest the same pending document: each ran the pipeline on the row as it was (pending);
    the second writer finds it already finished and replaces its rows (no UNIQUE failure, no doubled rows)."""
    from components.store.ingest import _ROW_COLUMNS, _job, _store_results, record_bytes, run_pipeline

    with open_store(store_location) as store:
        row_id = record_bytes(store, ARTICLE_A.encode(), "a.txt", source="cli", added_by="")
        assert isinstance(row_id, int)
        pending = store.query(f"SELECT {_ROW_COLUMNS} FROM documents WHERE id = ?", (row_id,))[0]
        outcome = run_pipeline(_job(pending))
        first = _store_results(store, [(pending, outcome)])
        before = snapshot(store)
        second = _store_results(store, [(pending, outcome)])  # the stale 'pending' row, as the other replica read it
        assert [r.status for r in first + second] == ["added", "added"]
        after = snapshot(store)
        assert without_row_ids(after) == without_row_ids(before) and after["passages"]
        assert_consistent(store)
