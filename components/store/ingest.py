"""Ingest once: documents enter the store when added and are re-ingested only when
their bytes, their publication date, the gazetteer/zones or the pipeline version change.

The pipeline (:func:`components.ingest.ingest_document`) runs outside any
transaction; its output is then written in one transaction together with the
document's status, so a process killed mid-ingest leaves either the previous
state or the new one. A document is first recorded as ``pending`` (its metadata
and text, committed); a pending document found at start-up is one whose
ingestion was interrupted, and :func:`resume` finishes it.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from components.atomic import remove_leftovers
from components.documents import (
    META_SUFFIX,
    Document,
    DocumentError,
    DocumentMeta,
    decode_document_bytes,
    document_paths,
    first_line_title,
    load_meta,
    read_document_bytes,
)
from components.ingest import IngestedDocument, ingest_document
from components.ingest.extract import CandidateFact
from components.ingest.limits import apply_limits
from components.ingest.pipeline import PIPELINE_VERSION
from components.ingest.places import PhraseIndex
from components.ingest.zonelink import ZoneLinker
from components.paths import GAZETTEER_EXTRA_FILE, GAZETTEER_FILE, ZONES_FILE, data_root
from components.review import apply_place_reviews
from components.uploads import sanitize_name, store_upload
from components.version import file_digest

from ..words import plural
from .db import Store, StoreError, dialect
from .folding import indexed_text

SOURCES: tuple[str, ...] = ("seed", "upload", "cli")


@dataclass(frozen=True)
class StoreMeta:
    """A document's metadata as the store keeps it (a sidecar's fields plus author and language)."""

    title: str = ""
    publisher: str = ""
    author: str = ""
    published: dt.date | None = None
    date_precision: str = "unknown"
    url: str | None = None
    language: str = ""
    licence: str = ""
    notes: str = ""

    @classmethod
    def from_document_meta(cls, meta: DocumentMeta) -> StoreMeta:
        return cls(title=meta.title, publisher=meta.publisher, published=meta.published,
                   date_precision=meta.date_precision, url=meta.url, licence=meta.licence, notes=meta.notes)

    def overridden(self, **values: object) -> StoreMeta:
        """This metadata with every given, non-empty value replacing the stored one."""
        given = {k: v for k, v in values.items() if v not in (None, "")}
        if "published" in given and "date_precision" not in given:
            given["date_precision"] = "day"
        return replace(self, **given)  # type: ignore[arg-type]

    def document_meta(self) -> DocumentMeta:
        return DocumentMeta(title=self.title, publisher=self.publisher, published=self.published,
                            date_precision=self.date_precision, url=self.url, licence=self.licence, notes=self.notes)


@dataclass(frozen=True)
class AddResult:
    """What happened to one file: added, updated, unchanged, duplicate or failed (stored with its reason)."""

    status: str
    doc_id: str
    message: str
    file: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("added", "updated", "unchanged")


@dataclass
class SyncReport:
    results: list[AddResult] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    reingested: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("added", "updated", "unchanged", "duplicate", "failed", "queued") if self.count(s)]
        if self.reingested:
            parts.append(f"{len(self.reingested)} re-ingested (gazetteer or pipeline changed)")
        if self.resumed:
            parts.append(f"{plural(len(self.resumed), 'unfinished ingestion')} finished: {', '.join(self.resumed)}")
        if self.removed:
            parts.append(f"{len(self.removed)} removed (file gone)")
        return ", ".join(parts) or "nothing to do"


# --------------------------------------------------------------------------
# Versions and keys
# --------------------------------------------------------------------------

def _digest_of(files: tuple[str, ...]) -> str:
    """Role (file name) and content of each file, not where it is (:func:`components.version.file_digest`:
    re-hashed when a file's stat changes, and always when it changed within the last moments)."""
    h = hashlib.sha256()
    for name in files:
        h.update(Path(name).name.encode() + b"\0" + file_digest(name).encode())
    return h.hexdigest()[:16]


def reference_files() -> tuple[Path, ...]:
    """The reference data ingestion reads: the configured data root's gazetteer files and zones (ATLAS_DATA_ROOT)."""
    geodata = data_root() / "geodata"
    return (geodata / GAZETTEER_FILE.name, geodata / GAZETTEER_EXTRA_FILE.name, geodata / ZONES_FILE.name)


def gazetteer_version(files: Iterable[Path] | None = None) -> str:
    """Hash of the reference data ingestion reads: the two gazetteer files and the zones."""
    names = tuple(str(f) for f in (files if files is not None else reference_files()))
    return _digest_of(names)


def ingest_key(sha256: str, published: str | None, gazetteer: str | None = None, pipeline: str | None = None) -> str:
    """What a document's derived rows depend on: its bytes, its date (relative dates), gazetteer, pipeline."""
    gazetteer = gazetteer if gazetteer is not None else gazetteer_version()
    pipeline = pipeline if pipeline is not None else PIPELINE_VERSION
    return hashlib.sha256(f"{sha256}|{published or ''}|{gazetteer}|{pipeline}".encode()).hexdigest()[:32]


def _stamp(path: str) -> tuple[int, int]:
    try:
        st = Path(path).stat()
        return st.st_size, st.st_mtime_ns
    except OSError:
        return -1, -1


def file_signature(path: Path) -> str:
    """Size and mtime of a file and its sidecar: unchanged signature, unchanged file (no need to read it)."""
    meta = path.with_name(path.stem + META_SUFFIX)
    return f"{_stamp(str(path))}|{_stamp(str(meta))}"


# --------------------------------------------------------------------------
# Writing documents
# --------------------------------------------------------------------------

def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return ""


def find_by_sha(store: Store, sha256: str) -> sqlite3.Row | None:
    rows = store.query("SELECT id, doc_id, title, status, failure FROM documents WHERE sha256 = ?", (sha256,))
    return rows[0] if rows else None


def _unique_doc_id(conn: sqlite3.Connection, stem: str) -> str:
    candidate, n = stem, 1
    while conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (candidate,)).fetchone():
        n += 1
        candidate = f"{stem}-{n}"
    return candidate


