"""Documents linked by the pipeline, read from the corpus store in bounded pages: place passages,
zone-linked passages, indexed search (a hit opens the reader)."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from typing import TypeVar

import streamlit as st

from ..citeinfo import date_text
from ..ingest import CandidateFact
from ..panels import format_date
from ..passages import Span, highlight_html, shown_length
from ..store import Store, StoreError
from ..store.queries import (
    MAX_MARKS_SHOWN,
    PassagePage,
    PassageRow,
    mention_spans,
    passage_candidates,
    passage_zones,
    place_passages,
    publishers,
    zone_passages,
)
from ..store.search import SearchFilters, SearchPage, search
from . import selection
from .data import AppData
from .limits import search_wait
from .safe import esc, html_block, markdown_literal, text_message

AUTO_MARK = ' class="atlas-auto"'
SEARCH_KEY = "atlas_search"
SEARCH_ZONE_KEY = "atlas_search_zone"
SEARCH_PUBLISHER_KEY = "atlas_search_publisher"
SEARCH_FROM_KEY = "atlas_search_from"
SEARCH_TO_KEY = "atlas_search_to"
SEARCH_PAGE_KEY = "atlas_search_page"
READER_DOC_KEY = "atlas_reader_doc"
READER_PASSAGE_KEY = "atlas_reader_passage"
READER_TAB = "Read a document"
TAB_KEY = "tab"
PAGE_SIZE = 10
SEARCH_PAGE_SIZE = 20
SHOWN_CHARS = 1_500  # characters of one passage shown in a list (the reader shows all of it)
T = TypeVar("T")


def candidate_text(fact: CandidateFact) -> str:
    if fact.value_type == "date":
        value = format_date(str(fact.value), fact.date_precision)
    elif fact.value_type == "integer":
        value = f"{(fact.qualifier + ' ') if fact.qualifier and fact.qualifier != 'exactly' else ''}{fact.value:,}"
    else:
        value = str(fact.value)
    words = f" (“{fact.relative.words}” resolved against {date_text(fact.relative.anchor, 'day')})" if fact.relative else ""
    return f"{fact.kind}: {value}{words}"


def stored_candidate_text(cand: dict) -> str:
    """A stored candidate fact (``reader_data(...).candidates``) in words."""
    value = cand["value"]
    if cand["value_type"] == "date":
        shown = format_date(str(value), cand["date_precision"] or "day")
    elif cand["value_type"] == "integer" and isinstance(value, int):
        qualifier = cand["qualifier"] or ""
        shown = f"{(qualifier + ' ') if qualifier and qualifier != 'exactly' else ''}{value:,}"
    else:
        shown = str(value)
    relative = (cand.get("citation") or {}).get("relative")
    words = f" (“{relative['words']}” resolved against {date_text(relative['anchor'], 'day')})" if relative else ""
    return f"{cand['kind']}: {shown}{words}"


def extracted_items_html(items: Iterable[tuple[str, str, int, int]]) -> str:
    """(description, quote, start, end) of extracted facts as an 'Extracted, not reviewed' list."""
    lis = "".join(f"<li>{esc(text)} — “{esc(quote)}” <small>characters {start}–{end}</small></li>"
                  for text, quote, start, end in items)
    return f'<div class="atlas-extracted"><small><b>Extracted, not reviewed</b></small><ul>{lis}</ul></div>' if lis else ""


def extracted_facts_html(facts: tuple[CandidateFact, ...]) -> str:
    return extracted_items_html((candidate_text(f), f.quote, f.start, f.end) for f in facts)


def row_html(data: AppData, row: PassageRow, spans: Iterable[tuple[int, int]] = (), extra: str = "",
             note: str | None = None, mark_label: str = "Place named") -> str:
    """A stored passage (document offsets ``row.start``..``row.end``) with its spans marked, escaped;
    ``note`` (default: the zones it is linked to) follows the title. At most ``SHOWN_CHARS`` characters
    and ``MAX_MARKS_SHOWN`` marks are shown (a 1 MB one-line passage is a prefix and a link to the reader):
    O(SHOWN_CHARS + marks), whatever the passage's length."""
    names = {z.id: z.name for z in data.atlas.zones.zones}
    shown = shown_length(row.text, SHOWN_CHARS)
    marks = [Span(a - row.start, b - row.start, (mark_label,)) for a, b in spans if a - row.start < shown][:MAX_MARKS_SHOWN]
    marked = highlight_html(row.text, 0, shown, marks, AUTO_MARK, base=row.start)
    hidden = (row.end - row.start) - shown
    if hidden > 0:
        marked += f' <small class="atlas-more">… {hidden:,} more characters (open the document in the reader)</small>'
    zones = note if note is not None else "linked to: " + (", ".join(names.get(z, z) for z in row.zones) or "no zone")
    cited = " · <b>cited by a curated fact</b>" if row.cited else ""
    date = f" · {esc(date_text(row.published, None))}" if row.published else ""
    return (f'<div class="atlas-linked" data-doc="{esc(row.doc_id)}" data-passage="{row.index}"><small>{esc(row.title)}{date}'
            f' · {esc(zones)}{cited}</small><p class="atlas-passage">{marked}</p>{extra}</div>')


