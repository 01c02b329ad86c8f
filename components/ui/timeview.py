"""Timeline of events (Altair), their citations, and where the sources disagree."""
from __future__ import annotations

import altair as alt
import streamlit as st

from ..atlas import Atlas
from ..facts import Citation, Fact
from ..mapbuild import STATUS_STYLE, short_zone_name
from ..panels import MARK_PREFIX, STATUS_LABELS, citation_passage, fact_label, format_value
from ..passages import Span, highlight_html
from ..store import StoreError
from ..store.queries import zone_date_candidates
from ..timeline import Disagreement, Event, disagreements, events, status_periods, stored_extracted_events
from . import selection
from .data import AppData
from .lifepanel import reported_by_html
from .safe import esc, html_block

TIMELINE_KEY = "atlas_timeline"
EVENT_PICK_KEY = "atlas_timeline_event"  # the keyboard's way to an event: a list of every event


MAX_EXTRACTED = 500  # the newest extracted dates shown: the chart stays readable and the page small


def all_events(data: AppData) -> list[Event]:
    """Curated events and the newest unreviewed dates extracted from zone-linked passages (bounded)."""
    extracted: list[Event] = []
    if data.store is not None:
        try:
            extracted = stored_extracted_events(zone_date_candidates(data.store, limit=MAX_EXTRACTED)[1])
        except StoreError:
            extracted = []
    return events(data.atlas) + extracted


def chart_zone_names(atlas: Atlas) -> dict[str, str]:
    """Short zone names for the chart's rows ("Northern Homs"): the full names left the dates a third of a phone."""
    return {z.id: short_zone_name(z.name) for z in atlas.zones.zones}


def event_rows(atlas: Atlas, items: list[Event]) -> list[dict]:
    names = chart_zone_names(atlas)
    rows = []
    for event in items:
        for zone in event.zones:
            rows.append({
                "fact_id": event.fact.id, "zone": names.get(zone, zone), "start": event.start.isoformat(),
                "end": event.end.isoformat(), "event": event.fact.title, "when": format_value(event.fact)
                if event.fact.value_type == "date" else f"reported {event.start:%-d %B %Y}",
                "reviewed": "curated" if event.reviewed else "extracted, not reviewed",
            })
    return rows


def period_rows(atlas: Atlas) -> list[dict]:
    names = chart_zone_names(atlas)
    return [{"zone": names[z.id], "status": STATUS_LABELS.get(s, s), "start": a.isoformat(), "end": b.isoformat()}
            for z in atlas.zones.zones for s, a, b in status_periods(atlas, z.id)]


def timeline_chart(atlas: Atlas, items: list[Event]) -> alt.LayerChart | alt.FacetChart:
    pick = alt.selection_point(name="event", fields=["fact_id"], on="click")
    y = alt.Y("zone:N", title=None, sort=list(chart_zone_names(atlas).values()))  # the zone list's order
    bands = alt.Chart(alt.Data(values=period_rows(atlas))).mark_bar(opacity=0.35, height=18).encode(
        x=alt.X("start:T", title=None), x2="end:T", y=y,
        color=alt.Color("status:N", title="Status", scale=alt.Scale(  # the map's colours (Okabe-Ito)
            domain=[STATUS_LABELS[s] for s in STATUS_STYLE], range=[STATUS_STYLE[s]["color"] for s in STATUS_STYLE])),
        tooltip=["zone:N", "status:N", "start:T", "end:T"],
    )
    ranges = alt.Chart(alt.Data(values=[r for r in event_rows(atlas, items) if r["end"] != r["start"]])).mark_rule(
        strokeWidth=3, color="#222222").encode(x="start:T", x2="end:T", y=y)  # "in May", "early July": drawn as ranges
    points = alt.Chart(alt.Data(values=event_rows(atlas, items))).mark_point(filled=True, size=120).encode(
        x="start:T", y=y, color=alt.value("#222222"),
        shape=alt.Shape("reviewed:N", title="Event", scale=alt.Scale(domain=["curated", "extracted, not reviewed"],
                                                                      range=["diamond", "circle"])),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
        tooltip=["event:N", "when:N", "zone:N", "reviewed:N"],
    ).add_params(pick)
    # legends under the chart: on a phone a legend at the side left the dates a sliver of the width
    return alt.layer(bands, ranges, points).properties(height=220).configure_legend(orient="bottom", columns=2)


def with_date_marker(spec: dict, day: object) -> dict:
    """The cached spec plus a rule at the selected date (a few bytes; the spec itself stays cached)."""
    marker = {"mark": {"type": "rule", "color": "#D55E00", "strokeDash": [4, 2], "strokeWidth": 2},
              "data": {"values": [{"day": str(day)}]}, "encoding": {"x": {"field": "day", "type": "temporal"}}}
    return {**spec, "layer": [*spec.get("layer", []), marker]}