def _duplicate_message(row: sqlite3.Row, name: str) -> str:
    state = f"; it failed to ingest: {row['failure']}" if row["status"] == "failed" else ""
    return f"{name}: already in the corpus as {row['doc_id']} ({row['title'] or 'untitled'}){state}"


def _meta_columns(meta: StoreMeta) -> dict[str, object]:
    return {
        "title": meta.title, "publisher": meta.publisher, "author": meta.author,
        "published": meta.published.isoformat() if meta.published else None,
        "date_precision": meta.date_precision, "url": meta.url, "language": meta.language,
        "licence": meta.licence, "notes": meta.notes,
    }


def _record(store: Store, *, existing: int | None, doc_id: str, sha: str, name: str, path: Path | None, n_bytes: int,
            meta: StoreMeta, source: str, added_by: str, text: str | None, failure: str | None, sig: str | None) -> int:
    """Insert or update the document row (status pending, or failed with its reason); returns its row id."""
    columns = {
        **_meta_columns(meta), "sha256": sha, "file_name": name, "path": str(path) if path else None,
        "n_bytes": n_bytes, "status": "failed" if failure else "pending", "failure": failure, "text": text,
        "file_sig": sig, "ingest_key": None,
    }
    with store.transaction() as conn:
        if existing is not None:
            _delete_derived(conn, existing)
            assignments = ", ".join(f"{k} = :{k}" for k in columns)
            conn.execute(f"UPDATE documents SET {assignments} WHERE id = :id", {**columns, "id": existing})
            return existing
        columns.update(doc_id=_unique_doc_id(conn, doc_id), added_at=_now(), added_by=added_by, source=source)
        names = ", ".join(columns)
        cursor = conn.execute(f"INSERT INTO documents ({names}) VALUES ({', '.join(':' + k for k in columns)})", columns)
        return int(cursor.lastrowid or 0)


def _delete_derived(conn: sqlite3.Connection, row_id: int) -> None:
    conn.execute(
        "UPDATE place_stats SET documents = documents - 1, mentions = mentions -"
        " (SELECT count(*) FROM mentions m WHERE m.doc = :doc AND m.place_id = place_stats.place_id AND m.place_candidates = 1)"
        " WHERE place_id IN (SELECT place_id FROM mentions WHERE doc = :doc AND place_candidates = 1)", {"doc": row_id})
    conn.execute("DELETE FROM place_stats WHERE mentions <= 0")
    for table in ("candidates", "mentions", "zone_links"):
        conn.execute(f"DELETE FROM {table} WHERE doc = ?", (row_id,))
    conn.execute("DELETE FROM passages WHERE doc = ?", (row_id,))


