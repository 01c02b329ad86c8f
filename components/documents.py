"""Source documents: UTF-8 text files in ``seeds/`` with an optional metadata sidecar.

A document's text is its bytes decoded as UTF-8, with no newline translation,
so character offsets (Python code points) are stable on every platform.
The sidecar ``<name>.meta.json`` sits beside ``<name>.txt``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .jsonload import load_checked
from .problems import Problem

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
META_SUFFIX = ".meta.json"
SIDECAR_SCHEMA = "sidecar.schema.json"  # geodata/schemas/


class DocumentError(ValueError):
    """A document or its sidecar cannot be used; the message names the file."""


@dataclass(frozen=True)
class DocumentMeta:
    title: str
    publisher: str = ""
    published: dt.date | None = None
    date_precision: str = "unknown"  # "day", "inferred-day", "month", "unknown"
    date_reasoning: str = ""
    url: str | None = None
    licence: str = ""
    notes: str = ""
    sha256: str = ""  # of the document's bytes, when the sidecar records it (see integrity_problems)
    byte_length: int | None = None  # sidecar key "bytes"


@dataclass(frozen=True)
class Document:
    id: str
    path: Path
    text: str
    meta: DocumentMeta

    @property
    def title(self) -> str:
        return self.meta.title or self.id


@dataclass
class Corpus:
    documents: dict[str, Document] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, doc_id: str) -> Document | None:
        return self.documents.get(doc_id)

    def newest_first(self) -> list[Document]:
        """Documents by publication date, newest first; undated last."""
        return sorted(
            self.documents.values(),
            key=lambda d: (d.meta.published is not None, d.meta.published or dt.date.min, d.id),
            reverse=True,
        )


def decode_document_bytes(data: bytes, name: str) -> str:
    """Decode bytes as a document's text, refusing empty, binary and non-UTF-8 input."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            f"{name}: {len(data):,} bytes is over the {MAX_DOCUMENT_BYTES:,}-byte limit for a document"
        )
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise DocumentError(f"{name}: looks binary (NUL byte at offset {offset}); only plain UTF-8 text is accepted")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{name}: not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); save it as UTF-8 text"
        ) from None
    if not text.strip():
        raise DocumentError(f"{name}: empty document (no text)")
    return text


def read_document_bytes(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """A document's bytes, its size checked before it is read: a directory, or a file (or device,
    pipe: ``/dev/zero``) over ``limit`` bytes is refused after reading at most ``limit + 1`` bytes."""
    path = Path(path)
    if path.is_dir():
        raise DocumentError(f"{path.name}: is a directory, not a text file")
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise DocumentError(f"{path.name}: {size:,} bytes is over the {limit:,}-byte limit for a document")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise DocumentError(f"{path.name}: more than {limit:,} bytes (over the limit for a document); not read further")
    return data


def read_document_text(path: Path) -> str:
    """Read a document's text exactly as citations index it (size checked first: :func:`read_document_bytes`)."""
    return decode_document_bytes(read_document_bytes(path), Path(path).name)


def _parse_date(value: object, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DocumentError(f"{where}: 'published' is not an ISO date (YYYY-MM-DD): {value!r}") from None


def _text_field(raw: dict, key: str) -> str:
    """A text field of a checked sidecar (the schema allows text or null)."""
    return str(raw.get(key) or "")


def load_meta(path: Path, fallback_title: str) -> DocumentMeta:
    """Read a sidecar; a missing sidecar gives a title-only record."""
    if not path.exists():
        return DocumentMeta(title=fallback_title)
    where = path.name
    loaded = load_checked(path, SIDECAR_SCHEMA)
    if loaded.problems:
        raise DocumentError("; ".join(str(p) for p in loaded.problems))
    raw = loaded.data
    return DocumentMeta(
        title=_text_field(raw, "title") or fallback_title,
        publisher=_text_field(raw, "publisher"),
        published=_parse_date(raw.get("published"), where),
        date_precision=_text_field(raw, "date_precision") or "unknown",
        date_reasoning=_text_field(raw, "date_reasoning"),
        url=raw.get("url"),
        licence=_text_field(raw, "licence"),
        notes=_text_field(raw, "notes"),
        sha256=_text_field(raw, "sha256").lower(),
        byte_length=raw.get("bytes"),
    )


def first_line_title(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def load_document(path: Path) -> Document:
    path = Path(path)
    text = read_document_text(path)
    meta = load_meta(path.with_name(path.stem + META_SUFFIX), fallback_title=first_line_title(text) or path.stem)
    return Document(id=path.stem, path=path, text=text, meta=meta)


def document_paths(folder: Path) -> list[Path]:
    """The ``*.txt`` files of a folder, sorted by name; hidden/temporary files skipped."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.txt") if not p.name.startswith("."))


def integrity_problems(corpus: Corpus) -> list[Problem]:
    """Documents whose bytes differ from the SHA-256 (and length) their sidecar records.

    A recorded hash pins a source document to the copy the facts were curated
    against: any edit, even one that keeps every quote, is named.
    """
    problems = []
    for doc in corpus.documents.values():
        if not doc.meta.sha256 and doc.meta.byte_length is None:
            continue
        try:
            data = doc.path.read_bytes()
        except OSError as exc:  # removed or replaced since it was loaded
            problems.append(Problem(doc.path.name, "", f"cannot be read: {exc.strerror or exc}"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if doc.meta.byte_length is not None and len(data) != doc.meta.byte_length:
            problems.append(Problem(doc.path.name, "", f"{len(data):,} bytes, but its sidecar records "
                                    f"{doc.meta.byte_length:,}: the document was changed (never edit a source)"))
        if doc.meta.sha256 and digest != doc.meta.sha256:
            problems.append(Problem(doc.path.name, "", f"SHA-256 {digest} differs from {doc.meta.sha256} recorded "
                                    "in its sidecar: the document was changed (never edit a source)"))
    return problems


def load_corpus(*folders: Path) -> Corpus:
    """Load every document in ``folders``; problems are collected, never raised."""
    corpus = Corpus()
    for folder in folders:
        for path in document_paths(Path(folder)):
            if path.stem in corpus.documents:
                continue
            try:
                corpus.documents[path.stem] = load_document(path)
            except (DocumentError, OSError) as exc:
                corpus.problems.append(Problem(str(path.name), "", str(exc).removeprefix(f"{path.name}: ")))
    return corpus
