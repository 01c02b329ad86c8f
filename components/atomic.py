"""Atomic file writes: a temporary file in the target folder, then a rename (or link)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _complete_temp_file(folder: Path, name: str, data: bytes) -> str:
    """Write ``data`` to a hidden temporary file in ``folder``, flushed to disk; returns its path.

    Hidden (leading dot) so nothing that lists documents ever sees it, and
    world-readable like any normal file (mkstemp creates 0600).
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
    except BaseException:
        os.unlink(tmp_name)
        raise
    return tmp_name


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half."""
    path = Path(path)
    tmp_name = _complete_temp_file(path.parent, path.name, data)
    try:
        os.replace(tmp_name, path)
    except BaseException:
        os.unlink(tmp_name)
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
        os.unlink(tmp_name)