_DAY0 = dt.date(1900, 1, 1)
_IDX_BITS, _DOC_BITS = 21, 22  # a 2 MB document has at most ~1M passages; 4M document rows


def passage_row_id(published: str | None, doc_row: int, index: int) -> int:
    """A passage's row id, ordered like the results: newest date first (``ORDER BY id DESC``), then the
    most recently stored document, then the passage's position -- so search pages stream from the index."""
    day = (dt.date.fromisoformat(published) - _DAY0).days + 1 if published else 0
    if not (0 <= index < 1 << _IDX_BITS and 0 < doc_row < 1 << _DOC_BITS and 0 <= day < 1 << 20):
        raise ValueError(f"passage key out of range: date {published}, document row {doc_row}, passage {index}")
    return (day << (_DOC_BITS + _IDX_BITS)) | (doc_row << _IDX_BITS) | ((1 << _IDX_BITS) - 1 - index)


@dataclass(frozen=True)
class DerivedRows:
    """Every derived row of one document, ready to insert (what the pipeline produced, as plain tuples:
    cheap to send back from a worker process)."""

    place_stats: list[tuple]
    passages: list[tuple]
    links: list[tuple]
    mentions: list[tuple]
    candidates: list[tuple]
    summary: str
    note: str | None = None   # what the per-document limits dropped (components/ingest/limits.py)
    language: str = ""        # detected from the text (components/ingest/language.py)


@dataclass(frozen=True)
class IngestJob:
    """What the pipeline needs to know about a stored document (no store access: runs in any process)."""

    row_id: int
    doc_id: str
    path: str
    text: str
    meta: StoreMeta


# ``json.dumps(value, ensure_ascii=False, default=str)`` without building an encoder per call (the same text).
_to_json = json.JSONEncoder(ensure_ascii=False, default=str).encode
_json_string = json.encoder.encode_basestring  # what that encoder writes for a str (ensure_ascii=False)


def _value_json(value: object) -> str:
    """``_to_json(value)``; a candidate's value is nearly always a str or an int, written directly."""
    if type(value) is str:
        return _json_string(value)
    if type(value) is int:
        return int.__repr__(value)
    return _to_json(value)


def _citation_json(fact: CandidateFact) -> str:
    """``_to_json(fact.citation.as_dict())`` -- the same text (keys in that order, the encoder's separators),
    written directly for the usual citation without a relative date (12,000 per MB ingested)."""
    if fact.relative is not None:
        return _to_json(fact.citation.as_dict())
    return (f'{{"doc": {_json_string(fact.doc)}, "start": {int.__repr__(fact.start)}, "end": {int.__repr__(fact.end)}, '
            f'"quote": {_json_string(fact.quote)}}}')


def derived_rows(row_id: int, text: str, ingested: IngestedDocument, published: str | None) -> DerivedRows:
    """The rows :func:`_write_derived` inserts for one document, and its one-line summary."""
    per_place: dict[str, list] = {}
    passages, links, mentions, candidates = [], [], [], []
    for ip in ingested.passages:
        p = ip.passage
        passage_id = passage_row_id(published, row_id, p.index)
        passages.append((passage_id, row_id, p.index, p.start, p.end, indexed_text(text[p.start:p.end]), published or ""))
        links += [(zone, passage_id, row_id) for zone in dict.fromkeys(ip.zones)]
        for lp in ip.places:
            place = lp.mention.place
            mentions.append((row_id, passage_id, lp.mention.start, lp.mention.end, text[lp.mention.start:lp.mention.end],
                             place.id, place.name, place.kind, place.lat, place.lon, lp.zone, lp.candidates))
            if lp.candidates == 1:  # an ambiguous name is not placed on the map
                per_place.setdefault(place.id, [place.id, place.name, place.kind, place.lat, place.lon, lp.zone, 0])[-1] += 1
        candidates += [(row_id, passage_id, f.kind, _value_json(f.value), f.value_type,
                        f.qualifier, f.date_precision, f.start, f.end, text[f.start:f.end],
                        _citation_json(f)) for f in ip.facts]
    zones = ", ".join(ingested.zones) or "no zone"
    summary = f"{ingested.id}: {len(ingested.passages)} passages, {len(mentions)} place mentions; zones: {zones}"
    return DerivedRows([tuple(v) for v in per_place.values()], passages, links, mentions, candidates, summary,
                       language=ingested.language)


