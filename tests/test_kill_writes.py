"""No acknowledged write is lost when the process making it is SIGKILLed (issue 18), on SQLite and on
PostgreSQL: a real child process takes reviews and queues uploads through the same functions the app
calls, prints each one once the function has returned (the moment the app tells the curator "done"),
and is killed in the middle of its stream; the store must then hold every acknowledged write whole."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from components.review import review_queue
from components.store import open_store
from components.store.ingest import add_bytes
from tests.server import ROOT

SEED = ROOT / "seeds" / "000_6a7ef684703209c4.txt"
ACKS_BEFORE_KILL = 12

CHILD = r'''
import sys
from pathlib import Path
from components.review import ReviewInputError, review, review_queue
from components.store import open_store
from components.store.ingest import queue_upload
location, uploads = sys.argv[1], Path(sys.argv[2])
location = location if "://" in location else Path(location)
store = open_store(location)
_, items = review_queue(store, doc_id="000_6a7ef684703209c4", limit=200)
for n, item in enumerate(items):
    try:
        review(store, item.target, "confirm", "alice", 0)
    except ReviewInputError:  # a candidate that needs a correction (no zone): not this drill's business
        continue
    print("review", item.target, flush=True)
    up = queue_upload(store, f"Report {n}: talks on the Idlib zone continued in Astana.\n".encode(), f"r{n}.txt", uploads)
    print("upload", up.doc_id, flush=True)
print("end", flush=True)
'''


def test_sigkill_mid_stream_loses_no_acknowledged_review_or_upload(store_location, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    with open_store(store_location) as store:
        add_bytes(store, SEED.read_bytes(), SEED.name, source="seed", path=SEED)
        total, _ = review_queue(store, doc_id=SEED.stem, limit=1)
    assert total > ACKS_BEFORE_KILL  # enough candidates that the kill lands mid-stream
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(store_location), str(uploads)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
    acked: list[tuple[str, str]] = []
    assert child.stdout is not None
    deadline = time.monotonic() + 120
    while len(acked) < ACKS_BEFORE_KILL and time.monotonic() < deadline:
        line = child.stdout.readline().split()
        assert line and line[0] != "end", child.stderr.read() if child.stderr else ""
        acked.append((line[0], line[1]))
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL and len(acked) == ACKS_BEFORE_KILL
    with open_store(store_location) as store:
        states = {r[0]: (r[1], r[2]) for r in store.query("SELECT target, state, version FROM review_state")}
        docs = {r[0]: (r[1], r[2]) for r in store.query("SELECT doc_id, status, path FROM documents WHERE source = 'upload'")}
        for kind, key in acked:
            if kind == "review":
                assert states.get(key) == ("confirmed", 1), key
                assert store.scalar("SELECT count(*) FROM reviews WHERE target = ?", (key,)) == 1
            else:
                assert docs.get(key, ("missing",))[0] == "pending", key
                assert Path(docs[key][1]).read_bytes().startswith(b"Report ")
        # nothing half-written: every review has its audit row, every upload row its file
        assert store.scalar("SELECT count(*) FROM review_state") == store.scalar("SELECT count(DISTINCT target) FROM reviews")
        assert all(Path(path).is_file() for _, path in docs.values())
