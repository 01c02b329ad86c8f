"""Bounded reads for the panels: every list is paginated or capped, whatever the corpus size."""
from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from .db import Store

MAX_PAGE_SIZE = 100
MAX_PLACES = 500


# A candidate fact nobody has confirmed, corrected or rejected (reviewed ones are facts or gone: components/review.py).
_UNREVIEWED = ("NOT EXISTS (SELECT 1 FROM review_state r WHERE r.kind = 'fact' AND r.state != 'unreviewed'"
               " AND r.doc_id = {doc} AND r.start = c.start AND r.end = c.end AND r.fact_kind = c.kind)")


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), MAX_PAGE_SIZE)), max(0, int(offset))


@dataclass(frozen=True)
class DocumentRow:
    doc_id: str
    title: str
    publisher: str
    author: str
    published: str | None
    date_precision: str
    url: str | None
    language: str
    source: str
    status: str
    failure: str | None
    sha256: str
    n_bytes: int
    added_at: str
    added_by: str
    file_name: str
    path: str | None
    ingest_note: str | None = None  # what the per-document limits dropped at ingestion
    detected_language: str = ""     # from the text at ingestion (components/ingest/language.py)


_DOC_COLUMNS = ("doc_id, title, publisher, author, published, date_precision, url, language, source, status, failure,"
                " sha256, n_bytes, added_at, added_by, file_name, path, ingest_note, detected_language")


def list_documents(store: Store, *, limit: int = 50, offset: int = 0, source: str | None = None) -> tuple[int, list[DocumentRow]]:
    """(total, one page of documents): newest publication first, undated last, failed ones included."""
    limit, offset = _page(limit, offset)
    where, params = ("WHERE source = ?", (source,)) if source else ("", ())
    total = store.count(f"SELECT count(*) FROM documents {where}", params)
    rows = store.query(
        f"SELECT {_DOC_COLUMNS} FROM documents {where} ORDER BY coalesce(published, '') DESC, id DESC LIMIT ? OFFSET ?",
        (*params, limit, offset))
    return total, [DocumentRow(**dict(r)) for r in rows]


def get_meta(store: Store, doc_id: str) -> DocumentRow | None:
    """A document's metadata, without its text."""
    rows = store.query(f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,))
    return DocumentRow(**dict(rows[0])) if rows else None


def get_document(store: Store, doc_id: str) -> tuple[DocumentRow, str | None] | None:
    """A document's metadata and full text (None if it could not be decoded)."""
    rows = store.query(f"SELECT {_DOC_COLUMNS}, text FROM documents WHERE doc_id = ?", (doc_id,))
    if not rows:
        return None
    row = dict(rows[0])
    text = row.pop("text")
    return DocumentRow(**row), text


@dataclass(frozen=True)
class PassageRow:
    """A passage as a panel lists it; ``text`` is its first ``FETCH_CHARS`` characters (``end - start`` may be more)."""

    doc_id: str
    title: str
    published: str | None
    index: int
    start: int
    end: int
    text: str
    zones: tuple[str, ...] = ()
    cited: bool = False


@dataclass(frozen=True)
class PassagePage:
    total: int          # passages
    documents: int      # distinct documents among them
    offset: int
    limit: int
    passages: tuple[PassageRow, ...]

    @property
    def counts_label(self) -> str:
        return f"{self.total:,} passage{'s' * (self.total != 1)} in {self.documents:,} document{'s' * (self.documents != 1)}"


# A listed passage's text is read up to this many characters (a 1 MB one-line passage is not sent whole
# to a panel: components/ui/corpus.py shows a prefix and links to the reader, which reads it in windows).
FETCH_CHARS = 4_000
MAX_MARKS_SHOWN = 200   # place-name marks read per listed passage
MAX_FACTS_SHOWN = 20    # extracted facts read per listed passage
_PASSAGE_SELECT = ("SELECT p.id AS pid, d.doc_id, d.title, d.published, p.idx, p.start, p.end,"
                   f" substr(d.text, p.start + 1, min(p.end - p.start, {FETCH_CHARS})) AS ptext"
                   " FROM passages p JOIN documents d ON d.id = p.doc")


