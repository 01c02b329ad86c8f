"""Documents linked by the pipeline: place passages, zone-linked passages, extracted facts, search."""
from __future__ import annotations

import streamlit as st

from ..corpusview import PassageHit, passages_for_place, passages_for_zone, search
from ..ingest import CandidateFact, IngestedPassage
from ..panels import format_date
from ..passages import Span, highlight_html
from . import selection
from .data import AppData
from .safe import esc, html_block, markdown_literal

AUTO_MARK = ' class="atlas-auto"'
SEARCH_KEY = "atlas_search"
SEARCH_ZONES_KEY = "atlas_search_zones"
MAX_HITS = 50


def candidate_text(fact: CandidateFact) -> str:
    if fact.value_type == "date":
        value = format_date(str(fact.value), fact.date_precision)
    elif fact.value_type == "integer":
        value = f"{(fact.qualifier + ' ') if fact.qualifier and fact.qualifier != 'exactly' else ''}{fact.value:,}"
    else:
        value = str(fact.value)
    words = f" (“{fact.relative.words}” resolved against {fact.relative.anchor})" if fact.relative else ""
    return f"{fact.kind}: {value}{words}"


def extracted_facts_html(facts: tuple[CandidateFact, ...]) -> str:
    if not facts:
        return ""
    items = "".join(
        f"<li>{esc(candidate_text(f))} — “{esc(f.quote)}” <small>characters {f.start}–{f.end}</small></li>" for f in facts
    )
    return f'<div class="atlas-extracted"><small><b>Extracted, not reviewed</b></small><ul>{items}</ul></div>'


def passage_block(data: AppData, doc_id: str, passage: IngestedPassage, spans: list[Span], extra: str = "") -> str:
    doc = data.atlas.corpus.get(doc_id)
    if doc is None:  # ingested documents come from the corpus; nothing to show otherwise
        return ""
    names = {z.id: z.name for z in data.atlas.zones.zones}
    marked = highlight_html(doc.text, passage.start, passage.end, spans, AUTO_MARK)
    zones = ", ".join(names.get(z, z) for z in passage.zones) or "no zone"
    return (f'<div class="atlas-linked"><small>{esc(doc.title)} · linked to: {esc(zones)}</small>'
            f'<p class="atlas-passage">{marked}</p>{extra}</div>')


def place_spans(passage: IngestedPassage) -> list[Span]:
    return [Span(p.mention.start, p.mention.end, (p.mention.place.name,)) for p in passage.places]


def show_place_panel(data: AppData) -> None:
    place_id = selection.place()
    if not place_id or data.gazetteer is None:
        return
    place = data.gazetteer.get(place_id)
    name = place.name if place else place_id
    st.subheader(f"Passages mentioning {markdown_literal(name)}")
    st.button("Close", key="atlas_place_close", on_click=selection.clear_place)
    hits: list[PassageHit] = passages_for_place(data.atlas.corpus, data.ingested, place_id)
    for hit in hits:
        html_block(passage_block(data, hit.doc_id, hit.passage, list(hit.spans)), "atlas-place-hits")


def show_zone_linked(data: AppData, zone_id: str) -> None:
    linked = passages_for_zone(data.atlas.corpus, data.ingested, zone_id)
    st.markdown(f"#### All passages linked to this zone ({len(linked)})")
    st.caption("Linked automatically by place names and zone descriptions, from every document, newest first. "
               "Place names are marked; extracted figures and dates are not reviewed.")
    for doc_id, passage in linked:
        html_block(passage_block(data, doc_id, passage, place_spans(passage), extracted_facts_html(passage.facts)), "atlas-zone-linked")


def show_search(data: AppData) -> None:
    names = {z.id: z.name for z in data.atlas.zones.zones}
    # persist_state: the search survives switching to another tab and back (closed tabs do not run)
    query = st.text_input("Search all passages", key=SEARCH_KEY, max_chars=200, persist_state="page",
                          help="Case, accents, ayn/hamza marks, hyphens and doubled letters are ignored: 'daraa' finds 'Daraa', 'Dar'a' and 'Darʿā'.")
    zones = st.multiselect("Only passages linked to", list(names), format_func=names.__getitem__, key=SEARCH_ZONES_KEY,
                           persist_state="page")
    if not query.strip():
        return
    hits = search(data.atlas.corpus, data.ingested, query, set(zones) or None)
    st.caption(f"{len(hits)} passage(s) match" + (f"; showing the first {MAX_HITS}" if len(hits) > MAX_HITS else ""))
    for hit in hits[:MAX_HITS]:
        html_block(passage_block(data, hit.doc_id, hit.passage, list(hit.spans)), "atlas-search-hits")