def citation_excerpt_html(atlas: Atlas, fact: Fact, citation: Citation) -> str:
    passage = citation_passage(citation, atlas)
    doc = atlas.corpus.get(citation.doc)
    if passage is None or doc is None:
        return ""
    marked = highlight_html(doc.text, passage.start, passage.end, [Span(citation.start, citation.end, (fact_label(fact),))],
                            title_prefix=MARK_PREFIX)
    return f'<p class="atlas-passage">{marked}</p><small>{esc(doc.title)}, characters {citation.start}–{citation.end}</small>'


def selected_fact_ids(state: object) -> list[str]:
    try:
        return [p["fact_id"] for p in state.selection["event"] if "fact_id" in p]  # type: ignore[attr-defined]
    except (AttributeError, KeyError, TypeError):
        return []


@st.cache_resource(max_entries=4, show_spinner=False)
def timeline_spec(_data: AppData, version: str) -> dict:
    """The chart's Vega-Lite spec, built (and validated by Altair) once per dataset version
    (``_data.version``), not per run."""
    return timeline_chart(_data.atlas, all_events(_data)).to_dict()


def event_label(atlas: Atlas, event: Event) -> str:
    names = {z.id: z.name for z in atlas.zones.zones}
    zones = ", ".join(names.get(z, z) for z in event.zones)
    kind = "" if event.reviewed else " (extracted, not reviewed)"
    return f"{event.start.day} {event.start:%B %Y} — {zones}: {event.fact.title}{kind}"


def events_table_html(atlas: Atlas, items: list[Event]) -> str:
    """Every event as a table row (date, zones, what, curated or extracted): the chart's text alternative."""
    names = {z.id: z.name for z in atlas.zones.zones}
    rows = "".join(
        f"<tr><td>{esc(format_value(e.fact) if e.fact.value_type == 'date' else f'{e.start.day} {e.start:%B %Y}')}</td>"
        f"<td>{esc(', '.join(names.get(z, z) for z in e.zones))}</td><td>{esc(e.fact.title)}</td>"
        f"<td>{'curated' if e.reviewed else 'extracted, not reviewed'}</td></tr>"
        for e in sorted(items, key=lambda e: (e.start, e.fact.id)))
    return (f"<details><summary>The events as a table ({len(items):,})</summary><table><thead><tr><th scope='col'>When</th>"
            "<th scope='col'>Zones</th><th scope='col'>Event</th><th scope='col'>Source</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></details>")


def show_timeline(data: AppData) -> None:
    atlas = data.atlas
    items = all_events(data)
    state = st.vega_lite_chart(with_date_marker(timeline_spec(data, data.version), selection.as_of().isoformat()),
                               on_select="rerun", key=TIMELINE_KEY, width="stretch")
    by_id = {e.fact.id: e for e in sorted(items, key=lambda e: (e.start, e.fact.id))}
    picked = st.selectbox("Read the words of an event", list(by_id), index=None, key=EVENT_PICK_KEY,
                          format_func=lambda fid: event_label(atlas, by_id[fid]),
                          placeholder="Choose an event (or click one on the chart)")
    chosen = selected_fact_ids(state) + ([picked] if picked else [])
    if not chosen:
        st.caption("Click an event (◆ curated, ● extracted and not reviewed) or choose it in the list to read the words it comes from.")
    for fact_id in dict.fromkeys(chosen):
        event = by_id.get(fact_id)
        if event is None:
            continue
        fact = event.fact
        label = "" if event.reviewed else ' <small class="atlas-extracted">extracted, not reviewed</small>'
        parts = [f"<b>{esc(fact.title)}</b>: {esc(format_value(fact))}{label}"]
        parts += [citation_excerpt_html(atlas, fact, c) for c in fact.citations]
        if fact.references:  # a life event: our words, and who reported it
            parts += [f"<p>{esc(fact.note)}</p>", reported_by_html(atlas, fact.references)]
        html_block("".join(parts), "atlas-event")
    html_block(events_table_html(atlas, items), "atlas-events")


def disagreement_html(atlas: Atlas, item: Disagreement) -> str:
    cells = []
    for fact in item.facts:
        for c in fact.citations:
            cells.append(f'<div class="atlas-side">{citation_excerpt_html(atlas, fact, c)}</div>')
        for ref_id in fact.references:
            ref = atlas.references.get(ref_id)
            if ref:
                cells.append(f'<div class="atlas-side"><b>{esc(ref.title)}</b> ({esc(ref.date)}), in our words: '
                             f"{esc(ref.summary)}<br><small>{esc(ref.publisher)}</small></div>")
    grid = "".join(cells)
    return (f'<div class="atlas-disagreement"><b>{esc(item.facts[0].title)}</b><br>{esc(item.summary)}'
            f'<div style="display:grid;grid-template-columns:repeat(auto-fit,minmax(16em,1fr));gap:0.8em">{grid}</div></div>')


def show_disagreements(data: AppData) -> None:
    items = disagreements(data.atlas)
    if not items:
        st.caption("No disagreements between the sources.")
    for item in items:
        html_block(disagreement_html(data.atlas, item), "atlas-disagreements")
