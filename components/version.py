"""Content versions: a short hash of every file a dataset is read from, so caches key on content.

:func:`dataset_version` hashes the SHA-256 of each input (every data file in
:class:`components.atlas.DataPaths`, every document and its sidecar in every
seed folder -- the bundled ``seeds/``, small and fixed; uploaded documents are
covered by the corpus store's revision instead, so no upload is stat'ed here) with its role (``zones``, ``seeds0/x.txt``, not its absolute
path) and the ingestion pipeline's version. Equal content gives an equal
version wherever the folder is; any changed, added or removed input gives a
new one. A file that cannot be read (say it vanished between listing and
reading) counts as absent: never an error.

Cheap on every script run: a file is re-read only when its stat (inode, size,
mtime, ctime) changed, and a file modified in the last :data:`RACY_SECONDS`
is always re-read, as its timestamp might not yet tell two writes apart (git's
"racily clean" rule).
"""
from __future__ import annotations

import functools
import hashlib
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .atlas import DataPaths

SCHEME = "atlas-version/1"
ABSENT = "absent"
RACY_SECONDS = 2.0
MEMO_LIMIT = 4096
LOAD_ATTEMPTS = 3

_memo: dict[str, tuple[tuple[int, int, int, int], str]] = {}
_memo_lock = threading.Lock()
T = TypeVar("T")


class InputsChanged(RuntimeError):
    """An input file changed while it was being read; read again."""


def file_digest(path: Path | str) -> str:
    """SHA-256 (hex) of a file's bytes, or ``"absent"`` when it is missing or unreadable."""
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except OSError:
        return ABSENT
    if not stat.S_ISREG(info.st_mode):
        return ABSENT
    key = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    with _memo_lock:
        known = _memo.get(name)
    if known is not None and known[0] == key:
        return known[1]
    try:
        with open(name, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ABSENT
    if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > RACY_SECONDS * 1e9:
        with _memo_lock:
            if len(_memo) >= MEMO_LIMIT:
                _memo.clear()
            _memo[name] = (key, digest)
    return digest


def inputs_version(inputs: Iterable[tuple[str, Path]], extra: Iterable[str] = ()) -> str:
    """One hash of labelled files (label and content digest each) plus extra strings (code versions)."""
    h = hashlib.sha256(SCHEME.encode())
    for label, path in inputs:
        h.update(f"\n{label}\0{file_digest(path)}".encode())
    for item in extra:
        h.update(f"\n+{item}".encode())
    return h.hexdigest()[:20]


def files_version(files: Iterable[Path | str]) -> str:
    """The version of some files, each labelled by its path."""
    return inputs_version((os.fspath(f), Path(f)) for f in files)


def dataset_inputs(data: DataPaths) -> list[tuple[str, Path]]:
    """Every file the atlas, gazetteer, basemap and corpus of ``data`` are read from, with its role."""
    from .documents import META_SUFFIX, document_paths

    inputs = [("zones", data.zones), ("facts", data.facts), ("references", data.references),
              ("gazetteer", data.gazetteer), ("gazetteer_extra", data.gazetteer_extra), ("basemap", data.basemap),
              ("life", data.life), ("extents", data.extents)]
    for i, folder in enumerate(data.seeds):
        for doc in document_paths(Path(folder)):
            meta = doc.with_name(doc.stem + META_SUFFIX)
            inputs += [(f"seeds{i}/{doc.name}", doc), (f"seeds{i}/{meta.name}", meta)]
    return inputs


def folder_stamp(folder: Path | None) -> str:
    """One stat of a folder (its mtime and inode): changes when a file is created, renamed into or
    removed from it (not when a file's bytes are rewritten in place). ``"absent"`` when missing."""
    if folder is None:
        return ABSENT
    try:
        info = os.stat(folder)
    except OSError:
        return ABSENT
    return f"{info.st_ino}-{info.st_mtime_ns}" if stat.S_ISDIR(info.st_mode) else ABSENT


def dataset_version(data: DataPaths, code: Iterable[str] | None = None) -> str:
    """The content version of a dataset: its inputs and the pipeline version (``code``, default
    :data:`components.ingest.pipeline.PIPELINE_VERSION`)."""
    if code is None:
        from .ingest.pipeline import PIPELINE_VERSION
        code = (f"pipeline {PIPELINE_VERSION}",)
    return inputs_version(dataset_inputs(data), code)


def cached_by_content(maxsize: int = 4) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorator: ``fn(*files)`` is computed once per (file paths, their contents).

    The files are hashed again after a computation; if one changed meanwhile the
    result is dropped and computed again, so a result never mixes two versions.
    """
    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.lru_cache(maxsize=maxsize)
        def by_version(files: tuple[str, ...], version: str) -> T:
            result = fn(*(Path(f) for f in files))
            if files_version(files) != version:
                raise InputsChanged(", ".join(files))
            return result

        @functools.wraps(fn)
        def call(*files: Any) -> T:
            names = tuple(os.fspath(f) for f in files)
            for _ in range(LOAD_ATTEMPTS - 1):
                try:
                    return by_version(names, files_version(names))
                except InputsChanged:
                    continue
            return fn(*(Path(f) for f in names))  # still changing: what is there now, not cached

        call.cache_clear = by_version.cache_clear  # type: ignore[attr-defined]
        return call
    return wrap
