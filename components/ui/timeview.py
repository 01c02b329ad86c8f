"""Timeline of events (Altair), their citations, and where the sources disagree."""
from __future__ import annotations

import datetime as dt

import altair as alt
import streamlit as st

from ..atlas import Atlas
from ..eventgroups import EventGroup, GroupDisagreement, group_events, when_text
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


def all_groups(data: AppData) -> list[EventGroup]:
    """One entry per event: curated events and extracted dates that tell the same thing, grouped."""
    return group_events(all_events(data))


SOURCE_KINDS: dict[str, str] = {  # the chart's legend: how an entry is supported, and its mark
    "curated": "diamond", "curated, also found in documents": "square", "extracted, not reviewed": "circle"}


def source_kind(group: EventGroup) -> str:
    if group.curated:
        return "curated, also found in documents" if group.extracted else "curated"
    return "extracted, not reviewed"


def sources_text(group: EventGroup) -> str:
    count = len(group.members)
    text = "1 source" if count == 1 else f"{count} sources"
    aspects = " and ".join(d.aspect for d in group.disagreements)
    return f"{text}; they disagree on the {aspects}" if aspects else text


# entries only extracted (not reviewed) sit in their own lane below the curated ones, never on top of them (pixels)
LANE_OFFSET: dict[str, int] = {"curated": -5, "extracted": 8}


def chart_zone_names(atlas: Atlas) -> dict[str, str]:
    """Short zone names for the chart's rows ("Northern Homs"): the full names left the dates a third of a phone."""
    return {z.id: short_zone_name(z.name) for z in atlas.zones.zones}


def group_when(group: EventGroup) -> str:
    lead = group.lead
    return format_value(lead.fact) if lead.fact.value_type == "date" else f"reported {lead.start:%-d %B %Y}"


def event_rows(atlas: Atlas, groups: list[EventGroup]) -> list[dict]:
    """One chart row per entry and zone (a grouped event is one mark, never one per source)."""
    names = chart_zone_names(atlas)
    return [{"fact_id": g.id, "zone": names.get(zone, zone), "start": g.start.isoformat(), "end": g.end.isoformat(),
             "event": g.lead.fact.title, "when": group_when(g), "reviewed": source_kind(g), "sources": sources_text(g),
             "dy": LANE_OFFSET["curated" if g.curated else "extracted"]}
            for g in groups for zone in g.zones]


def period_rows(atlas: Atlas) -> list[dict]:
    names = chart_zone_names(atlas)
    return [{"zone": names[z.id], "status": STATUS_LABELS.get(s, s), "start": a.isoformat(), "end": b.isoformat()}
            for z in atlas.zones.zones for s, a, b in status_periods(atlas, z.id)]


def timeline_chart(atlas: Atlas, items: list[EventGroup]) -> alt.LayerChart | alt.FacetChart:
    pick = alt.selection_point(name="event", fields=["fact_id"], on="click")
    y = alt.Y("zone:N", title=None, sort=list(chart_zone_names(atlas).values()))  # the zone list's order
    bands = alt.Chart(alt.Data(values=period_rows(atlas))).mark_bar(opacity=0.35, height=18).encode(
        x=alt.X("start:T", title=None), x2="end:T", y=y,
        color=alt.Color("status:N", title="Status", scale=alt.Scale(  # the map's colours (Okabe-Ito)
            domain=[STATUS_LABELS[s] for s in STATUS_STYLE], range=[STATUS_STYLE[s]["color"] for s in STATUS_STYLE])),
        tooltip=["zone:N", "status:N", "start:T", "end:T"],
    )
    ranges = alt.Chart(alt.Data(values=[r for r in event_rows(atlas, items) if r["end"] != r["start"]])).mark_rule(
        strokeWidth=3, color="#222222").encode(x="start:T", x2="end:T", y=y, yOffset=alt.YOffset("dy:Q", scale=None))  # "in May", "early July": drawn as ranges
    points = alt.Chart(alt.Data(values=event_rows(atlas, items))).mark_point(filled=True, size=120).encode(
        x="start:T", y=y, color=alt.value("#222222"),
        yOffset=alt.YOffset("dy:Q", scale=None),
        shape=alt.Shape("reviewed:N", title="Event", scale=alt.Scale(domain=list(SOURCE_KINDS),
                                                                      range=list(SOURCE_KINDS.values()))),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
        tooltip=["event:N", "when:N", "zone:N", "reviewed:N", "sources:N"],
    ).add_params(pick)
    # legends under the chart: on a phone a legend at the side left the dates a sliver of the width
    # fit-x: the width fits the page, the height is the rows' own (Streamlit's default "fit" squeezed the four
    # rows into what the legend left of the height: every zone drawn on one line, marks on top of each other)
    return alt.layer(bands, ranges, points).properties(
        height=alt.Step(34), autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    ).configure_legend(orient="bottom", columns=2)


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
    return timeline_chart(_data.atlas, all_groups(_data)).to_dict()


def event_label(atlas: Atlas, group: EventGroup) -> str:
    names = {z.id: z.name for z in atlas.zones.zones}
    zones = ", ".join(names.get(z, z) for z in group.zones)
    kind = "" if group.curated else " (extracted, not reviewed)"
    count = f" ({len(group.members)} sources)" if len(group.members) > 1 else ""
    return f"{group.start.day} {group.start:%B %Y} — {zones}: {group.lead.fact.title}{kind}{count}"


