"""Disk full while storing an upload (issue 18): a clear message, no partial document, the store intact.

A real full file system: a 1 MB tmpfs mounted in a private mount namespace (``unshare -m``, as
root, like test_store.py's read-only mount) holds the uploads folder and the corpus store; the
child process uses the app's own upload path (``queue_upload``) and reports what happened.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.server import ROOT

CHILD = r'''
import json, sys
from pathlib import Path
from components.store.db import open_store
from components.store.ingest import queue_upload
mnt = Path(sys.argv[1]); up = mnt / "uploads"; up.mkdir()
store = open_store(mnt / "atlas.db")
text = "Idlib de-escalation zone report: 84 settlements, a checkpoint near Morek. " * 20 + "\n\n"
out = []
for i, size in enumerate([100_000, 300_000, 900_000]):
    data = (f"document {i}\n\n" + text * (size // len(text))).encode()
    try:
        r = queue_upload(store, data, f"d{i}.txt", up)
        outcome = {"status": r.status, "message": r.message}
    except Exception as exc:
        outcome = {"error": type(exc).__name__, "message": str(exc)}
    outcome["files"] = sorted(p.name for p in up.iterdir())
    outcome["rows"] = [list(row) for row in store.query("SELECT doc_id, status FROM documents ORDER BY id")]
    out.append(outcome)
out.append({"integrity": store.scalar("PRAGMA integrity_check")})
print(json.dumps(out))
'''


def run_on_full_disk(size: str = "1m") -> list[dict]:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare(1) to mount a small tmpfs (CI runs as root)")
    mnt = "/mnt"
    script = 'mount -t tmpfs -o size="$1" tmpfs "$2" && shift 2 && exec "$@"'
    result = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", size, mnt, sys.executable, "-c", CHILD, mnt],
                            cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_upload_the_disk_cannot_hold_is_refused_clearly_and_leaves_nothing_behind() -> None:
    first, store_full, file_full, end = run_on_full_disk()
    assert first["status"] == "queued" and first["rows"] == [["d0", "pending"]]
    # the file fitted, the store's row did not: SQLite's own words, the store named, the file removed again
    assert store_full["error"] == "StoreError" and "database or disk is full" in store_full["message"], store_full
    assert "atlas.db" in store_full["message"]
    assert store_full["files"] == ["d0.txt"] and store_full["rows"] == [["d0", "pending"]]
    # the file itself did not fit: the OS's ENOSPC, no temporary file left, nothing recorded
    assert file_full["error"] == "OSError" and "No space left on device" in file_full["message"], file_full
    assert file_full["files"] == ["d0.txt"] and file_full["rows"] == [["d0", "pending"]]
    assert end == {"integrity": "ok"}