def page_number(key: str) -> int:
    return max(0, int(st.session_state.get(key, 0) or 0))


def _set_page(key: str, page: int) -> None:
    st.session_state[key] = max(0, page)


def page_controls(key: str, page: PassagePage | SearchPage, noun: str = "passages") -> None:
    """'N–M of T' with previous / next buttons; the page number lives in ``st.session_state[key]``."""
    paging_controls(key, page.total, page.offset, page.limit, noun)


def paging_controls(key: str, total: int, offset: int, limit: int, noun: str) -> None:
    if total <= limit and offset == 0:
        return
    first, last = offset + 1, min(offset + limit, total)
    number = offset // limit
    left, mid, right = st.columns([1, 2, 1])
    left.button("← Previous", key=f"{key}-prev", disabled=number == 0, on_click=_set_page, args=(key, number - 1))
    mid.caption(f"{noun} {first:,}–{last:,} of {total:,}")
    right.button("Next →", key=f"{key}-next", disabled=last >= total, on_click=_set_page, args=(key, number + 1))


def store_read(data: AppData, read: Callable[[Store], T], what: str) -> T | None:
    """Run a store read; a store problem is a message, never a traceback."""
    if data.store is None:
        st.caption(f"{what}: the corpus store is not available (see “Some data could not be used”).")
        return None
    try:
        return read(data.store)
    except StoreError as exc:
        text_message("warning", f"{what}: {exc}")
        return None


def show_place_panel(data: AppData) -> None:
    place_id = selection.place()
    if not place_id or data.gazetteer is None:
        return
    place = data.gazetteer.get(place_id)
    name = place.name if place else place_id
    st.subheader(f"Passages mentioning {markdown_literal(name)}")
    st.button("Close", key="atlas_place_close", on_click=selection.clear_place)
    key = f"atlas_place_page_{place_id}"
    found = store_read(data, lambda s: place_passages(s, place_id, limit=PAGE_SIZE, offset=page_number(key) * PAGE_SIZE),
                       "Passages")
    if found is None:
        return
    page, spans = found
    st.caption(page.counts_label)
    for row in page.passages:
        html_block(row_html(data, row, spans.get((row.doc_id, row.index), [])), "atlas-place-hits")
    page_controls(key, page)


def zone_citations(data: AppData, zone_id: str) -> list[tuple[str, int, int]]:
    return [(c.doc, c.start, c.end) for f in data.atlas.facts.facts if f.zone == zone_id for c in f.citations]


def show_zone_linked(data: AppData, zone_id: str) -> None:
    key = f"atlas_zone_page_{zone_id}"
    page = store_read(data, lambda s: zone_passages(s, zone_id, citations=zone_citations(data, zone_id), limit=PAGE_SIZE,
                                                    offset=page_number(key) * PAGE_SIZE), "Linked passages")
    if page is None:
        return
    st.markdown(f"#### All passages linked to this zone ({page.counts_label})")
    st.caption("Linked automatically by place names and zone descriptions: passages holding a curated citation first, "
               "then the newest documents. Extracted figures and dates are not reviewed.")
    marks = store_read(data, lambda s: mention_spans(s, page.passages), "Place names") or {}
    found = store_read(data, lambda s: passage_candidates(s, page.passages), "Extracted facts") or {}
    for row in page.passages:
        at = (row.doc_id, row.index)
        extracted = extracted_items_html((stored_candidate_text(c), c["quote"], c["start"], c["end"]) for c in found.get(at, []))
        html_block(row_html(data, row, marks.get(at, []), extracted), "atlas-zone-linked")
    page_controls(key, page)


# --------------------------------------------------------------------------- search


@st.cache_data(max_entries=64, show_spinner=False)
def search_page(_data: AppData, version: str, query: str, filters: SearchFilters, page: int) -> SearchPage:
    """One page of hits, once per (dataset version, query, filters, page): a map click does not search again."""
    assert _data.store is not None
    return search(_data.store, query, filters, limit=SEARCH_PAGE_SIZE, offset=page * SEARCH_PAGE_SIZE)


