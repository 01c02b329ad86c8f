"""The ingest worker process: started by the app when a document waits, one per server process and store.

Why a separate process (``python -m components worker``) rather than a thread or a process pool in
the server: the pipeline is pure Python and holds the GIL, so a thread would still slow every other
session's script run; forking the multi-threaded server for a pool can copy a held lock, and
``spawn`` re-imports Streamlit's main module. A plain child process shares nothing with the server
but the store file, runs at the lowest CPU priority (:func:`lower_priority`: Linux's ``SCHED_IDLE`` policy,
idle I/O class, ``nice`` 19) and pauses between passages while a server has script runs in flight
(:mod:`components.runsignal`), so clicks are served first, and works
the same with several server replicas on one store: each replica may start a worker, and the
workers take documents with claims in the store (:mod:`components.store.queue`). A worker exits when
it has had nothing to do for a while, or when the server that started it has gone.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from .store.db import is_database_url
from .store.queue import IDLE_EXIT_S, LEASE_S

ROOT = Path(__file__).resolve().parent.parent
NICENESS = 19  # the lowest priority where SCHED_IDLE is missing (not Linux)

_lock = threading.Lock()
_workers: dict[str, subprocess.Popen] = {}
_started: dict[str, float] = {}
RESTART_AFTER_S = 10.0


def worker_command(db: Path | str, *, parent: int | None = None, idle_exit_s: float = IDLE_EXIT_S,
                   lease_s: float = LEASE_S) -> list[str]:
    """The worker's command line; a PostgreSQL URL is not on it (it may hold a password): :func:`start_worker`
    passes it in the environment (``ATLAS_DATABASE_URL``)."""
    where = [] if is_database_url(db) else ["--db", str(db)]
    command = [sys.executable, "-m", "components", "worker", *where, "--idle-exit", f"{idle_exit_s:g}",
               "--lease", f"{lease_s:g}"]
    return command + (["--parent", str(parent)] if parent is not None else [])


def start_worker(db: Path | str, **options: float) -> subprocess.Popen:
    """A worker process on ``db`` (a file or a PostgreSQL URL), with this process's environment (the same
    ``ATLAS_*`` settings)."""
    env = dict(os.environ)
    if is_database_url(db):
        env["ATLAS_DATABASE_URL"] = str(db)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    process = subprocess.Popen(worker_command(db, parent=os.getpid(), **options), cwd=ROOT, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    lower_priority(process.pid)  # at once: its imports (~0.9 CPU s) already yield to the server's runs
    return process


def ensure_worker(db: Path | str) -> bool:
    """Start this process's worker on ``db`` unless it is running; True if one was started. Cheap to call
    on every upload and every progress check (one ``poll`` of the child). A worker that failed within
    :data:`RESTART_AFTER_S` of its start is not started again before then (no process per second)."""
    key = str(db) if is_database_url(db) else str(Path(db).resolve())
    with _lock:
        running = _workers.get(key)
        if running is not None and running.poll() is None:
            return False
        if running is not None and running.returncode != 0 and time.monotonic() - _started.get(key, 0.0) < RESTART_AFTER_S:
            return False
        _workers[key] = start_worker(key if is_database_url(key) else Path(key))
        _started[key] = time.monotonic()
        return True


def stop_workers() -> None:
    """Stop the workers this process started (tests, benchmarks); their documents stay pending."""
    with _lock:
        for process in _workers.values():
            if process.poll() is None:
                process.terminate()
        for process in _workers.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        _workers.clear()


def lower_priority(pid: int = 0) -> list[str]:
    """Make a process (0: this one; else a single-threaded child, as just started) yield to everything else:
    ``SCHED_IDLE`` (the kernel runs it only on a core nothing else wants; nice 19 still gets ~1.5 % of a busy
    core), the idle I/O class (its reads and writes wait for the disk to be otherwise idle), and ``nice`` 19
    (for systems without those). Threads it starts later inherit all three. Returns what was applied."""
    import psutil

    applied = []
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, NICENESS)
        applied.append(f"nice {NICENESS}")
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
            applied.append("SCHED_IDLE")
    if hasattr(psutil, "IOPRIO_CLASS_IDLE"):
        with contextlib.suppress(OSError, psutil.Error):
            psutil.Process(pid or os.getpid()).ionice(psutil.IOPRIO_CLASS_IDLE)
            applied.append("ioprio idle")
    return applied


def warm_up() -> None:
    """Build what the pipeline needs before the first document arrives: the place index, the zone linker and
    the language model (~1 CPU s, at the lowest priority). The app starts its worker when the "Add a document"
    tab opens, before sign-in, so an upload finds it ready: started by the upload itself, the worker took
    2.6-2.7 s from upload to "Added" (`bench/bench_scale.py`). Reference data that cannot be read is reported per document, as before."""
    from .ingest import default_place_index, default_zone_linker
    from .ingest.language import preload_language_model

    with contextlib.suppress(Exception):
        default_place_index()
        default_zone_linker()
    preload_language_model()


def run(db: Path | str, *, idle_exit_s: float, lease_s: float, parent: int | None) -> int:
    """The worker's main loop (``python -m components worker``): returns how many documents it ingested."""
    from .runsignal import YieldToServer
    from .store import open_store
    from .store.queue import run_worker

    lower_priority()  # interactive script runs of the server first
    warm_up()
    with open_store(db) as store:
        return run_worker(store, idle_exit_s=idle_exit_s, lease_s=lease_s, pause=YieldToServer(db),
                          keep_going=lambda: parent is None or os.getppid() == parent)
