"""The ingest queue: documents recorded ``pending`` are ingested by a worker process, never in a page's run.

An upload is stored and recorded ``pending`` (:func:`components.store.ingest.queue_upload`); a
worker (``python -m components worker``, started by :mod:`components.worker`) takes the oldest
pending document with a *claim* written in a ``BEGIN IMMEDIATE`` transaction, so two workers --
of one server or of several replicas sharing the store -- never ingest the same document. A claim
is a lease: the worker renews it while the pipeline runs; a claim whose lease ran out, or whose
worker process on this host is gone, is taken again (a killed worker leaves its document pending,
and the next worker finishes it). A document that was taken :data:`MAX_ATTEMPTS` times without
finishing (it kills workers, e.g. out of memory) is marked failed with the reason.

No Streamlit here: the page only reads :func:`upload_progress`.
"""
from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .db import Store, StoreError
from .ingest import AddResult, _ingest_row, ingest_key

LEASE_S = 15.0          # a claim not renewed for this long is taken again
MAX_ATTEMPTS = 3
IDLE_EXIT_S = 60.0      # a worker with nothing to do for this long exits (the app starts one when needed)
POLL_S = 0.25          # an idle worker looks for a pending document this often (one indexed read)


@dataclass(frozen=True)
class WorkerId:
    host: str
    pid: int

    @property
    def name(self) -> str:
        return f"{self.host}:{self.pid}"

    @classmethod
    def this_process(cls) -> WorkerId:
        return cls(socket.gethostname(), os.getpid())


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim_is_live(host: str, pid: int, until: float, now: float) -> bool:
    """A claim still holds while its lease runs and (on this host) its worker process exists."""
    if until <= now:
        return False
    return host != socket.gethostname() or _process_alive(pid)


def has_pending(store: Store) -> bool:
    """One indexed read (no write: an idle worker's polling does not touch other processes' caches)."""
    return bool(store.query("SELECT 1 FROM documents WHERE status = 'pending' LIMIT 1"))


def _give_up(conn, row_id: int, attempts: int) -> None:
    """Failed for good, with the current ingestion key: not re-ingested (in a server's run) as stale either."""
    sha, published = conn.execute("SELECT sha256, published FROM documents WHERE id = ?", (row_id,)).fetchone()
    conn.execute("UPDATE documents SET status = 'failed', failure = ?, ingest_key = ? WHERE id = ?", (
        f"ingestion was started {attempts} times and never finished (the ingest worker stopped each time, "
        "e.g. out of memory); remove the document, or add a smaller or simpler file", ingest_key(sha, published), row_id))
    conn.execute("DELETE FROM ingest_claims WHERE doc = ?", (row_id,))


def claim_next(store: Store, worker: WorkerId, *, lease_s: float = LEASE_S) -> int | None:
    """Take the oldest pending document nobody holds (in one write transaction); its row id, or None.

    O(pending documents scanned until a free one, at most 64 per call)."""
    if not has_pending(store):
        return None
    now = time.time()
    with store.transaction() as conn:
        conn.execute("DELETE FROM ingest_claims WHERE doc NOT IN (SELECT id FROM documents WHERE status = 'pending')")
        rows = conn.execute(
            "SELECT d.id, c.host, c.pid, c.until, coalesce(c.attempts, 0) FROM documents d"
            " LEFT JOIN ingest_claims c ON c.doc = d.id WHERE d.status = 'pending' ORDER BY d.id LIMIT 64").fetchall()
        for row_id, host, pid, until, attempts in rows:
            if host is not None and claim_is_live(host, pid, until, now):
                continue
            if attempts >= MAX_ATTEMPTS:
                _give_up(conn, row_id, attempts)
                continue
            conn.execute("INSERT OR REPLACE INTO ingest_claims (doc, worker, host, pid, started, until, attempts)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (row_id, worker.name, worker.host, worker.pid, now, now + lease_s, attempts + 1))
            return int(row_id)
    return None


def renew(store: Store, row_id: int, worker: WorkerId, *, lease_s: float = LEASE_S) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE ingest_claims SET until = ? WHERE doc = ? AND worker = ?",
                     (time.time() + lease_s, row_id, worker.name))


def release(store: Store, row_id: int, worker: WorkerId) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM ingest_claims WHERE doc = ? AND worker = ?", (row_id, worker.name))


@contextlib.contextmanager
def heartbeat(store: Store, row_id: int, worker: WorkerId, *, lease_s: float = LEASE_S) -> Iterator[None]:
    """Renew the claim every quarter lease from a thread while the (GIL-holding, but preemptible) pipeline runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease_s / 4):
            with contextlib.suppress(StoreError):
                renew(store, row_id, worker, lease_s=lease_s)

    thread = threading.Thread(target=beat, name="ingest-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def ingest_claimed(store: Store, row_id: int, worker: WorkerId, *, lease_s: float = LEASE_S,
                   pause: Callable[[], None] | None = None) -> AddResult:
    """Run the pipeline on a claimed document (``pause`` between passages), write its rows (one transaction),
    release the claim."""
    with heartbeat(store, row_id, worker, lease_s=lease_s):
        result = _ingest_row(store, row_id, pause)
    release(store, row_id, worker)
    return result


def run_worker(store: Store, *, lease_s: float = LEASE_S, idle_exit_s: float = IDLE_EXIT_S, poll_s: float = POLL_S,
               keep_going: Callable[[], bool] = lambda: True, report: Callable[[AddResult], None] = lambda r: None,
               pause: Callable[[], None] | None = None) -> int:
    """Ingest pending documents one at a time until none has come for ``idle_exit_s`` (or ``keep_going``
    says stop); returns how many were ingested. ``pause`` is called between passages (the worker process
    passes :class:`components.runsignal.YieldToServer`)."""
    worker = WorkerId.this_process()
    done = 0
    idle_since = time.monotonic()
    while keep_going():
        try:
            row_id = claim_next(store, worker, lease_s=lease_s)
        except StoreError:  # locked for longer than the busy timeout: try again later
            row_id = None
        if row_id is None:
            if time.monotonic() - idle_since >= idle_exit_s:
                break
            time.sleep(poll_s)
            continue
        report(ingest_claimed(store, row_id, worker, lease_s=lease_s, pause=pause))
        done += 1
        idle_since = time.monotonic()
    return done


@dataclass(frozen=True)
class UploadProgress:
    """Where an added document is: ``queued``, ``ingesting`` (with seconds since), ``done``, ``failed``
    (with the reason) or ``gone`` (removed meanwhile)."""

    stage: str
    doc_id: str
    seconds: float = 0.0
    failure: str = ""
    live_worker: bool = False   # queued or ingesting and some worker holds it (else one should be started)


def upload_progress(store: Store, doc_id: str) -> UploadProgress:
    """Two indexed reads."""
    rows = store.query("SELECT id, status, failure FROM documents WHERE doc_id = ?", (doc_id,))
    if not rows:
        return UploadProgress("gone", doc_id)
    row_id, status, failure = rows[0]
    if status == "ok":
        return UploadProgress("done", doc_id)
    if status == "failed":
        return UploadProgress("failed", doc_id, failure=failure or "")
    claims = store.query("SELECT host, pid, started, until FROM ingest_claims WHERE doc = ?", (row_id,))
    now = time.time()
    if claims and claim_is_live(claims[0][0], claims[0][1], claims[0][3], now):
        return UploadProgress("ingesting", doc_id, seconds=max(0.0, now - claims[0][2]), live_worker=True)
    return UploadProgress("queued", doc_id)