def run_pipeline(job: IngestJob, index: PhraseIndex | None = None, linker: ZoneLinker | None = None,
                 pause: Callable[[], None] | None = None) -> DerivedRows | str:
    """The pipeline on one document and its rows, or the reason it failed. Pure: no store, no Streamlit;
    the bulk path runs it in worker processes, with the place index and zone linker it resolved once
    (default: the configured dataset's, looked up per call). ``pause``: called between passages (see
    ``ingest_document``)."""
    document = Document(id=job.doc_id, path=Path(job.path), text=job.text, meta=job.meta.document_meta())
    try:
        trimmed = apply_limits(ingest_document(document, index, linker, pause=pause))  # per-document limits (issue 17): the note says what was dropped
    except Exception as exc:
        return f"ingestion failed: {type(exc).__name__}: {exc}"
    rows = derived_rows(job.row_id, job.text, trimmed.document, job.meta.published.isoformat() if job.meta.published else None)
    return replace(rows, summary=f"{rows.summary}.{' ' + trimmed.note if trimmed.note else ''}", note=trimmed.note)


def _write_derived(conn: sqlite3.Connection, documents: list[DerivedRows]) -> None:
    """Every derived row of some documents, five bulk inserts (the caller holds the transaction).

    The search index gets the batch's passages in one statement, in ascending row id order: FTS5
    writes its pending index as a new segment at every statement's end and whenever a row id is
    lower than the previous one, so passage by passage it would write (and later merge) one
    segment per passage -- most of the old ingestion time. Mentions and candidates keep document order."""
    conn.executemany(
        "INSERT INTO place_stats (place_id, place_name, kind, lat, lon, zone, mentions, documents)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (place_id) DO UPDATE SET"
        " mentions = place_stats.mentions + excluded.mentions, documents = place_stats.documents + 1",
        [row for d in documents for row in d.place_stats])
    conn.executemany("INSERT INTO passages (id, doc, idx, start, end, folded, published_sort) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [row for d in documents for row in d.passages])
    if dialect(conn) == "sqlite":  # PostgreSQL's search indexes are on the passages table itself
        conn.execute("INSERT INTO passages_fts (rowid, folded) SELECT id, folded FROM passages"
                     " WHERE doc IN (SELECT value FROM json_each(?)) ORDER BY id",
                     (json.dumps(sorted({row[1] for d in documents for row in d.passages})),))
    conn.executemany("INSERT INTO zone_links (zone, passage, doc) VALUES (?, ?, ?)", [r for d in documents for r in d.links])
    conn.executemany("INSERT INTO mentions (doc, passage, start, end, surface, place_id, place_name, kind, lat, lon, zone,"
                     " place_candidates) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [r for d in documents for r in d.mentions])
    conn.executemany("INSERT INTO candidates (doc, passage, kind, value, value_type, qualifier, date_precision, start, end,"
                     " quote, citation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [r for d in documents for r in d.candidates])


def _job(row: sqlite3.Row) -> IngestJob:
    meta = StoreMeta(title=row["title"], publisher=row["publisher"],
                     published=dt.date.fromisoformat(row["published"]) if row["published"] else None,
                     date_precision=row["date_precision"], url=row["url"], licence=row["licence"], notes=row["notes"])
    return IngestJob(row["id"], row["doc_id"], row["path"] or row["file_name"], row["text"], meta)


def _store_results(store: Store, done: list[tuple[sqlite3.Row, DerivedRows | str]]) -> list[AddResult]:
    """Write the pipeline's output for some documents in ONE transaction, with each document's status:
    a killed process leaves them all as they were (pending ones are finished by the next start)."""
    results: list[AddResult] = []
    written: list[DerivedRows] = []
    written_ids: list[int] = []
    gazetteer = gazetteer_version()  # once per batch: it stats (and may hash) the reference files
    with store.transaction() as conn:
        for row, outcome in done:
            status = _current_status(conn, row["id"], row["sha256"])
            if status is None:  # removed or replaced by another process meanwhile
                results.append(_gone(row["id"], row["file_name"]))
                continue
            key = ingest_key(row["sha256"], row["published"], gazetteer)
            if status != "pending":  # a re-ingest, or another process (a replica) finished it meanwhile: its rows go
                _delete_derived(conn, row["id"])
            if isinstance(outcome, str):
                conn.execute("UPDATE documents SET status = 'failed', failure = ?, ingest_key = ? WHERE id = ?",
                             (outcome, key, row["id"]))
                results.append(AddResult("failed", row["doc_id"], f"{row['file_name']}: {outcome}", row["file_name"]))
                continue
            conn.execute("UPDATE documents SET status = 'ok', failure = NULL, ingest_key = ?, ingest_note = ?, detected_language = ?"
                         " WHERE id = ?", (key, outcome.note, outcome.language, row["id"]))
            written.append(outcome)
            written_ids.append(row["id"])
            results.append(AddResult("added", row["doc_id"], outcome.summary, row["file_name"]))
        _write_derived(conn, written)
        for row_id in written_ids:
            apply_place_reviews(conn, row_id)  # curators' place corrections and corpus-wide aliases (issue 13)
    return results


_ROW_COLUMNS = "id, doc_id, sha256, file_name, path, title, publisher, published, date_precision, url, licence, notes, status, text"


def _gone(row_id: int, name: str = "") -> AddResult:
    """A document removed or replaced by another process (a replica, a CLI) while this one worked on it."""
    return AddResult("failed", "", f"{name or f'document {row_id}'}: changed or removed by another process meanwhile; "
                                   "its current state is picked up on the next sync", name)


def _current_status(conn: sqlite3.Connection, row_id: int, sha: str) -> str | None:
    """Inside a write transaction: the row's status now, or None if it is gone or no longer holds the bytes
    the pipeline read (the status is read here, not before the pipeline ran: another process may have
    finished the same document meanwhile, and its rows must be replaced, not duplicated)."""
    found = conn.execute("SELECT status FROM documents WHERE id = ? AND sha256 = ?", (row_id, sha)).fetchone()
    return None if found is None else str(found[0])


def _ingest_row(store: Store, row_id: int, pause: Callable[[], None] | None = None) -> AddResult:
    """Run the pipeline on a stored (pending or stale) document and write its derived rows in one transaction
    -- only if the row still holds the same bytes then (another process may have removed or replaced it)."""
    rows = store.query(f"SELECT {_ROW_COLUMNS} FROM documents WHERE id = ?", (row_id,))
    if not rows:
        return _gone(row_id)
    return _store_results(store, [(rows[0], run_pipeline(_job(rows[0]), pause=pause))])[0]


def record_bytes(store: Store, data: bytes, name: str, *, source: str, meta: StoreMeta | None = None,
                 path: Path | None = None, added_by: str | None = None, sig: str | None = None,
                 replace_row: int | None = None) -> AddResult | int:
    """Store one document's bytes as ``pending`` (committed) and return its row id, for :func:`_ingest_row`
    or the bulk ingester; a duplicate or an unusable document is a final result instead."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    sha = hashlib.sha256(data).hexdigest()
    duplicate = find_by_sha(store, sha)
    if duplicate is not None and duplicate["id"] != replace_row:
        return AddResult("duplicate", duplicate["doc_id"], _duplicate_message(duplicate, name), name)
    failure: str | None = None
    text: str | None = None
    try:
        text = decode_document_bytes(data, name)
    except DocumentError as exc:
        failure = str(exc)
    stem = Path(name).stem if name.lower().endswith(".txt") else Path(sanitize_name(name)).stem
    meta = meta or StoreMeta()
    if not meta.title:
        meta = replace(meta, title=(first_line_title(text) if text else "") or stem)
    try:
        row_id = _record(store, existing=replace_row, doc_id=stem, sha=sha, name=name, path=path, n_bytes=len(data),
                         meta=meta, source=source, added_by=_default_user() if added_by is None else added_by,
                         text=text, failure=failure, sig=sig)
    except StoreError as exc:
        raced = find_by_sha(store, sha) if "UNIQUE constraint failed: documents.sha256" in str(exc) else None
        if raced is None:
            raise
        return AddResult("duplicate", raced["doc_id"], _duplicate_message(raced, name), name)  # added meanwhile elsewhere
    if failure is not None:
        doc_id = str(store.scalar("SELECT doc_id FROM documents WHERE id = ?", (row_id,)))
        return AddResult("failed", doc_id, failure, name)
    return row_id


def add_bytes(store: Store, data: bytes, name: str, *, source: str, meta: StoreMeta | None = None,
              path: Path | None = None, added_by: str | None = None, sig: str | None = None,
              replace_row: int | None = None) -> AddResult:
    """Store and ingest one document's bytes. The same bytes twice are recognised, not stored twice.

    Bytes that are not a usable document (binary, not UTF-8, empty, oversize) are
    stored as ``failed`` with the reason; nothing raises for a bad document.
    """
    recorded = record_bytes(store, data, name, source=source, meta=meta, path=path, added_by=added_by, sig=sig,
                            replace_row=replace_row)
    if isinstance(recorded, AddResult):
        return recorded
    result = _ingest_row(store, recorded)
    return replace(result, status="updated") if replace_row is not None and result.status == "added" else result


def read_meta(path: Path, overrides: dict[str, object] | None = None) -> StoreMeta:
    """A file's sidecar metadata (``components.documents.load_meta``), with explicit values on top."""
    meta = StoreMeta.from_document_meta(load_meta(path.with_name(path.stem + META_SUFFIX), fallback_title=""))
    return meta.overridden(**(overrides or {}))


def add_file(store: Store, path: Path, *, source: str = "cli", overrides: dict[str, object] | None = None,
             added_by: str | None = None) -> AddResult:
    """Add a file from disk (its ``.meta.json`` sidecar is read too); a problem is a result, not an exception."""
    path = Path(path)
    try:
        if path.is_dir():
            return AddResult("failed", "", f"{path}: is a directory, not a text file", str(path))
        data = read_document_bytes(path)  # size checked before reading: `add /dev/zero` fails at once
        meta = read_meta(path, overrides)
    except FileNotFoundError:
        return AddResult("failed", "", f"{path}: file not found", str(path))
    except (OSError, DocumentError) as exc:
        return AddResult("failed", "", f"{path}: {str(exc).removeprefix(path.name + ': ')}", str(path))
    return add_bytes(store, data, path.name, source=source, meta=meta, path=path.resolve(), added_by=added_by,
                     sig=file_signature(path))


def _store_and_record(store: Store, data: bytes, original_name: str, folder: Path, meta: StoreMeta | None,
                      added_by: str | None) -> AddResult | int:
    """An upload's file stored in ``folder`` (safe name, never overwriting) and recorded pending (its row id);
    a duplicate is refused before anything is written, a bad upload is refused, not stored."""
    duplicate = find_by_sha(store, hashlib.sha256(data).hexdigest())
    if duplicate is not None:
        return AddResult("duplicate", duplicate["doc_id"], _duplicate_message(duplicate, original_name), original_name)
    try:
        written = store_upload(data, original_name, folder)
    except DocumentError as exc:
        return AddResult("failed", "", str(exc), original_name)
    try:
        return record_bytes(store, data, written.name, source="upload", meta=meta, path=written.resolve(),
                            added_by=added_by, sig=file_signature(written))
    except BaseException:  # not recorded (store full, locked, gone): the file must not become a document later
        written.unlink(missing_ok=True)
        raise


def add_upload(store: Store, data: bytes, original_name: str, folder: Path, meta: StoreMeta | None = None,
               added_by: str | None = None) -> AddResult:
    """An upload stored, recorded and ingested in this call (scripts, tests; the app queues instead)."""
    recorded = _store_and_record(store, data, original_name, folder, meta, added_by)
    return recorded if isinstance(recorded, AddResult) else _ingest_row(store, recorded)


def queue_upload(store: Store, data: bytes, original_name: str, folder: Path, meta: StoreMeta | None = None,
                 added_by: str | None = None) -> AddResult:
    """An upload from the app: stored and recorded ``pending`` -- status ``queued`` with its document id --
    for the ingest worker (:mod:`.queue`); no pipeline runs here. A duplicate or bad upload is a final result."""
    recorded = _store_and_record(store, data, original_name, folder, meta, added_by)
    if isinstance(recorded, AddResult):
        return recorded
    doc_id = str(store.scalar("SELECT doc_id FROM documents WHERE id = ?", (recorded,)))
    return AddResult("queued", doc_id, f"{original_name}: queued for ingestion as {doc_id}", original_name)


# --------------------------------------------------------------------------
# Folders, versions, unfinished work
# --------------------------------------------------------------------------

def _current_key(row: sqlite3.Row, gazetteer: str) -> str:
    return ingest_key(row["sha256"], row["published"], gazetteer)


def sync_folder(store: Store, folder: Path, source: str = "seed", *, workers: int | None = None,
                queued_to_worker: bool = False) -> SyncReport:
    """Make the store match a folder of ``.txt`` (+ ``.meta.json``) files, ingesting only new or changed ones.

    A file whose size and mtime (and its sidecar's) are unchanged is not even
    read. A document whose file has gone from the folder is removed from the store.
    New and changed files are recorded one by one, in folder order, and ingested in bulk
    (:mod:`.bulk`: worker processes when there is enough text, batched writes).
    """
    from .bulk import BulkIngester

    report = SyncReport()
    folder = Path(folder)
    gazetteer = gazetteer_version()
    known: dict[str, sqlite3.Row] = {}
    for stored in store.query("SELECT id, doc_id, sha256, path, file_sig, ingest_key, published, status FROM documents"
                              " WHERE source = ? ORDER BY id", (source,)):
        if stored["path"] in known:  # two processes added one file at once (its bytes changed between): keep the newer
            _remove_if_present(store, known[stored["path"]]["doc_id"])
        known[stored["path"]] = stored
    seen: set[str] = set()
    todo: list[tuple[Path, sqlite3.Row | None, str]] = []
    for path in document_paths(folder):
        resolved = str(path.resolve())
        seen.add(resolved)
        row = known.get(resolved)
        sig = file_signature(path)
        if row is not None and row["file_sig"] == sig and row["status"] != "pending" and (
                row["status"] == "failed" or row["ingest_key"] == _current_key(row, gazetteer)):
            report.results.append(AddResult("unchanged", row["doc_id"], f"{path.name}: unchanged", path.name))
            continue
        if row is not None and row["file_sig"] == sig and row["status"] == "pending" and queued_to_worker:
            report.results.append(AddResult("queued", row["doc_id"], f"{path.name}: queued for the ingest worker", path.name))
            continue
        todo.append((path, row, sig))
    expected = sum(max(0, _stamp(str(path))[0]) for path, _, _ in todo)
    pending: list[tuple[int, int, bool]] = []  # (position in results, row id, replaced)
    with BulkIngester(store, expected_bytes=expected, workers=workers) as ingester:
        for path, row, sig in todo:
            recorded = _sync_one(store, path, source, row, sig)
            if isinstance(recorded, AddResult):
                report.results.append(recorded)
                continue
            pending.append((len(report.results), recorded, row is not None))
            report.results.append(AddResult("pending", "", "", path.name))
            ingester.add(recorded)
        done = ingester.finish()
    for position, row_id, replaced in pending:
        result = done[row_id]
        report.results[position] = replace(result, status="updated") if replaced and result.status == "added" else result
    for resolved, row in known.items():
        gone = resolved not in seen and resolved and Path(resolved).parent == folder.resolve()
        if gone and _remove_if_present(store, row["doc_id"]):
            report.removed.append(row["doc_id"])
    return report


def _remove_if_present(store: Store, doc_id: str) -> bool:
    """Remove a document whose file has gone; False if another process removed it first."""
    try:
        remove_document(store, doc_id, delete_file=False)
        return True
    except StoreError:
        if store.query("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)):
            raise
        return False


def _sync_one(store: Store, path: Path, source: str, row: sqlite3.Row | None, sig: str) -> AddResult | int:
    """Record one new or changed file as pending (its row id), or say why not (a final result)."""
    try:
        data = path.read_bytes()
        meta = read_meta(path)
    except (OSError, DocumentError) as exc:
        return AddResult("failed", row["doc_id"] if row else "", f"{path.name}: {str(exc).removeprefix(path.name + ': ')}", path.name)
    if row is None:
        return record_bytes(store, data, path.name, source=source, meta=meta, path=path.resolve(), added_by="", sig=sig)
    if hashlib.sha256(data).hexdigest() == row["sha256"] and (meta.published.isoformat() if meta.published else None) == row["published"] \
            and row["ingest_key"] == _current_key(row, gazetteer_version()) and row["status"] == "ok":
        with store.transaction() as conn:
            conn.execute("UPDATE documents SET file_sig = ? WHERE id = ?", (sig, row["id"]))
        return AddResult("unchanged", row["doc_id"], f"{path.name}: unchanged", path.name)
    return record_bytes(store, data, path.name, source=source, meta=meta, path=path.resolve(), added_by="", sig=sig,
                        replace_row=row["id"])


def unfinished(store: Store) -> list[str]:
    """Documents whose ingestion was interrupted (recorded as pending, never finished)."""
    return [r["doc_id"] for r in store.query("SELECT doc_id FROM documents WHERE status = 'pending' ORDER BY id")]


def failed(store: Store) -> list[tuple[str, str]]:
    return [(r["doc_id"], r["failure"] or "") for r in store.query(
        "SELECT doc_id, failure FROM documents WHERE status = 'failed' ORDER BY id")]


def _ingest_in_bulk(store: Store, rows: list[sqlite3.Row], workers: int | None) -> None:
    from .bulk import ingest_rows

    ingest_rows(store, [r["id"] for r in rows], expected_bytes=sum(r["n_bytes"] for r in rows), workers=workers)


def resume(store: Store, *, workers: int | None = None, background: bool = False) -> list[str]:
    """Finish every interrupted ingestion; returns their document ids. ``background``: leave them to the
    ingest worker (:mod:`.queue`; the app starts one) -- a server's script run never runs the pipeline
    on a queued upload."""
    rows = store.query("SELECT id, doc_id, n_bytes FROM documents WHERE status = 'pending' ORDER BY id")
    if not background:
        _ingest_in_bulk(store, rows, workers)
    return [r["doc_id"] for r in rows]


def reingest_stale(store: Store, *, workers: int | None = None) -> list[str]:
    """Re-ingest every document whose gazetteer/zones or pipeline version changed since it was ingested."""
    gazetteer = gazetteer_version()
    stale = [r for r in store.query(
        "SELECT id, doc_id, n_bytes, sha256, published, ingest_key FROM documents"
        " WHERE status IN ('ok', 'failed') AND text IS NOT NULL ORDER BY id")
        if r["ingest_key"] != _current_key(r, gazetteer)]
    _ingest_in_bulk(store, stale, workers)
    return [r["doc_id"] for r in stale]


def start_up(store: Store, seeds: Path, uploads: Path | None = None, *, workers: int | None = None,
             background: bool = False) -> SyncReport:
    """What a server does at start: remove the temporary files of interrupted uploads, finish interrupted
    work, re-ingest stale documents, sync the folders. ``background`` (the app): pending documents --
    queued uploads, interrupted work -- are left to the ingest worker, in the folder sync too."""
    if uploads is not None:
        remove_leftovers(uploads)
    resumed = resume(store, workers=workers, background=background)
    reingested = reingest_stale(store, workers=workers)
    report = sync_folder(store, seeds, "seed", workers=workers)
    if uploads is not None:
        extra = sync_folder(store, uploads, "upload", workers=workers, queued_to_worker=background)
        report.results += extra.results
        report.removed += extra.removed
    report.resumed, report.reingested = resumed, reingested
    return report


# --------------------------------------------------------------------------
# Removing
# --------------------------------------------------------------------------

def resolve_document(store: Store, ref: str) -> sqlite3.Row:
    """A document by its id, or by its SHA-256 (or an unambiguous prefix of 8+ hex digits)."""
    ref = ref.strip()
    rows = store.query("SELECT * FROM documents WHERE doc_id = ?", (ref,))
    if not rows and len(ref) >= 8 and all(c in "0123456789abcdef" for c in ref.lower()):
        rows = store.query("SELECT * FROM documents WHERE sha256 LIKE ? LIMIT 2", (ref.lower() + "%",))
        if len(rows) > 1:
            raise StoreError(f"{ref}: more than one document's SHA-256 starts with this; give more digits")
    if not rows:
        raise StoreError(f"{ref}: no such document in the corpus store {store.path}")
    return rows[0]


def remove_document(store: Store, ref: str, *, delete_file: bool = True) -> str:
    """Remove a document and everything derived from it; an upload's file is deleted too.

    Returns a one-line description. Seed and CLI files are never deleted (they are not ours).
    """
    row = resolve_document(store, ref)
    with store.transaction() as conn:
        _delete_derived(conn, row["id"])
        conn.execute("DELETE FROM documents WHERE id = ?", (row["id"],))
    note = ""
    if delete_file and row["source"] == "upload" and row["path"]:
        try:
            Path(row["path"]).unlink()
            note = f"; deleted {row['path']}"
        except FileNotFoundError:
            pass
        except OSError as exc:
            note = f"; could not delete {row['path']}: {exc.strerror}"
    return f"removed {row['doc_id']} ({row['title'] or 'untitled'}){note}"