def hit_zone(zones: tuple[str, ...], preferred: str | None) -> str | None:
    """The zone a search hit selects: the search's zone filter when the passage is linked to it, else its first zone."""
    if preferred in zones:
        return preferred
    return zones[0] if zones else None


def open_in_reader(doc_id: str, passage: int, zone: str | None = None) -> None:
    """Callback of a hit's button: the reader tab, at that document and passage, and the passage's zone
    selected (panel, map and URL agree); a passage linked to no zone keeps the current selection."""
    st.session_state[READER_DOC_KEY] = doc_id
    st.session_state[READER_PASSAGE_KEY] = passage
    st.session_state[TAB_KEY] = READER_TAB  # the tabs widget, bound to ?tab=, follows
    if zone:
        selection.clear_place()
        selection.select([zone])


def _reset_search_page() -> None:
    st.session_state[SEARCH_PAGE_KEY] = 0


def search_filters(data: AppData) -> SearchFilters:
    names = {z.id: z.name for z in data.atlas.zones.zones}
    known = store_read(data, publishers, "Publishers") or []
    c1, c2, c3, c4 = st.columns(4)
    zone = c1.selectbox("Zone", [None, *names], format_func=lambda z: "any zone" if z is None else names[z],
                        key=SEARCH_ZONE_KEY, persist_state="page", on_change=_reset_search_page)
    publisher = c2.selectbox("Publisher", [None, *known],
                             format_func=lambda p: "any publisher" if p is None else p, key=SEARCH_PUBLISHER_KEY,
                             persist_state="page", on_change=_reset_search_page)
    date_from = c3.date_input("Published from", value=None, min_value=dt.date(1990, 1, 1), key=SEARCH_FROM_KEY,
                              persist_state="page", on_change=_reset_search_page)
    date_to = c4.date_input("Published until", value=None, min_value=dt.date(1990, 1, 1), key=SEARCH_TO_KEY,
                            persist_state="page", on_change=_reset_search_page)
    return SearchFilters(zone=zone, publisher=publisher,
                         date_from=date_from if isinstance(date_from, dt.date) else None,
                         date_to=date_to if isinstance(date_to, dt.date) else None)


def show_search(data: AppData) -> None:
    # persist_state: the search survives switching to another tab and back (closed tabs do not run)
    query = st.text_input("Search all passages", key=SEARCH_KEY, max_chars=200, persist_state="page", on_change=_reset_search_page,
                          help="Case, accents, ayn/hamza marks, hyphens and doubled letters are ignored: 'daraa' finds 'Daraa', "
                               "'Dar'a' and 'Darʿā'; a zone's or a place's other names are searched too.")
    filters = search_filters(data)
    if not query.strip() or data.store is None:
        if data.store is None:
            st.caption("Search needs the corpus store, which is not available (see “Some data could not be used”).")
        return
    wait = search_wait((query, filters, page_number(SEARCH_PAGE_KEY)))
    if wait:
        text_message("warning", f"Too many searches from this page: try again in {math.ceil(wait)} s.")
        return
    try:
        page = search_page(data, data.version, query, filters, page_number(SEARCH_PAGE_KEY))
    except StoreError as exc:
        text_message("warning", f"Search: {exc}")
        return
    if page.message:
        text_message("info", page.message)
    shown = f"results {page.offset + 1:,}–{page.offset + len(page.hits):,} of {page.total:,}" if page.hits else "no results"
    html_block(f'<span class="atlas-search-count">{esc(shown)}</span>', "atlas-search-summary")
    names = {z.id: z.name for z in data.atlas.zones.zones}
    zones = store_read(data, lambda s: {(h.doc_id, h.passage_index): passage_zones(s, h.doc_id, h.passage_index)
                                        for h in page.hits}, "Zones of the results") or {}
    for i, hit in enumerate(page.hits):
        row = PassageRow(doc_id=hit.doc_id, title=hit.title, published=hit.published, index=hit.passage_index,
                         start=hit.start, end=hit.end, text=hit.text)
        html_block(row_html(data, row, hit.spans, note=hit.publisher or "publisher not known", mark_label="Matches the search"),
                   "atlas-search-hits")
        zone = hit_zone(zones.get((hit.doc_id, hit.passage_index), ()), filters.zone)
        selects = f" and selects the {names[zone]} (the zone this passage is linked to)" if zone in names else ""
        st.button("Open in the reader", key=f"open-{page.offset + i}-{hit.doc_id}-{hit.passage_index}",
                  help=f"Opens the document at this passage{selects}.",
                  on_click=open_in_reader, args=(hit.doc_id, hit.passage_index, zone))
    page_controls(SEARCH_PAGE_KEY, page, "results")
