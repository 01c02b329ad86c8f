"""The selected zone's facts, measurements and highlighted source passages."""
from __future__ import annotations

import streamlit as st

from ..atlas import Atlas
from ..facts import Fact
from ..panels import STATUS_LABELS, PassageView, zone_fact_views, zone_passages
from ..timeline import status_on
from ..zones import Zone
from . import selection
from .corpus import show_zone_linked
from .data import AppData
from .safe import esc, html_block, markdown_literal


def passage_anchor(view: PassageView) -> str:
    return f"passage-{view.passage.doc}-{view.passage.index}"


def show_measures(data: AppData, zone: Zone) -> None:
    m = data.measures.get(zone.id)
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


def fact_rows_html(atlas: Atlas, zone_id: str, anchors: dict[tuple[str, int, int], str]) -> str:
    rows = []
    for view in zone_fact_views(atlas, zone_id):
        cites = []
        for c in view.fact.citations:
            doc = atlas.corpus.get(c.doc)
            title = doc.title if doc else c.doc
            anchor = anchors.get((c.doc, c.start, c.end))
            link = f' <a href="#{esc(anchor)}">show passage</a>' if anchor else ""
            cites.append(f'<blockquote class="atlas-quote">“{esc(c.quote)}”<br><small>{esc(title)}, characters {c.start}–{c.end}{link}</small></blockquote>')
        kind = "conflict" if view.fact.kind == "conflict" else "fact"
        rows.append(
            f'<div class="atlas-{kind}" data-fact="{esc(view.fact.id)}"><b>{esc(view.label)}</b>: {esc(view.value_text)} '
            f'<small>({esc(view.scope)})</small>{reviewed_note(view.fact)}{"".join(cites)}</div>'
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
    status, transition = status_on(atlas, zone.id, day)
    st.subheader(zone.name)
    basis = f" — from “{esc(transition.fact.title)}” ({esc(transition.fact.id)})" if transition else " — no cited event yet"
    html_block(f'<span class="atlas-asof">As of {day.day} {day:%B %Y}</span>: <b>{esc(STATUS_LABELS.get(status, status))}</b>'
               f"<small>{basis}</small>", "atlas-status")
    show_measures(data, zone)
    passages = zone_passages(atlas, zone.id)
    anchors = citation_anchors(atlas, passages)
    st.markdown("#### Facts and their sources")
    html_block(fact_rows_html(atlas, zone.id, anchors), "atlas-facts")
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