def _passage_rows(store: Store, rows: Iterable, cited: set[int]) -> list[PassageRow]:
    rows = list(rows)
    zones: dict[int, list[str]] = {}
    if rows:
        ids = [r["pid"] for r in rows]
        for z in store.query(f"SELECT passage, zone FROM zone_links WHERE passage IN ({','.join('?' * len(ids))})", tuple(ids)):
            zones.setdefault(z["passage"], []).append(z["zone"])
    return [PassageRow(doc_id=r["doc_id"], title=r["title"], published=r["published"], index=r["idx"], start=r["start"],
                       end=r["end"], text=r["ptext"], zones=tuple(sorted(zones.get(r["pid"], []))), cited=r["pid"] in cited)
            for r in rows]


def cited_passage_ids(store: Store, citations: Iterable[tuple[str, int, int]]) -> list[int]:
    """Passage row ids containing (overlapping) curated citations ``(doc_id, start, end)``, in citation order."""
    out: list[int] = []
    for doc_id, start, end in citations:
        for r in store.query("SELECT p.id FROM passages p JOIN documents d ON d.id = p.doc"
                             " WHERE d.doc_id = ? AND p.start < ? AND ? < p.end ORDER BY p.idx", (doc_id, end, start)):
            if r[0] not in out:
                out.append(r[0])
    return out


def zone_passages(store: Store, zone: str, *, citations: Iterable[tuple[str, int, int]] = (), limit: int = 20,
                  offset: int = 0) -> PassagePage:
    """A zone's linked passages: those holding curated citations first, then newest document first.

    ``citations`` are the zone's curated facts' ``(doc, start, end)``; a cited
    passage is listed first even if the pipeline did not link it to the zone.
    Passage row ids sort newest date first, so the page walks the (zone, passage) key backwards.
    Cost: O(limit + offset) index rows, one query per curated citation, plus the count of the zone's
    links (SQLite counts the ``zone_links`` key range); each row's text is read up to ``FETCH_CHARS``.
    """
    limit, offset = _page(limit, offset)
    cited = cited_passage_ids(store, citations)
    counts = store.query(
        "SELECT count(*), count(DISTINCT doc) FROM zone_links WHERE zone = ?", (zone,))[0]
    extra_cited = [c for c in cited if not store.query("SELECT 1 FROM zone_links WHERE zone = ? AND passage = ?", (zone, c))]
    total, documents = int(counts[0]) + len(extra_cited), int(counts[1])
    if extra_cited:
        documents = store.count(
            "SELECT count(DISTINCT doc) FROM (SELECT doc FROM zone_links WHERE zone = ? UNION ALL"
            f" SELECT doc FROM passages WHERE id IN ({','.join('?' * len(extra_cited))})) AS linked", (zone, *extra_cited))
    rows: list = []
    if offset < len(cited):
        wanted = cited[offset:offset + limit]
        by_id = {r["pid"]: r for r in store.query(f"{_PASSAGE_SELECT} WHERE p.id IN ({','.join('?' * len(wanted))})", tuple(wanted))}
        rows = [by_id[i] for i in wanted if i in by_id]
    remaining = limit - len(rows)
    if remaining > 0:
        exclude = ",".join("?" * len(cited))
        not_cited = f"AND z.passage NOT IN ({exclude})" if cited else ""
        rows += store.query(
            f"SELECT p.id AS pid, d.doc_id, d.title, d.published, p.idx, p.start, p.end,"
            f" substr(d.text, p.start + 1, min(p.end - p.start, {FETCH_CHARS})) AS ptext FROM zone_links z"
            f" JOIN passages p ON p.id = z.passage JOIN documents d ON d.id = z.doc"
            f" WHERE z.zone = ? {not_cited} ORDER BY z.passage DESC LIMIT ? OFFSET ?",
            (zone, *cited, remaining, max(0, offset - len(cited))))
    return PassagePage(total, documents, offset, limit, tuple(_passage_rows(store, rows, set(cited))))


@dataclass(frozen=True)
class PlaceCount:
    place_id: str
    name: str
    lat: float
    lon: float
    zone: str | None
    mentions: int
    documents: int


def place_counts(store: Store, *, limit: int = MAX_PLACES) -> list[PlaceCount]:
    """Settlements mentioned anywhere with their mention counts (one map marker each), most mentioned first.
    Cost: O(limit) rows from the ``place_stats_order`` index, whatever the number of mentions.

    Read from ``place_stats``, which ingestion and removal keep up to date, so the
    cost does not grow with the number of mentions."""
    limit = max(1, min(int(limit), MAX_PLACES))
    rows = store.query(
        "SELECT place_id, place_name, lat, lon, zone, mentions AS n, documents AS docs FROM place_stats"
        " WHERE kind = 'settlement' ORDER BY mentions DESC, place_id LIMIT ?", (limit,))
    return [PlaceCount(r["place_id"], r["place_name"], r["lat"], r["lon"], r["zone"], r["n"], r["docs"]) for r in rows]


