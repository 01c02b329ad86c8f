"""The selected zone's facts, measurements and highlighted source passages."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from ..atlas import Atlas
from ..facts import Fact
from ..life import DatedExtent
from ..panels import BoundaryQuality, PassageView, boundary_quality, zone_fact_views, zone_passages
from ..zones import Zone
from ..zonetime import is_later, zone_on
from . import selection
from .cards import card_id, citation_card_html, install_card_script
from .corpus import show_zone_linked
from .data import AppData
from .lifepanel import extent_measures, life_events_html, reported_by_html, status_header_html
from .safe import esc, html_block, markdown_literal


def passage_anchor(view: PassageView) -> str:
    return f"passage-{view.passage.doc}-{view.passage.index}"


def show_measures(data: AppData, zone: Zone, extent: DatedExtent | None = None) -> None:
    m = extent_measures(data, data.version, zone.id, extent.id) if extent else data.measures.get(zone.id)
    if m is None:
        st.caption("Measurements unavailable (the gazetteer did not load).")
        return
    quality = boundary_quality(zone.properties, extent.feature["properties"] if extent else None)
    c1, c2, c3 = st.columns(3)
    c1.metric("Area", f"{m.area_km2:,.0f} km²",
              help="Geodesic area (WGS84) of the boundary as drawn; the boundary is approximate (see below).")
    claimed = f"claimed {m.claimed_settlements}" if m.claimed_settlements is not None else "no count claimed"
    c2.metric("Places inside", f"{m.settlements_inside_count}",
              help=f"Gazetteer places (GeoNames cities500) inside the boundary; the sources: {claimed}.")
    c3.metric("To Damascus", f"{m.km_to_damascus_edge:,.0f} km",
              help=f"Geodesic distance from Damascus to the zone's edge; to its centroid {m.km_to_damascus_centroid:,.0f} km.")
    html_block(measure_note_html(quality, m.settlements_inside_count, m.claimed_settlements), "atlas-measure-note")


def measure_note_html(quality: BoundaryQuality, inside: int, claimed: int | None) -> str:
    """Boundary confidence and precision next to the figures, then how the line was drawn."""
    trust = ", ".join(part for part in (f"confidence {quality.confidence}" if quality.confidence else "",
                                        f"precision {quality.precision}" if quality.precision else "") if part)
    counts = (f"Gazetteer places inside: {inside:,}; the sources claim {claimed:,} settlements. " if claimed is not None
              else f"Gazetteer places inside: {inside:,}; the sources claim no count. ")
    return (f"<b>Approximate boundary</b>{' — ' + esc(trust) if trust else ''}. {esc(quality.statement)}<br>"
            f"<small>How it was drawn: {esc(quality.method)}<br>{esc(counts)}GeoNames lists only places with 500 or more "
            "people, so the two counts measure different things.</small>")


def fact_rows_html(atlas: Atlas, zone_id: str, anchors: dict[tuple[str, int, int], str], day: dt.date | None = None) -> str:
    """The zone's facts, each with its citations ("who said so": cards.citation_card_html); with a ``day``,
    facts in force then come first and facts dated after it are marked "later"."""
    rows = []
    views = zone_fact_views(atlas, zone_id)
    if day is not None:
        views = sorted(views, key=lambda v: is_later(v.fact, day))  # stable: the curated order within each group
    for view in views:
        cites = "".join(citation_card_html(atlas, view, c, anchors.get((c.doc, c.start, c.end)), zone_id, day)
                        for c in view.fact.citations)
        kind = "conflict" if view.fact.kind == "conflict" else "fact"
        later = ' <small class="atlas-later">later</small>' if day is not None and is_later(view.fact, day) else ""
        same = view.value_text.casefold().startswith(view.label.casefold())  # "Committee of National Justice (…)"
        head = f"<b>{esc(view.value_text)}</b>" if same else f"<b>{esc(view.label)}</b>: {esc(view.value_text)}"
        rows.append(
            f'<div class="atlas-{kind}" id="{esc(card_id(view.fact))}" data-fact="{esc(view.fact.id)}">{head} '
            f'<small>({esc(view.scope)})</small>{later}{reviewed_note(view.fact)}{cites}{reported_by_html(atlas, view.fact.references)}</div>'
        )
    return "".join(rows)


@st.cache_data(max_entries=256, show_spinner=False)
def cached_fact_rows(_data: AppData, version: str, zone_id: str, day: dt.date) -> str:
    """:func:`fact_rows_html` once per dataset version (``_data.version``), zone and date: a click back to a zone
    does not rebuild its cards."""
    anchors = citation_anchors(_data.atlas, zone_passages(_data.atlas, zone_id))
    return fact_rows_html(_data.atlas, zone_id, anchors, day)


def reviewed_note(fact: Fact) -> str:
    """"reviewed by NAME on DATE" and the pipeline's original reading, for a fact a curator reviewed."""
    if not fact.reviewed_by:
        return ""
    return (f'<br><small class="atlas-reviewed">reviewed by {esc(fact.reviewed_by)} on {esc(fact.reviewed_on)}'
            f" · extracted as: {esc(fact.original)}</small>")