def events_table_html(atlas: Atlas, groups: list[EventGroup]) -> str:
    """Every entry as a table row (date, zones, what, its sources): the chart's text alternative."""
    names = {z.id: z.name for z in atlas.zones.zones}
    rows = "".join(
        f"<tr><td>{esc(group_when(g))}</td><td>{esc(', '.join(names.get(z, z) for z in g.zones))}</td>"
        f"<td>{esc(g.lead.fact.title)}</td><td>{esc(source_kind(g))}; {esc(sources_text(g))}</td></tr>"
        for g in groups)
    return (f"<details><summary>The events as a table ({len(groups):,})</summary><table><thead><tr><th scope='col'>When</th>"
            "<th scope='col'>Zones</th><th scope='col'>Event</th><th scope='col'>Sources</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></details>")


def periods_table_html(atlas: Atlas) -> str:
    """Every status band of the chart as a table row (zone, status, from, to): the bands' text alternative."""
    rows = "".join(f"<tr><td>{esc(r['zone'])}</td><td>{esc(r['status'])}</td><td>{esc(day_text(r['start']))}</td>"
                   f"<td>{esc(day_text(r['end']))}</td></tr>" for r in period_rows(atlas))
    return ("<details><summary>The statuses over time as a table</summary><table><thead><tr><th scope='col'>Zone</th>"
            "<th scope='col'>Status</th><th scope='col'>From</th><th scope='col'>To (latest source)</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></details>")


def day_text(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def source_label(atlas: Atlas, event: Event) -> str:
    """Who tells it, for people: the document's title and the cited characters, or the reference's publisher."""
    if event.fact.citations:
        c = event.fact.citations[0]
        doc = atlas.corpus.get(c.doc)
        return f"{doc.title if doc else 'an added document'}, characters {c.start}–{c.end}"
    refs = [atlas.references[r].publisher for r in event.fact.references if r in atlas.references]
    return f"reported by {', '.join(refs)}" if refs else "a curated fact"


def group_disagreement_html(atlas: Atlas, item: GroupDisagreement) -> str:
    told = "; ".join(f"{esc(STATUS_LABELS.get(value, value.replace('-', ' ')))} ({esc(source_label(atlas, e))})" for value, e in item.told)
    what = "date" if item.aspect == "date" else "what changed"
    return f'<p class="atlas-event-disagrees"><b>The sources disagree on the {what}:</b> {told}.</p>'


def source_html(atlas: Atlas, event: Event) -> str:
    """One source of an entry: curated or extracted, the date it gives, each exact citation (the document's own
    characters at its offsets, marked), or the references it was reported by (in our words)."""
    fact = event.fact
    kind = "curated" if event.reviewed else "extracted, not reviewed"
    parts = [f"<b>{esc(fact.title)}</b> — {esc(when_text(event))} <small class='atlas-extracted'>{kind}</small>"]
    for c in fact.citations:
        parts.append(f'<div class="atlas-citation" data-doc="{esc(c.doc)}" data-start="{c.start}" data-end="{c.end}">'
                     f"{citation_excerpt_html(atlas, fact, c)}</div>")
    if fact.references:  # a life event: our words, and who reported it
        parts += [f"<p>{esc(fact.note)}</p>", reported_by_html(atlas, fact.references)]
    return f'<li class="atlas-source" data-kind="{"curated" if event.reviewed else "extracted"}">{"".join(parts)}</li>'


def group_html(atlas: Atlas, group: EventGroup) -> str:
    """One entry: what happened, its sources (every one, each cited), and where they disagree."""
    lead = group.lead.fact
    label = "" if group.curated else ' <small class="atlas-extracted">extracted, not reviewed</small>'
    head = f"<b>{esc(lead.title)}</b>: {esc(group_when(group))}{label} <small>({esc(sources_text(group))})</small>"
    disagree = "".join(group_disagreement_html(atlas, d) for d in group.disagreements)
    items = "".join(source_html(atlas, e) for e in group.members)
    return f"{head}{disagree}<ul class='atlas-sources'>{items}</ul>"


def show_timeline(data: AppData) -> None:
    atlas = data.atlas
    groups = all_groups(data)
    state = st.vega_lite_chart(with_date_marker(timeline_spec(data, data.version), selection.as_of().isoformat()),
                               on_select="rerun", key=TIMELINE_KEY, width="stretch")
    by_id = {g.id: g for g in groups}
    picked = st.selectbox("Read the words of an event", list(by_id), index=None, key=EVENT_PICK_KEY,
                          format_func=lambda gid: event_label(atlas, by_id[gid]),
                          placeholder="Choose an event (or click one on the chart)")
    chosen = selected_fact_ids(state) + ([picked] if picked else [])
    if not chosen:
        st.caption("Click an event (◆ curated, ■ curated and also found in documents, ● extracted and not reviewed) "
                   "or choose it in the list to read every source that tells it.")
    for group_id in dict.fromkeys(chosen):
        group = by_id.get(group_id)
        if group is not None:
            html_block(group_html(atlas, group), "atlas-event")
            st.button(f"Show the map on {group.end:%-d %B %Y}", key=f"atlas_event_day_{group.id}",
                      on_click=selection.set_date, args=(group.end,),  # the last day it can mean: surely past then
                      help="Moves the “As of” date to this event (the orange line on the chart).")
    html_block(events_table_html(atlas, groups), "atlas-events")
    html_block(periods_table_html(atlas), "atlas-periods")


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