def place_passages(store: Store, place_id: str, *, limit: int = 20, offset: int = 0) -> tuple[PassagePage, dict[tuple[str, int], list[tuple[int, int]]]]:
    """Passages mentioning a place (newest document first) and, per (doc, passage index), the mention spans.

    Cost: O(mentions of the place) to count and select the page's passages (index ``mentions_place``),
    then one page of rows (text up to ``FETCH_CHARS``) and at most ``MAX_MARKS_SHOWN`` spans a passage."""
    limit, offset = _page(limit, offset)
    counts = store.query("SELECT count(DISTINCT passage), count(DISTINCT doc) FROM mentions WHERE place_id = ?", (place_id,))[0]
    rows = store.query(
        f"{_PASSAGE_SELECT} WHERE p.id IN (SELECT DISTINCT passage FROM mentions WHERE place_id = ?)"
        " ORDER BY p.id DESC LIMIT ? OFFSET ?", (place_id, limit, offset))
    passages = _passage_rows(store, rows, set())
    spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
    ids = [r["pid"] for r in rows]
    if ids:
        for m in store.query(
                f"SELECT d.doc_id, p.idx, m.start, m.end FROM mentions m JOIN passages p ON p.id = m.passage"
                f" JOIN documents d ON d.id = m.doc WHERE m.place_id = ? AND m.passage IN ({','.join('?' * len(ids))})"
                " ORDER BY m.start LIMIT ?", (place_id, *ids, MAX_MARKS_SHOWN * len(ids))):
            spans.setdefault((m["doc_id"], m["idx"]), []).append((m["start"], m["end"]))
    return PassagePage(int(counts[0]), int(counts[1]), offset, limit, tuple(passages)), spans


@dataclass(frozen=True)
class ReaderData:
    document: DocumentRow
    text: str | None
    passages: tuple[PassageRow, ...]
    mentions: tuple[dict, ...]
    candidates: tuple[dict, ...]


def reader_data(store: Store, doc_id: str) -> ReaderData | None:
    """Everything stored for one document (the CLI and tests; the app's reader reads :func:`reader_window`).

    O(L + P + M) for L characters, P passages and M mentions and facts (bounded by the 2 MB document
    limit and components/ingest/limits.py): passage texts are sliced in Python, not one ``substr``
    per passage (each of which walks the text from its start: quadratic)."""
    found = get_document(store, doc_id)
    if found is None:
        return None
    document, text = found
    zones: dict[int, list[str]] = {}
    for z in store.query("SELECT p.idx, z.zone FROM zone_links z JOIN passages p ON p.id = z.passage"
                         " WHERE z.doc = (SELECT id FROM documents WHERE doc_id = ?)", (doc_id,)):
        zones.setdefault(z[0], []).append(z[1])
    passages = tuple(PassageRow(doc_id=doc_id, title=document.title, published=document.published, index=r["idx"],
                                start=r["start"], end=r["end"], text=(text or "")[r["start"]:r["end"]],
                                zones=tuple(sorted(zones.get(r["idx"], []))))
                     for r in store.query("SELECT p.idx, p.start, p.end FROM passages p JOIN documents d ON d.id = p.doc"
                                          " WHERE d.doc_id = ? ORDER BY p.idx", (doc_id,)))
    mentions = tuple(dict(r) for r in store.query(
        "SELECT p.idx AS passage, m.start, m.end, m.surface, m.place_id, m.place_name, m.kind, m.lat, m.lon, m.zone"
        " FROM mentions m JOIN passages p ON p.id = m.passage JOIN documents d ON d.id = m.doc"
        " WHERE d.doc_id = ? ORDER BY m.start", (doc_id,)))
    candidates = tuple({**dict(r), "value": json.loads(r["value"]), "citation": json.loads(r["citation"])} for r in store.query(
        "SELECT p.idx AS passage, c.kind, c.value, c.value_type, c.qualifier, c.date_precision, c.start, c.end, c.quote,"
        " c.citation FROM candidates c JOIN passages p ON p.id = c.passage JOIN documents d ON d.id = c.doc"
        f" WHERE d.doc_id = ? AND {_UNREVIEWED.format(doc='d.doc_id')} ORDER BY c.start", (doc_id,)))
    return ReaderData(document, text, passages, mentions, candidates)