def citation_anchors(atlas: Atlas, passages: dict[str, list[PassageView]]) -> dict[tuple[str, int, int], str]:
    """Map each citation to the anchor of the passage that contains it."""
    anchors: dict[tuple[str, int, int], str] = {}
    for f in atlas.facts.facts:
        for c in f.citations:
            for view in passages.get(c.doc, []):
                if view.passage.overlaps(c.start, c.end):
                    anchors[(c.doc, c.start, c.end)] = passage_anchor(view)
                    break
    return anchors


def show_zone(data: AppData, zone_id: str | None) -> None:
    atlas = data.atlas
    zone = atlas.zone(zone_id) if zone_id else None
    if zone is None:
        st.info("Click a zone on the map, or choose one in the list, to read its facts and the source passages.")
        return
    day = selection.as_of()
    state = zone_on(atlas, zone.id, day)
    assert state is not None
    st.subheader(zone.name)
    speaker = next((e.speaker for e in atlas.life.events if state.status_fact and f"life:{e.id}" == state.status_fact.id), "")
    if not speaker and state.status_fact is not None:  # a curated fact: its first citation's speaker
        speaker = next((c.speaker.label for c in state.status_fact.citations if c.speaker), "")
    html_block(status_header_html(atlas, state, speaker), "atlas-status")
    show_measures(data, zone, state.extent)
    if state.extent is not None:
        until = f"until {state.extent.valid_to:%-d %B %Y}" if state.extent.valid_to else "with no end recorded"
        st.caption(f"The extent drawn for this date: from {state.extent.valid_from:%-d %B %Y}, {until}.")
    passages = zone_passages(atlas, zone.id)
    install_card_script()
    st.markdown("#### Facts and who said so")
    html_block(cached_fact_rows(data, data.version, zone.id, day), "atlas-facts")
    life = atlas.life.events_for(zone.id)
    if life:
        st.markdown("#### The zone's life after the memorandum")
        html_block(life_events_html(atlas, life, day), "atlas-life")
    st.markdown("#### Source passages")
    for doc_id, views in passages.items():
        doc = atlas.corpus.get(doc_id)
        st.caption(markdown_literal(doc.title if doc else doc_id))  # a title is document text: no Markdown
        for view in views:
            others = [other.name for z in view.zones if z != zone.id and (other := atlas.zone(z))]
            also = f'<small class="atlas-also">Also cited for: {esc(", ".join(others))}</small>' if others else ""
            html_block(f'<p id="{esc(passage_anchor(view))}" class="atlas-passage" tabindex="-1">{view.html}</p>{also}',
                       "atlas-passages")
    show_zone_linked(data, zone.id)
