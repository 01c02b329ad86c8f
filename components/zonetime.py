"""A zone as it was on a date: its extent, status, since when, and the evidence behind both (no Streamlit).

The one model the map, the zone panel, the exports and the timeline read (:func:`zone_on`), so that
other views (e.g. reviewed facts) can plug into the same record.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shapely.geometry.base import BaseGeometry

from .atlas import Atlas
from .facts import Fact
from .life import ENDED_STATUSES, STATUS_DEFINITIONS, DatedExtent, extent_on
from .timeline import Event, Transition, latest_evidence, status_on, transitions


@dataclass(frozen=True)
class ZoneOnDate:
    zone_id: str
    day: dt.date
    status: str
    status_since: dt.date | None
    status_fact: Fact | None
    extent: DatedExtent | None   # None: the mid-2017 line of zones.geojson (no dated extents)
    geometry: BaseGeometry
    ended: bool                  # the zone no longer existed on ``day`` (its last extent is shown)
    latest: Event | None         # the most recent evidence on or before ``day``

    @property
    def label(self) -> str:
        return STATUS_DEFINITIONS.get(self.status, (self.status, ""))[0]

    def evidence_age_days(self) -> int | None:
        return (self.day - self.latest.end).days if self.latest else None


def zone_on(atlas: Atlas, zone_id: str, day: dt.date, _transitions: list[Transition] | None = None) -> ZoneOnDate | None:
    zone = atlas.zone(zone_id)
    if zone is None:
        return None
    status, transition = status_on(atlas, zone_id, day, _transitions if _transitions is not None else transitions(atlas))
    extent, ended_by_extent = extent_on(atlas.life, zone_id, day)
    return ZoneOnDate(
        zone_id=zone_id, day=day, status=status, status_since=transition.effective if transition else None,
        status_fact=transition.fact if transition else None, extent=extent,
        geometry=extent.geometry if extent is not None else zone.geometry,
        ended=ended_by_extent or status in ENDED_STATUSES, latest=latest_evidence(atlas, zone_id, day),
    )


def zones_on(atlas: Atlas, day: dt.date) -> dict[str, ZoneOnDate]:
    all_transitions = transitions(atlas)
    out = {}
    for zone in atlas.zones.zones:
        state = zone_on(atlas, zone.id, day, all_transitions)
        if state is not None:
            out[zone.id] = state
    return out


def evidence_of(atlas: Atlas, fact: Fact | None) -> dict[str, Any]:
    """A status fact's citations (exact spans) or references (publisher, title, date, URL; in our words)."""
    if fact is None:
        return {}
    out: dict[str, Any] = {"fact": fact.id, "title": fact.title}
    if fact.citations:
        out["citations"] = [c.as_dict() for c in fact.citations]
    refs = [atlas.references[r] for r in fact.references if r in atlas.references]
    if refs:
        out["references"] = [{"id": r.id, "publisher": r.publisher, "title": r.title, "date": r.date, "url": r.url,
                              "in_our_words": fact.note or r.summary} for r in refs]
    return out


def fact_day(fact: Fact) -> dt.date | None:
    """The first day a dated fact can mean (a status: its as_of), or None for undated facts."""
    from .timeline import date_range

    if fact.kind == "status" and fact.as_of:
        span = date_range(fact.as_of, "day")
    elif fact.value_type == "date":
        span = date_range(str(fact.value), fact.date_precision)
    else:
        return None
    return span[0] if span else None


def is_later(fact: Fact, day: dt.date) -> bool:
    """Dated after ``day``: not yet known on it (shown marked "later", after the facts in force)."""
    first = fact_day(fact)
    return first is not None and first > day