@dataclass(frozen=True)
class DocumentSummary:
    """What ingestion found in one document, as counts (the uploader's confirmation)."""

    passages: int
    mentions: int
    places: tuple[str, ...]   # distinct place names, alphabetical, at most ``max_places`` + 1
    zones: tuple[str, ...]
    dates: int
    figures: int
    note: str | None          # what the per-document limits dropped


def document_summary(store: Store, doc_id: str, *, max_places: int = 12) -> DocumentSummary | None:
    """Counts of one document's derived rows: O(its rows, capped at ingestion), no text read."""
    found = store.query("SELECT id, ingest_note FROM documents WHERE doc_id = ?", (doc_id,))
    if not found:
        return None
    row_id, note = int(found[0][0]), found[0][1]
    return DocumentSummary(
        passages=store.count("SELECT count(*) FROM passages WHERE doc = ?", (row_id,)),
        mentions=store.count("SELECT count(*) FROM mentions WHERE doc = ?", (row_id,)),
        places=tuple(r[0] for r in store.query("SELECT DISTINCT place_name FROM mentions WHERE doc = ?"
                                               " ORDER BY place_name LIMIT ?", (row_id, max_places + 1))),
        zones=tuple(r[0] for r in store.query("SELECT DISTINCT zone FROM zone_links WHERE doc = ? ORDER BY zone", (row_id,))),
        dates=store.count("SELECT count(*) FROM candidates WHERE doc = ? AND value_type = 'date'", (row_id,)),
        figures=store.count("SELECT count(*) FROM candidates WHERE doc = ? AND value_type != 'date'", (row_id,)),
        note=note)


@dataclass(frozen=True)
class ReaderWindow:
    """One bounded window of a document for the reader: characters ``start``..``end`` of ``length``."""

    document: DocumentRow
    length: int
    start: int
    end: int
    text: str                           # the document's text[start:end]
    passages: tuple[PassageRow, ...]    # stored passages overlapping the window (full offsets, clipped text)
    mentions: tuple[dict, ...]          # place mentions inside the window
    candidates: tuple[dict, ...]        # extracted facts inside the window
    previous: int | None                # where the window before this one starts (None: this is the first)


def passage_start(store: Store, doc_id: str, index: int) -> int | None:
    """Where a stored passage starts (the reader opens a search hit's window there)."""
    rows = store.query("SELECT p.start FROM passages p JOIN documents d ON d.id = p.doc WHERE d.doc_id = ? AND p.idx = ?",
                       (doc_id, int(index)))
    return int(rows[0][0]) if rows else None


def passage_zones(store: Store, doc_id: str, index: int) -> tuple[str, ...]:
    """The zones a stored passage is linked to, sorted (a search hit selects one of them)."""
    rows = store.query("SELECT DISTINCT z.zone FROM zone_links z JOIN passages p ON p.id = z.passage"
                       " JOIN documents d ON d.id = p.doc WHERE d.doc_id = ? AND p.idx = ? ORDER BY z.zone", (doc_id, int(index)))
    return tuple(str(r[0]) for r in rows)


