"""Storing uploaded documents: checked, sanitised name, atomic, never overwriting."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .atomic import create_new_file_atomically
from .documents import decode_document_bytes

MAX_NAME_LENGTH = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def sanitize_name(name: str) -> str:
    """A safe ``.txt`` file name: no path parts, no ``..``, no control characters, bounded length."""
    base = name.replace("\\", "/").split("/")[-1]
    base = base.replace("\x00", "")
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem = base[:-4] if base.lower().endswith(".txt") else base
    stem = _UNSAFE.sub("-", stem).strip(".-_")
    stem = re.sub(r"\.{2,}", ".", stem)[:MAX_NAME_LENGTH].strip(".-_")
    return f"{stem or 'document'}.txt"


def store_upload(data: bytes, original_name: str, folder: Path) -> Path:
    """Check and store an uploaded document; returns the path written.

    Raises :class:`components.documents.DocumentError` (with a clear message
    naming the file) for oversize, empty, binary or non-UTF-8 input; nothing
    is written then. An existing document is never replaced: a new name is used.
    """
    decode_document_bytes(data, original_name)
    return create_new_file_atomically(Path(folder) / sanitize_name(original_name), data)
