"""Indexed search: FTS5 (trigram tokenizer: substring matching) over search-folded passage text.

The query is folded like the passages (:mod:`.folding`), so case, diacritics and
ayn/hamza marks do not matter. When the whole query names a gazetteer place
("Daraa") or a zone ("Idleb"), the place's and zone's other names are searched
too, as whole words ("Dar'a", "Deraa", "Idlib"), so a spelling variant finds
the same passages. Hits are mapped back to exact document offsets for highlighting.
Queries shorter than 3 folded characters cannot use the trigram index; they
scan the folded column (LIKE) -- correct, bounded by the page size, slower.
On PostgreSQL (``ATLAS_DATABASE_URL``) the same matches come from its own indexes:
pg_trgm for substrings, a ``tsvector`` word index for whole-word variants.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from components.gazetteer import default_gazetteer, fold
from components.paths import ZONES_FILE, data_root
from components.version import cached_by_content
from components.zones import load_zones

from .db import Store
from .folding import find_in_folded, fold_with_offsets, search_fold
from .migrations import PG_LONG_PASSAGE
from .queries import FETCH_CHARS

MAX_QUERY_LENGTH = 200
MAX_PAGE_SIZE = 100
MAX_VARIANTS = 24
MAX_VARIANT_PLACES = 3


@dataclass(frozen=True)
class SearchFilters:
    zone: str | None = None
    publisher: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class SearchHit:
    doc_id: str
    title: str
    publisher: str
    published: str | None
    passage_index: int
    start: int
    end: int
    text: str                               # the passage's original text: document text[start:end], its first FETCH_CHARS
    spans: tuple[tuple[int, int], ...]      # matches, in document offsets


@dataclass(frozen=True)
class SearchPage:
    query: str
    terms: tuple[str, ...]                  # folded terms searched (variants padded with spaces: whole words)
    total: int
    offset: int
    limit: int
    hits: tuple[SearchHit, ...]
    message: str = ""


def _zone_names() -> dict[str, tuple[str, ...]]:
    """Zone id -> every name and alias of the zone, folded for search (the configured dataset's zones)."""
    return _zone_names_in(data_root() / "geodata" / ZONES_FILE.name)


@cached_by_content()
def _zone_names_in(path: Path) -> dict[str, tuple[str, ...]]:
    zones = load_zones(path).zones
    return {z.id: tuple(dict.fromkeys(search_fold(n) for n in [z.name, *z.aliases] if search_fold(n))) for z in zones}


def variants(query: str) -> list[str]:
    """Other spellings of the query when it names a place or a zone, as whole-word terms ``" name "``."""
    folded = search_fold(query)
    out: list[str] = []
    places = default_gazetteer().lookup(query)[:MAX_VARIANT_PLACES]
    for place in places:
        out += [search_fold(n) for n in place.names]
    if not places:  # a zone's name or alias that is not a place ("Idlib zone", "East Ghouta")
        for names in _zone_names().values():
            if folded in names or fold(query) in {fold(n) for n in names}:
                out += list(names)
    clean = [v for v in dict.fromkeys(out) if len(v) >= 3 and v != folded and all(c.isascii() for c in v)]
    return [f" {v} " for v in clean[:MAX_VARIANTS]]


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _pg_condition(terms: tuple[str, ...], params: dict[str, object]) -> str:
    """PostgreSQL: the folded text holds one of the terms, as FTS5's trigrams match it, through its indexes --
    a substring term by the pg_trgm index (``LIKE``); the whole-word variants (`` name ``) all at once by the
    word index (one ``tsvector`` query, phrases joined by OR), each match then confirmed by its ``LIKE``;
    passages too long for the word index by their own small index and the ``LIKE`` alone."""
    substrings, words = [], []
    for i, term in enumerate(terms):
        params[f"t{i}"] = _like(term)
        if term.startswith(" ") and term.endswith(" ") and term.strip():
            params[f"w{i}"] = term.strip()
            words.append(i)
        else:
            substrings.append(f"p.folded LIKE :t{i}")
    if words:
        query = " || ".join(f"phraseto_tsquery('simple', :w{i})" for i in words)
        like = "(" + " OR ".join(f"p.folded LIKE :t{i}" for i in words) + ")"
        substrings += [f"p.folded_words @@ ({query}) AND {like}",
                       f"length(p.folded) > {PG_LONG_PASSAGE} AND {like}"]
    return "(" + " OR ".join(substrings) + ")"


def _filter_sql(filters: SearchFilters) -> tuple[str, dict[str, object]]:
    """Conditions on ``p`` (passages); only passages of documents ingested ok exist, so no status test."""
    clauses: list[str] = []
    params: dict[str, object] = {}
    if filters.zone:
        clauses.append("EXISTS (SELECT 1 FROM zone_links z WHERE z.zone = :zone AND z.passage = p.id)")
        params["zone"] = filters.zone
    if filters.publisher:
        clauses.append("p.doc IN (SELECT id FROM documents WHERE publisher = :publisher COLLATE NOCASE)")
        params["publisher"] = filters.publisher
    if filters.date_from:
        clauses.append("p.published_sort >= :date_from")
        params["date_from"] = filters.date_from.isoformat()
    if filters.date_to:
        clauses.append("p.published_sort <= :date_to AND p.published_sort != ''")
        params["date_to"] = filters.date_to.isoformat()
    return " AND ".join(clauses), params


def search(store: Store, query: str, filters: SearchFilters = SearchFilters(), *, limit: int = 20, offset: int = 0) -> SearchPage:
    """One page of passages matching ``query`` (newest document first), with the total count.

    The index drives the query: passage row ids sort like the results
    (:func:`components.store.ingest.passage_row_id`), so a page streams from
    FTS5 in rowid order with no sort of all matches, and only the page's
    documents are read. Per page: O(limit × FETCH_CHARS) to read and mark the hits (a hit's text is
    read up to FETCH_CHARS), plus FTS5's count of the matches.
    """
    query = query.strip()[:MAX_QUERY_LENGTH]
    folded = search_fold(query)
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    offset = max(0, int(offset))
    if not folded:
        return SearchPage(query, (), 0, offset, limit, (), "type a word to search")
    terms = (folded, *variants(query))
    where, params = _filter_sql(filters)
    if store.dialect == "postgresql":
        source = f"passages p WHERE {_pg_condition(terms, params)}"
        total = store.count(f"SELECT count(*) FROM {source}{' AND ' + where if where else ''}", params)
    elif min(len(t) for t in terms) >= 3:
        params["match"] = " OR ".join(_fts_string(t) for t in terms)
        source = "passages_fts f JOIN passages p ON p.id = f.rowid WHERE passages_fts MATCH :match"
        if where:
            total = store.count(f"SELECT count(*) FROM {source} AND {where}", params)
        else:
            total = store.count("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH :match", params)
    else:  # too short for trigrams: scan the folded column
        source = "passages p WHERE (" + " OR ".join(f"instr(p.folded, :t{i}) > 0" for i in range(len(terms))) + ")"
        params.update({f"t{i}": t for i, t in enumerate(terms)})
        total = store.count(f"SELECT count(*) FROM {source}{' AND ' + where if where else ''}", params)
    condition = f" AND {where}" if where else ""
    order = "f.rowid DESC" if source.startswith("passages_fts") else "p.id DESC"
    rows = store.query(
        "SELECT d.doc_id, d.title, d.publisher, d.published, q.idx, q.start, q.end,"
        f" substr(d.text, q.start + 1, min(q.end - q.start, {FETCH_CHARS})) AS ptext"
        f" FROM (SELECT p.id, p.doc, p.idx, p.start, p.end FROM {source}{condition}"
        f"       ORDER BY {order} LIMIT :limit OFFSET :offset) AS q"
        " JOIN documents d ON d.id = q.doc ORDER BY q.id DESC",
        {**params, "limit": limit, "offset": offset},
    )
    hits = tuple(
        SearchHit(doc_id=r["doc_id"], title=r["title"], publisher=r["publisher"], published=r["published"],
                  passage_index=r["idx"], start=r["start"], end=r["end"], text=r["ptext"],
                  spans=tuple(match_spans(r["ptext"], r["start"], terms)))
        for r in rows
    )
    return SearchPage(query, terms, total, offset, limit, hits)


def match_spans(passage_text: str, start: int, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the terms occur in a passage, as sorted, non-overlapping document offsets.
    O(L × terms + h log h) for L characters and h hits (the fold is one pass)."""
    folded, starts, ends = fold_with_offsets(passage_text, start)
    spans = sorted({s for t in terms for s in find_in_folded(folded, starts, ends, t)})
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