def reader_window(store: Store, doc_id: str, start: int = 0, *, max_chars: int = 20_000,
                  max_passages: int = 60) -> ReaderWindow | None:
    """The window of a document from ``start``: at most ``max_chars`` characters and ``max_passages``
    passages, with the marks and facts inside it.

    Cost: O(W + P + M) for a window of W characters and a document of P stored passages and M stored
    mentions and facts (P and M are capped at ingestion, components/ingest/limits.py); the text is read
    with one ``substr``. Independent of the corpus size."""
    found = store.query("SELECT id, length(text) FROM documents WHERE doc_id = ?", (doc_id,))
    meta = get_meta(store, doc_id)
    if not found or meta is None:
        return None
    row_id, length = int(found[0][0]), int(found[0][1] or 0)
    start = max(0, min(int(start), max(0, length - 1)))
    end = min(length, start + max(1, int(max_chars)))
    rows = store.query("SELECT id AS pid, idx, start, end FROM passages WHERE doc = ? AND end > ? AND start < ?"
                       " ORDER BY idx LIMIT ?", (row_id, start, end, max_passages + 1))
    if len(rows) > max_passages and rows[max_passages]["start"] > start:
        end = min(end, int(rows[max_passages]["start"]))
    rows = [r for r in rows if r["start"] < end]
    text = str(store.scalar("SELECT substr(text, ?, ?) FROM documents WHERE id = ?", (start + 1, end - start, row_id)) or "")
    zones: dict[int, list[str]] = {}
    if rows:
        for z in store.query(f"SELECT passage, zone FROM zone_links WHERE passage IN ({','.join('?' * len(rows))})",
                             tuple(r["pid"] for r in rows)):
            zones.setdefault(z[0], []).append(z[1])
    passages = tuple(PassageRow(doc_id=doc_id, title=meta.title, published=meta.published, index=r["idx"], start=r["start"],
                                end=r["end"], text=text[max(r["start"], start) - start:min(r["end"], end) - start],
                                zones=tuple(sorted(zones.get(r["pid"], [])))) for r in rows)
    mentions = tuple(dict(r) for r in store.query(
        "SELECT p.idx AS passage, m.start, m.end, m.place_name, m.surface, m.place_candidates FROM mentions m"
        " JOIN passages p ON p.id = m.passage WHERE m.doc = ? AND m.start >= ? AND m.end <= ? ORDER BY m.start LIMIT ?",
        (row_id, start, end, max_passages * MAX_MARKS_SHOWN)))
    candidates = tuple({**dict(r), "value": json.loads(r["value"]), "citation": json.loads(r["citation"])} for r in store.query(
        "SELECT p.idx AS passage, c.kind, c.value, c.value_type, c.qualifier, c.date_precision, c.start, c.end, c.quote,"
        " c.citation FROM candidates c JOIN passages p ON p.id = c.passage WHERE c.doc = ? AND c.start >= ? AND c.end <= ?"
        f" AND {_UNREVIEWED.format(doc='?')} ORDER BY c.start LIMIT ?",
        (row_id, start, end, doc_id, max_passages * MAX_FACTS_SHOWN)))
    previous = None
    if start > 0:
        back = store.query("SELECT start FROM passages WHERE doc = ? AND start < ? ORDER BY idx DESC LIMIT ?",
                           (row_id, start, max_passages))
        previous = max([start - max_chars, *(int(r[0]) for r in back[-1:])], default=0)
        previous = max(0, min(previous, start - 1))
    return ReaderWindow(meta, length, start, end, text, passages, mentions, candidates, previous)


@dataclass(frozen=True)
class StoreStatus:
    path: str
    schema_version: int
    documents: int
    ok: int
    failed: int
    pending: int
    passages: int
    mentions: int
    candidates: int
    size_bytes: int


def store_status(store: Store) -> StoreStatus:
    counts = {r["status"]: r["n"] for r in store.query("SELECT status, count(*) AS n FROM documents GROUP BY status")}
    size = store.size_bytes()
    return StoreStatus(
        path=str(store.path), schema_version=store.schema_version(), documents=sum(counts.values()),
        ok=counts.get("ok", 0), failed=counts.get("failed", 0), pending=counts.get("pending", 0),
        passages=store.count("SELECT count(*) FROM passages"),
        mentions=store.count("SELECT count(*) FROM mentions"),
        candidates=store.count("SELECT count(*) FROM candidates"), size_bytes=size,
    )


_revisions: weakref.WeakKeyDictionary[Store, tuple[tuple[int, int], str]] = weakref.WeakKeyDictionary()


def store_revision(store: Store) -> str:
    """A short hash of the stored documents (id, bytes, status, ingestion key, date): it changes when a
    document is added, removed or re-ingested, and equal content gives an equal revision. Pending
    documents (queued for the ingest worker) are left out: nothing is shown of them yet, so recording
    an upload does not make every session reload the dataset -- its ingestion's end does, once.

    Computed again (one scan of the documents table's small columns, no text) only when the file
    changed since: SQLite's ``data_version`` (another connection committed) or this connection's
    ``total_changes`` moved, so asking on every script run costs two cheap calls (PostgreSQL: the next
    transaction id, :meth:`components.store.pg.PgStore.change_stamp`)."""
    with store.lock:
        stamp = store.change_stamp()
        known = _revisions.get(store)
        if known is not None and known[0] == stamp:
            return known[1]
        h = hashlib.sha256(b"store-revision/3")
        for r in store.query("SELECT doc_id, sha256, status, coalesce(ingest_key, ''), coalesce(published, '') FROM documents"
                             " WHERE status != 'pending' ORDER BY sha256"):
            h.update("\n{}|{}|{}|{}|{}".format(*tuple(r)).encode())
        h.update(f"\nreviews {store.count('SELECT coalesce(max(id), 0) FROM reviews')}".encode())  # a review changes what is shown
        revision = h.hexdigest()[:16]
        _revisions[store] = (stamp, revision)
        return revision


