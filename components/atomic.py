"""Atomic file writes: a temporary file in the target folder, then a rename (or link).

A writer killed between the two leaves its temporary file (``.NAME.XXXXXXXX.tmp``, hidden so no
listing of documents sees it). :func:`remove_leftovers` deletes such files -- only names of this
exact pattern, only older than :data:`LEFTOVER_AGE_S` (a write in progress, perhaps another
replica's on a shared volume, is never touched). Every atomic write first removes its own target's
leftovers; the app removes every leftover in the uploads folder at start.
"""
from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from pathlib import Path

LEFTOVER_AGE_S = 120.0
# tempfile.mkstemp(prefix=".NAME.", suffix=".tmp"): 8 characters of tempfile's random name alphabet
_TEMP_NAME = re.compile(r"\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp")


def leftover_target(name: str) -> str | None:
    """The file a temporary file of ours was to become (``.news.txt.k2j4_9xa.tmp`` → ``news.txt``), or None."""
    match = _TEMP_NAME.fullmatch(name)
    return match.group("target") if match else None


def remove_leftovers(folder: Path, target: str | None = None, min_age_s: float = LEFTOVER_AGE_S) -> list[Path]:
    """Delete the temporary files interrupted atomic writes left in ``folder`` (of ``target`` only, if given)
    that are older than ``min_age_s``; returns what was removed. Never raises: a file that vanished
    meanwhile (another process cleaned it) or cannot be removed is skipped."""
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = leftover_target(entry.name)
        if found is None or (target is not None and found != target):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime >= min_age_s:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _discard(tmp_name: str) -> None:
    """Remove our temporary file; already gone (someone cleaned the folder) is fine."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp_name)


def _complete_temp_file(folder: Path, name: str, data: bytes) -> str:
    """Write ``data`` to a hidden temporary file in ``folder``, flushed to disk; returns its path.

    Hidden (leading dot) so nothing that lists documents ever sees it, and
    world-readable like any normal file (mkstemp creates 0600).
    """
    folder.mkdir(parents=True, exist_ok=True)
    remove_leftovers(folder, name)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
    except BaseException:
        _discard(tmp_name)
        raise
    return tmp_name


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half."""
    path = Path(path)
    tmp_name = _complete_temp_file(path.parent, path.name, data)
    try:
        os.replace(tmp_name, path)
    except BaseException:
        _discard(tmp_name)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """UTF-8 text version of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


def create_new_file_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` under ``path`` without ever replacing an existing file.

    If ``path`` exists, ``name-2.ext``, ``name-3.ext`` ... is used instead.
    Returns the path actually written. The content is complete before the
    name appears (temporary file + ``os.link``, which fails if the name exists).
    """
    path = Path(path)
    tmp_name = _complete_temp_file(path.parent, path.name, data)
    try:
        candidate, n = path, 1
        while True:
            try:
                os.link(tmp_name, candidate)
                return candidate
            except FileExistsError:
                n += 1
                candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    finally:
        _discard(tmp_name)
