"""The zone panel's view of time: the status on the selected date with its speaker and evidence,
how old the latest evidence is, and the zone's life events ("reported by … (in our words)")."""
from __future__ import annotations

import dataclasses
import datetime as dt

import streamlit as st

from ..atlas import Atlas
from ..facts import Fact
from ..life import LifeEvent
from ..measures import ZoneMeasures, measure_zone
from ..panels import format_date
from ..zonetime import ZoneOnDate
from .data import AppData
from .safe import esc


def day_text(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def reported_by_html(atlas: Atlas, reference_ids: tuple[str, ...]) -> str:
    """'reported by Publisher, “Title” (date) (in our words)' with the link: never a quote."""
    parts = []
    for ref_id in reference_ids:
        ref = atlas.references.get(ref_id)
        if ref is None:
            continue
        link = f' <a href="{esc(ref.url)}" target="_blank" rel="noopener noreferrer">link</a>' if ref.url else ""
        parts.append(f"{esc(ref.publisher)}, “{esc(ref.title)}” ({esc(ref.date)}){link}")
    return f'<small class="atlas-reported">reported by {"; ".join(parts)} (in our words)</small>' if parts else ""


def evidence_kind_html(atlas: Atlas, fact: Fact) -> str:
    if fact.citations:
        doc = atlas.corpus.get(fact.citations[0].doc)
        return f'<small class="atlas-quoted">quoted from {esc(doc.title if doc else fact.citations[0].doc)}</small>'
    return reported_by_html(atlas, fact.references)


def status_header_html(atlas: Atlas, state: ZoneOnDate, speaker: str) -> str:
    day = state.day
    html = f'<span class="atlas-asof">As of {day.day} {day:%B %Y}</span>: <b>{esc(state.label)}</b>'
    if state.status_fact is not None and state.status_since is not None:
        who = f", according to {esc(speaker)}" if speaker else ""
        html += (f" <small>since {day_text(state.status_since)} — from “{esc(state.status_fact.title)}”"
                 f"{who}</small><br>{evidence_kind_html(atlas, state.status_fact)}")
    else:
        html += " <small>— no cited event yet</small>"
    if state.latest is not None:
        age = (day - state.latest.end).days
        html += (f'<br><span class="atlas-evidence-age">latest source: {day_text(state.latest.end)}'
                 f"{f' ({age:,} days before this date)' if age > 0 else ''}</span>")
    if state.ended:
        html += ('<br><b class="atlas-ended">This zone had ended by this date</b>: the map shows its last extent, '
                 "faded with a dotted outline.")
    return html


def life_events_html(atlas: Atlas, events: list[LifeEvent], day: dt.date) -> str:
    """The zone's life events, those known on ``day`` first, later ones marked."""
    rows = []
    ordered = sorted(events, key=lambda e: (e.first_day > day, e.first_day))
    for e in ordered:
        later = ' <small class="atlas-later">later</small>' if e.first_day > day else ""
        who = f" <small>({esc(e.speaker)})</small>" if e.speaker else ""
        rows.append(f'<div class="atlas-life-event" data-event="{esc(e.id)}"><b>{esc(format_date(e.date, e.date_precision))}</b>'
                    f"{later}: {esc(e.title)}{who}<br>{esc(e.summary)}<br>{reported_by_html(atlas, e.references)}</div>")
    return "".join(rows)


@st.cache_resource(max_entries=64, show_spinner=False)
def extent_measures(_data: AppData, version: str, zone_id: str, extent_id: str) -> ZoneMeasures | None:
    """Measurements of one dated extent, once per dataset version (``_data.version``) and extent."""
    zone = _data.atlas.zone(zone_id)
    extent = next((x for x in _data.atlas.life.extents if x.id == extent_id), None)
    base = _data.measures.get(zone_id)
    if zone is None or extent is None or base is None or _data.gazetteer is None:
        return base
    return measure_zone(dataclasses.replace(zone, geometry=extent.geometry), _data.gazetteer, base.claimed_settlements)