def publishers(store: Store, *, limit: int = 200) -> list[str]:
    """Distinct publishers of the stored documents (for a search filter), alphabetical, capped."""
    return [r[0] for r in store.query(
        "SELECT publisher FROM documents WHERE publisher != '' GROUP BY publisher ORDER BY publisher COLLATE NOCASE LIMIT ?",
        (max(1, min(int(limit), 1000)),))]


@dataclass(frozen=True)
class DateCandidate:
    doc_id: str
    value: str
    date_precision: str
    start: int
    end: int
    citation: dict
    zones: tuple[str, ...]


def zone_date_candidates(store: Store, *, limit: int = 500) -> tuple[int, list[DateCandidate]]:
    """(total, newest first up to ``limit``) extracted dates in passages linked to a zone -- unreviewed.

    Cost: the page is O(limit) from the passage order; the total counts every linked date candidate
    (O(candidates in the store), each document's capped at ingestion by components/ingest/limits.py)."""
    limit = max(1, min(int(limit), 5000))
    linked = ("c.value_type = 'date' AND EXISTS (SELECT 1 FROM zone_links z WHERE z.passage = c.passage) AND "
              + _UNREVIEWED.format(doc="(SELECT doc_id FROM documents WHERE id = c.doc)"))
    total = store.count(f"SELECT count(*) FROM candidates c WHERE {linked}")
    rows = store.query(
        "SELECT d.doc_id, c.value, c.date_precision, c.start, c.end, c.citation,"
        " (SELECT group_concat(z.zone) FROM zone_links z WHERE z.passage = c.passage) AS zones"
        f" FROM candidates c JOIN documents d ON d.id = c.doc WHERE {linked} ORDER BY c.passage DESC, c.start LIMIT ?",
        (limit,))
    return total, [DateCandidate(r["doc_id"], str(json.loads(r["value"])), r["date_precision"] or "day", r["start"], r["end"],
                                 json.loads(r["citation"]), tuple(sorted(set((r["zones"] or "").split(",")) - {""})))
                   for r in rows]


def mention_spans(store: Store, rows: Iterable[PassageRow]) -> dict[tuple[str, int], list[tuple[int, int]]]:
    """Per (doc, passage index) of some passages (one page), the place mentions in their shown text
    (document offsets), at most ``MAX_MARKS_SHOWN`` each: O(page × (mentions of a document))."""
    out: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for row in rows:
        out[(row.doc_id, row.index)] = [(m["start"], m["end"]) for m in store.query(
            "SELECT m.start, m.end FROM mentions m WHERE m.doc = (SELECT id FROM documents WHERE doc_id = ?)"
            " AND m.start >= ? AND m.end <= ? ORDER BY m.start LIMIT ?",
            (row.doc_id, row.start, min(row.end, row.start + len(row.text)), MAX_MARKS_SHOWN))]
    return out


def passage_candidates(store: Store, rows: Iterable[PassageRow]) -> dict[tuple[str, int], list[dict]]:
    """Per (doc, passage index) of some passages (one page), the extracted candidate facts in them (at most
    ``MAX_FACTS_SHOWN`` each)."""
    out: dict[tuple[str, int], list[dict]] = {}
    for row in rows:
        out[(row.doc_id, row.index)] = [
            {**dict(r), "value": json.loads(r["value"]), "citation": json.loads(r["citation"])} for r in store.query(
                "SELECT c.kind, c.value, c.value_type, c.qualifier, c.date_precision, c.start, c.end, c.quote, c.citation"
                " FROM candidates c WHERE c.doc = (SELECT id FROM documents WHERE doc_id = ?) AND c.start >= ? AND c.end <= ?"
                f" AND {_UNREVIEWED.format(doc='?')} ORDER BY c.start LIMIT ?",
                (row.doc_id, row.start, row.end, row.doc_id, MAX_FACTS_SHOWN))]
    return out
