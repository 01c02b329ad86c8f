"""Bulk ingestion: the pipeline on both cores, the writes in batches, the stored result unchanged.

Documents are recorded as ``pending`` first (one at a time, as :func:`add_bytes` does), so a
killed process leaves them to be finished by the next start. The pure text -> rows step
(:func:`components.store.ingest.run_pipeline`) runs in a :class:`ProcessPoolExecutor` when there
is enough work to pay for starting the workers; its results are written by this process in
submission order, many documents per transaction, so the rows (and their row ids) are the same as
when each document is ingested on its own.

Why processes: the pipeline is pure Python (regular expressions and dictionaries) and holds the
GIL, so threads would not use the second core. The workers are forked (they inherit the built
place index; they never touch the store's connection), and only from a single-threaded process
(the CLI, a benchmark): forking a multi-threaded server can copy a lock held by another thread,
and ``spawn`` would re-run a main script that has no ``__main__`` guard. Elsewhere (the app's
server) the pipeline runs in this process, still with batched writes.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sqlite3
import threading
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor

from components.ingest import ZoneLinker, default_place_index, default_zone_linker
from components.ingest.language import preload_language_model
from components.ingest.places import PhraseIndex

from .db import Store, StoreError
from .ingest import _ROW_COLUMNS, AddResult, DerivedRows, IngestJob, _gone, _job, _store_results, run_pipeline

log = logging.getLogger(__name__)

POOL_MIN_BYTES = 1_000_000   # below this starting the workers costs more than it saves
BATCH_BYTES = 1_000_000      # text written per transaction
BATCH_DOCUMENTS = 256
IN_FLIGHT_BATCHES = 4        # documents submitted ahead of the writer, in batches (bounds memory)
CHUNK_DOCUMENTS = 8          # documents per task sent to a worker
BULK_CACHE_KIB = 65_536      # SQLite's page cache while a bulk run writes (its default is 2 MB); see BulkIngester
ANALYZE_MIN_DOCUMENTS = 20   # a run that ingested this many refreshes the planner's statistics (Store.refresh_statistics)
DERIVED_TABLES = ("documents", "passages", "zone_links", "mentions", "candidates", "place_stats")  # what _store_results writes


def default_workers() -> int:
    """One worker per CPU (callers pass ``workers=1`` to stay in this process)."""
    return os.cpu_count() or 1


Matchers = tuple[PhraseIndex, ZoneLinker]
_worker_matchers: Matchers | None = None  # set in each worker process by _init_worker


def _matchers() -> Matchers | str:
    """The configured dataset's place index and zone linker, resolved once per bulk run (looking them up
    per document re-reads the settings and stats the reference files: ~0.1 CPU s per MB); or, when the
    reference data cannot be read (a missing gazetteer), the reason every document of the run fails with,
    as :func:`run_pipeline` words it."""
    try:
        return default_place_index(), default_zone_linker()
    except Exception as exc:
        return f"ingestion failed: {type(exc).__name__}: {exc}"


# The pipeline allocates millions of short-lived objects (tokens, mentions, rows) and makes few cycles:
# a collection every 700 allocations cost ~5-10 % of a worker's CPU; every 100,000 keeps memory bounded.
GC_THRESHOLD = (100_000, 50, 1000)


# The writer (this process) is the one part that cannot be shared out: with the workers at the same priority
# the three processes split the two cores evenly, the writer fell behind as the store grew, and the workers
# then waited for it (the two cores were 1.83 busy on average over a 26 MB sync). Niced, the workers take
# what the writer leaves: 1.90 busy, the sync ~2.5 % faster (two pairs of runs, 27.4 -> 26.8 s, 28.8 -> 28.1 s).
WORKER_NICENESS = 10


def _init_worker(index: PhraseIndex, linker: ZoneLinker) -> None:
    """In a forked worker: the parent's matchers (inherited with the fork, not pickled), rarer collections,
    a lower priority than the writer."""
    global _worker_matchers
    _worker_matchers = (index, linker)
    gc.set_threshold(*GC_THRESHOLD)
    os.nice(WORKER_NICENESS)


def _run_in_worker(jobs: list[IngestJob]) -> list[DerivedRows | str]:
    if _worker_matchers is None:
        raise RuntimeError("bulk ingest worker started without its matchers")
    return [run_pipeline(job, *_worker_matchers) for job in jobs]


class _Chunk:
    """Documents sent to a worker as one task (their results come back together): the pool's own work per
    task -- pickling, pipes, futures, waking threads -- cost ~0.1 CPU s per MB when each document was a task."""

    def __init__(self) -> None:
        self.jobs: list[IngestJob] = []
        self.future: Future[list[DerivedRows | str]] | None = None

    def result(self, index: int) -> DerivedRows | str:
        if self.future is None:
            raise RuntimeError("bulk ingest chunk read before it was sent")
        return self.future.result()[index]


def _fork_pool(workers: int, matchers: Matchers) -> ProcessPoolExecutor:
    """Worker processes forked from this one: the language model is loaded first, and every object built
    so far (the place index, the zone linker, the model) is moved out of the garbage collector's reach
    (``gc.freeze``), so the workers share those pages instead of copying them when a collection visits them."""
    preload_language_model()
    gc.freeze()
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_init_worker, initargs=matchers)


class BulkIngester:
    """Ingest pending documents: ``add(row_id)`` as they are recorded, then ``finish()`` for the results
    (per row id). Use as a context manager so the workers stop also on error."""

    def __init__(self, store: Store, *, expected_bytes: int = 0, workers: int | None = None) -> None:
        self.store = store
        workers = default_workers() if workers is None else workers
        self.pool: ProcessPoolExecutor | None = None
        self.matchers: Matchers | str | None = None  # in this process: resolved at the first document (a sync may have none)
        if workers > 1 and expected_bytes >= POOL_MIN_BYTES and threading.active_count() == 1:
            self.matchers = _matchers()
        if isinstance(self.matchers, tuple):
            self.pool = _fork_pool(workers, self.matchers)
            self.gc_threshold = gc.get_threshold()
            gc.set_threshold(*GC_THRESHOLD)  # the writer unpickles millions of row tuples too
        # A run of >= 1 MB writes into a dozen B-trees at once (the mention indexes at random places): with
        # SQLite's default 2 MB page cache their pages were read back again and again. 64 MB while the run
        # lasts: the writer's CPU per MB 0.40-0.44 -> 0.33-0.42 (replayed writes of the 26 MB corpus, 5 pairs).
        self.cache_size: int | None = None
        if expected_bytes >= POOL_MIN_BYTES and store.dialect == "sqlite":
            with store.lock:
                self.cache_size = int(store.conn.execute("PRAGMA cache_size").fetchone()[0])
                store.conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
        self.queue: deque[tuple[sqlite3.Row, tuple[_Chunk, int] | DerivedRows | str]] = deque()
        self.chunk = _Chunk()  # documents not yet sent to a worker
        self.queued_bytes = 0
        self.results: dict[int, AddResult] = {}

    def __enter__(self) -> BulkIngester:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.cache_size is not None:
            with self.store.lock:
                self.store.conn.execute(f"PRAGMA cache_size = {self.cache_size}")
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
            gc.unfreeze()  # the workers are gone; this process collects as before
            gc.set_threshold(*self.gc_threshold)

    def add(self, row_id: int) -> None:
        rows = self.store.query(f"SELECT {_ROW_COLUMNS} FROM documents WHERE id = ?", (row_id,))
        if not rows:  # removed by another process since it was recorded
            self.results[row_id] = _gone(row_id)
            return
        row = rows[0]
        job = _job(row)
        if self.matchers is None:
            self.matchers = _matchers()
        outcome: tuple[_Chunk, int] | DerivedRows | str
        if isinstance(self.matchers, str):  # the reference data cannot be read: each document fails with why
            outcome = self.matchers
        elif self.pool is not None:
            outcome = (self.chunk, len(self.chunk.jobs))
            self.chunk.jobs.append(job)
            if len(self.chunk.jobs) >= CHUNK_DOCUMENTS:
                self._send()
        else:
            outcome = run_pipeline(job, *self.matchers)
        self.queue.append((row, outcome))
        self.queued_bytes += len(row["text"] or "")
        if self.pool is None:
            if self.queued_bytes >= BATCH_BYTES or len(self.queue) >= BATCH_DOCUMENTS:
                self._write(len(self.queue))
            return
        while len(self.queue) >= IN_FLIGHT_BATCHES * BATCH_DOCUMENTS or self.queued_bytes >= IN_FLIGHT_BATCHES * BATCH_BYTES:
            self._write_batch()

    def add_all(self, row_ids: Iterable[int]) -> None:
        for row_id in row_ids:
            self.add(row_id)

    def _write_batch(self) -> None:
        """Wait for the oldest batch's results and write them (in submission order)."""
        n, size = 0, 0
        while n < len(self.queue) and n < BATCH_DOCUMENTS and size < BATCH_BYTES:
            size += len(self.queue[n][0]["text"] or "")
            n += 1
        self._write(n)

    def _send(self) -> None:
        """Send the documents gathered so far to the workers as one task."""
        if self.pool is not None and self.chunk.jobs:
            self.chunk.future = self.pool.submit(_run_in_worker, self.chunk.jobs)
            self.chunk = _Chunk()

    def _write(self, n: int) -> None:
        self._send()  # the oldest documents may still be gathering
        done = []
        for _ in range(n):
            row, outcome = self.queue.popleft()
            self.queued_bytes -= len(row["text"] or "")
            done.append((row, outcome[0].result(outcome[1]) if isinstance(outcome, tuple) else outcome))
        for (row, _), result in zip(done, _store_results(self.store, done), strict=True):
            self.results[row["id"]] = result

    def finish(self) -> dict[int, AddResult]:
        while self.queue:
            self._write_batch()
        if len(self.results) >= ANALYZE_MIN_DOCUMENTS:
            try:
                self.store.refresh_statistics(DERIVED_TABLES)
            except StoreError as exc:  # the rows are written; the statistics wait for the server's autovacuum
                log.warning("%s (planner statistics not refreshed after ingesting %d documents)", exc, len(self.results))
        return self.results


def ingest_rows(store: Store, row_ids: Iterable[int], *, expected_bytes: int = 0, workers: int | None = None) -> dict[int, AddResult]:
    """Ingest stored pending (or stale) documents in bulk; the result per row id."""
    with BulkIngester(store, expected_bytes=expected_bytes, workers=workers) as ingester:
        ingester.add_all(row_ids)
        return ingester.finish()
