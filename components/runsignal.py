"""A signal from the app's server processes to the ingest worker: "script runs are in flight" (issue 17).

The worker (:mod:`components.worker`) runs with Linux's ``SCHED_IDLE`` policy, so it gets a core only
when nothing else wants it; but on two cores the server (one GIL) leaves the second core free, the worker
takes it, and the two then share caches and memory bandwidth. So the worker also pauses between passages
while a server has runs in flight. The signal is a file per server process, ``<db>.runs/<host>-<pid>``,
present while that process has at least one script run in flight (made at 0 → 1, removed at 1 → 0,
its mtime refreshed at least every :data:`REFRESH_S`); a file older than :data:`STALE_S` (a server
killed during a run) is ignored. Several replicas on one store each have their own file.

Every file operation is best effort: a read-only or missing folder means no signal, never an error.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

STALE_S = 30.0      # a marker not refreshed for this long is a dead server's
REFRESH_S = 5.0     # a busy server refreshes its marker's mtime at a run start at most this often
QUANTUM_S = 0.02    # the worker checks the signal after this much work ...
MAX_WAIT_S = 0.5    # ... and waits at most this long each time (it always makes progress)
SLEEP_S = 0.01


def runs_folder(db: Path | str) -> Path:
    """``<db>.runs`` beside a SQLite file; for a PostgreSQL store (a URL), a folder in the temporary
    directory named by the URL's hash: only the workers on the server's own host see its runs there."""
    from .store.db import is_database_url
    if is_database_url(db):
        digest = hashlib.sha256(str(db).encode("utf-8")).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"atlas-runs-{digest}"
    return Path(db).with_name(Path(db).name + ".runs")


class RunsInFlight:
    """This process's script runs in flight on one store, shown as a marker file while there is at least one."""

    def __init__(self, db: Path | str) -> None:
        self.marker = runs_folder(db) / f"{socket.gethostname()}-{os.getpid()}"
        self.count = 0
        self.touched = 0.0
        self.lock = threading.Lock()

    def _touch(self) -> None:
        with contextlib.suppress(OSError):
            self.marker.parent.mkdir(exist_ok=True)
            self.marker.touch()
            self.touched = time.monotonic()

    @contextlib.contextmanager
    def run(self) -> Iterator[None]:
        """Around one script run: O(1), one file operation at most (none while other runs are in flight)."""
        with self.lock:
            self.count += 1
            if self.count == 1 or time.monotonic() - self.touched > REFRESH_S:
                self._touch()
        try:
            yield
        finally:
            with self.lock:
                self.count -= 1
                if self.count == 0:
                    with contextlib.suppress(OSError):
                        self.marker.unlink(missing_ok=True)


_signals: dict[str, RunsInFlight] = {}
_signals_lock = threading.Lock()


def runs_in_flight(db: Path | str) -> RunsInFlight:
    """The one :class:`RunsInFlight` of this process for ``db`` (a SQLite file or a PostgreSQL URL)."""
    key = str(runs_folder(db).resolve())
    with _signals_lock:
        return _signals.setdefault(key, RunsInFlight(db))


def server_busy(db: Path | str, *, now: float | None = None) -> bool:
    """Some server process has a script run in flight on ``db`` (a fresh marker exists). One small listing."""
    now = time.time() if now is None else now
    try:
        with os.scandir(runs_folder(db)) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    if now - entry.stat().st_mtime < STALE_S:
                        return True
    except OSError:
        return False
    return False


class YieldToServer:
    """The worker's pause between passages: after every :data:`QUANTUM_S` of work, sleep while a server has
    runs in flight, at most :data:`MAX_WAIT_S` per call. Counts its pauses (``paused``, ``waited_s``)."""

    def __init__(self, db: Path | str, *, quantum_s: float = QUANTUM_S, max_wait_s: float = MAX_WAIT_S,
                 busy: Callable[[], bool] | None = None) -> None:
        self.busy = busy or (lambda: server_busy(db))
        self.quantum_s, self.max_wait_s = quantum_s, max_wait_s
        self.last = time.monotonic()
        self.paused = 0
        self.waited_s = 0.0

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self.last < self.quantum_s:
            return
        start = now
        if self.busy():
            self.paused += 1
            while time.monotonic() - start < self.max_wait_s and self.busy():
                time.sleep(SLEEP_S)
            self.waited_s += time.monotonic() - start
        self.last = time.monotonic()
