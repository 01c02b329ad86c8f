"""The selected zone's facts, measurements and highlighted source passages."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from ..atlas import Atlas
from ..facts import Fact
from ..panels import PassageView, zone_fact_views, zone_passages
from ..zones import Zone
from ..zonetime import is_later, zone_on
from . import selection
from .corpus import show_zone_linked
from .data import AppData
from .lifepanel import extent_measures, life_events_html, reported_by_html, status_header_html
from .safe import esc, html_block, markdown_literal


def passage_anchor(view: PassageView) -> str:
    return f"passage-{view.passage.doc}-{view.passage.index}"


def show_measures(data: AppData, zone: Zone, extent_id: str | None = None) -> None:
    m = extent_measures(data, data.version, zone.id, extent_id) if extent_id else data.measures.get(zone.id)
    if m is None:
        st.caption("Measurements unavailable (the gazetteer did not load).")
        return
    c1, c2, c3 = st.columns(3)
    c1.metric("Area (geodesic)", f"{m.area_km2:,.0f} km²", help="Area of the boundary as drawn (WGS84 geodesic).")
    claimed = f"claimed {m.claimed_settlements}" if m.claimed_settlements is not None else "no count claimed"
    c2.metric("Gazetteer places inside", f"{m.settlements_inside_count}", help=f"GeoNames places (cities500) inside the boundary; the sources: {claimed}.")
    c3.metric("To Damascus", f"{m.km_to_damascus_edge:,.0f} km",
              help=f"Geodesic distance from Damascus to the zone's edge; to its centroid {m.km_to_damascus_centroid:,.0f} km.")
    st.caption(f"Gazetteer places inside vs claimed: {m.settlements_inside_count} vs {claimed}. "
               "GeoNames lists only places with 500+ people, so the counts measure different things.")


def fact_rows_html(atlas: Atlas, zone_id: str, anchors: dict[tuple[str, int, int], str], day: dt.date | None = None) -> str:
    """The zone's facts, each with its quoted spans; with a ``day``, facts in force then come first and
    facts dated after it are marked "later"."""
    rows = []
    views = zone_fact_views(atlas, zone_id)
    if day is not None:
        views = sorted(views, key=lambda v: is_later(v.fact, day))  # stable: the curated order within each group
    for view in views:
        cites = []
        for c in view.fact.citations:
            doc = atlas.corpus.get(c.doc)
            title = doc.title if doc else c.doc
            anchor = anchors.get((c.doc, c.start, c.end))
            link = f' <a href="#{esc(anchor)}">show passage</a>' if anchor else ""
            cites.append(f'<blockquote class="atlas-quote">“{esc(c.quote)}”<br><small>{esc(title)}, characters {c.start}–{c.end}{link}</small></blockquote>')
        kind = "conflict" if view.fact.kind == "conflict" else "fact"
        later = ' <small class="atlas-later">later</small>' if day is not None and is_later(view.fact, day) else ""
        rows.append(
            f'<div class="atlas-{kind}" data-fact="{esc(view.fact.id)}"><b>{esc(view.label)}</b>: {esc(view.value_text)} '
            f'<small>({esc(view.scope)})</small>{later}{reviewed_note(view.fact)}{"".join(cites)}{reported_by_html(atlas, view.fact.references)}</div>'
        )
    return "".join(rows)


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
    html_block(status_header_html(atlas, state, speaker), "atlas-status")
    show_measures(data, zone, state.extent.id if state.extent else None)
    if state.extent is not None:
        until = f"to {state.extent.valid_to:%-d %b %Y}" if state.extent.valid_to else "open-ended"
        st.caption(f"Extent drawn: from {state.extent.valid_from:%-d %b %Y}, {until} — "
                   f"{state.extent.feature['properties'].get('method', '')}")
    passages = zone_passages(atlas, zone.id)
    anchors = citation_anchors(atlas, passages)
    st.markdown("#### Facts and their sources")
    html_block(fact_rows_html(atlas, zone.id, anchors, day), "atlas-facts")
    life = atlas.life.events_for(zone.id)
    if life:
        st.markdown("#### The zone's life after the memorandum")
        html_block(life_events_html(atlas, life, day), "atlas-life")
    st.markdown("#### Source passages")
    for doc_id, views in passages.items():
        doc = atlas.corpus.get(doc_id)
        st.caption(markdown_literal(doc.title if doc else doc_id))  # a title is document text: no Markdown
        for view in views:
            html_block(f'<p id="{esc(passage_anchor(view))}" class="atlas-passage">{view.html}</p>', "atlas-passages")
            others = [z for z in view.zones if z != zone.id]
            if others:
                names = ", ".join(other.name for z in others if (other := atlas.zone(z)))
                st.button(f"Show every zone this passage supports ({names})",
                          key=f"pz-{zone.id}-{view.passage.doc}-{view.passage.index}",
                          on_click=selection.select, args=([zone.id, *others],))
    show_zone_linked(data, zone.id)
