"""The zones' life after the memorandum: dated events cited to external references
(``geodata/zone_life.json``) and dated extents (``geodata/zone_extents.geojson``, built by
``scripts/build_zones.py`` from ``zone_curation.json``). No Streamlit here.

Statuses, their definitions and the allowed transitions are documented in README,
"Time and disagreement"; :data:`STATUS_DEFINITIONS` is the one list the README follows.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .facts import Fact
from .jsonload import load_checked
from .problems import Problem
from .references import Reference

LIFE_SCHEMA = "zone_life.schema.json"
EXTENTS_SCHEMA = "zone_extents.schema.json"
LIFE_START = dt.date(2017, 5, 4)  # the memorandum
PRECISIONS: tuple[str, ...] = ("day", "month", "early-month")

STATUS_DEFINITIONS: dict[str, tuple[str, str]] = {
    "not-declared": ("Not yet agreed", "before the memorandum of 4 May 2017"),
    "declared": ("Declared in the memorandum", "named in the memorandum; lines and monitors not yet agreed"),
    "under-consultation": ("Under consultation", "the guarantors were still negotiating the zone (Idlib, summer 2017)"),
    "borders-agreed": ("Borders agreed", "the guarantors agreed where the zone's borders run"),
    "agreement-reached": ("Agreement on the zone reached", "a separate agreement on the zone's operation was announced"),
    "ceasefire-in-force": ("Ceasefire in force", "a ceasefire covering the zone took effect (the south, 9 July 2017)"),
    "operating": ("Operating", "a party reports the zone's regime as working"),
    "under-offensive": ("Under offensive", "government forces are attacking the zone and taking ground"),
    "evacuation-agreed": ("Ended by evacuation agreement", "the defenders agreed to hand the area over and leave; evacuation under way"),
    "demilitarised-zone-agreed": ("Demilitarised zone agreed", "a demilitarised strip along the line of contact was agreed (Sochi, 17 Sep 2018)"),
    "ceasefire-protocol": ("Ceasefire protocol", "a protocol froze the line of contact (Moscow, 5 March 2020)"),
    "retaken": ("Retaken (zone ended)", "the government holds the whole zone; the zone no longer exists"),
    "framework-ended": ("Framework ended", "the de-escalation framework lapsed (December 2024); the zone no longer exists"),
}
ENDED_STATUSES: frozenset[str] = frozenset({"retaken", "framework-ended"})
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    "not-declared": frozenset({"declared"}),
    "declared": frozenset({"under-consultation", "borders-agreed", "agreement-reached", "ceasefire-in-force", "operating", "under-offensive"}),
    "under-consultation": frozenset({"borders-agreed", "agreement-reached", "operating", "under-offensive"}),
    "borders-agreed": frozenset({"agreement-reached", "operating", "under-offensive", "demilitarised-zone-agreed"}),
    "agreement-reached": frozenset({"borders-agreed", "operating", "under-offensive", "evacuation-agreed"}),
    "ceasefire-in-force": frozenset({"agreement-reached", "operating", "under-offensive"}),
    "operating": frozenset({"borders-agreed", "agreement-reached", "under-offensive", "evacuation-agreed", "demilitarised-zone-agreed"}),
    "under-offensive": frozenset({"evacuation-agreed", "retaken", "demilitarised-zone-agreed", "ceasefire-protocol"}),
    "evacuation-agreed": frozenset({"retaken", "under-offensive"}),
    "demilitarised-zone-agreed": frozenset({"under-offensive", "ceasefire-protocol"}),
    "ceasefire-protocol": frozenset({"under-offensive", "framework-ended"}),
    "retaken": frozenset(),
    "framework-ended": frozenset(),
}


@dataclass(frozen=True)
class LifeEvent:
    """A dated event of one zone, told in our words after external references."""

    id: str
    zone: str
    date: str
    date_precision: str
    title: str
    summary: str
    references: tuple[str, ...]
    status: str | None = None
    speaker: str = ""
    contradicts: tuple[str, ...] = ()  # ids of life events or facts (facts.json) that tell it otherwise (side by side)

    @property
    def first_day(self) -> dt.date:
        return day_range(self.date, self.date_precision)[0]  # type: ignore[index]

    @property
    def last_day(self) -> dt.date:
        return day_range(self.date, self.date_precision)[1]  # type: ignore[index]

    def as_fact(self) -> Fact:
        """The event as a fact with no citation and its references (shown as "reported by … (in our words)")."""
        if self.status:
            return Fact(id=f"life:{self.id}", zone=self.zone, kind="status", title=self.title, value_type="enum",
                        value=self.status, citations=(), references=self.references, note=self.summary,
                        as_of=self.last_day.isoformat())
        return Fact(id=f"life:{self.id}", zone=self.zone, kind="event", title=self.title, value_type="date",
                    value=self.date, date_precision=self.date_precision, citations=(), references=self.references,
                    note=self.summary, event="statement")


@dataclass(frozen=True)
class DatedExtent:
    """One zone's extent over ``valid_from``..``valid_to`` (None: open); ``ended_on`` on the last one of an ended zone."""

    id: str
    zone: str
    valid_from: dt.date
    valid_to: dt.date | None
    geometry: BaseGeometry
    feature: dict[str, Any]
    ended_on: dt.date | None = None

    @property
    def area_km2(self) -> float:
        return float(self.feature["properties"].get("area_km2", 0.0))

    @property
    def sources(self) -> list[str]:
        return list(self.feature["properties"].get("sources", []))

    def holds_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass
class ZoneLife:
    events: list[LifeEvent] = field(default_factory=list)
    extents: list[DatedExtent] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def events_for(self, zone_id: str) -> list[LifeEvent]:
        return [e for e in self.events if e.zone == zone_id]

    def extents_for(self, zone_id: str) -> list[DatedExtent]:
        return sorted((x for x in self.extents if x.zone == zone_id), key=lambda x: x.valid_from)


def day_range(value: str, precision: str) -> tuple[dt.date, dt.date] | None:
    """(first, last) day a value of a precision can mean; None when the precision contradicts the value."""
    import calendar

    try:
        if precision == "day" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = dt.date.fromisoformat(value)
            return day, day
        if precision in ("month", "early-month") and re.fullmatch(r"\d{4}-\d{2}", value):
            first = dt.date.fromisoformat(value + "-01")
            last = first.replace(day=10) if precision == "early-month" else first.replace(
                day=calendar.monthrange(first.year, first.month)[1])
            return first, last
    except ValueError:
        return None
    return None


def extent_on(life: ZoneLife, zone_id: str, day: dt.date) -> tuple[DatedExtent | None, bool]:
    """The zone's extent valid on ``day`` and whether the zone had ended by then (then: its last extent).

    ``(None, False)`` before the first extent (before the memorandum) or when the zone has no extents.
    """
    extents = life.extents_for(zone_id)
    for extent in extents:
        if extent.holds_on(day):
            return extent, False
    last = extents[-1] if extents else None
    if last is not None and last.ended_on is not None and day >= last.ended_on:
        return last, True
    return None, False


def zone_end(life: ZoneLife, zone_id: str) -> dt.date | None:
    """The day the zone ended (its last extent's ``ended_on``), if it did."""
    extents = life.extents_for(zone_id)
    return extents[-1].ended_on if extents else None


def parse_events(raw: dict[str, Any], file: str, zone_ids: tuple[str, ...], references: dict[str, Reference],
                 fact_ids: frozenset[str] = frozenset()) -> tuple[list[LifeEvent], list[Problem]]:
    events: list[LifeEvent] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(raw.get("events", [])):
        eid = str(item.get("id", index))
        where = f"event {eid!r}"
        bad = []
        if eid in seen:
            bad.append("duplicate event id")
        if item.get("zone") not in zone_ids:
            bad.append(f"unknown zone {item.get('zone')!r}")
        if day_range(str(item.get("date", "")), str(item.get("date_precision", ""))) is None:
            bad.append(f"date precision {item.get('date_precision')!r} contradicts its value {item.get('date')!r}"
                       " (day: YYYY-MM-DD; month, early-month: YYYY-MM)")
        status = item.get("status")
        if status is not None and status not in STATUS_DEFINITIONS:
            bad.append(f"unknown status {status!r}")
        refs = tuple(item.get("references", []))
        bad += [f"unknown reference {r!r}" for r in refs if r not in references]
        if not refs:
            bad.append("no reference: every event cites at least one")
        problems += [Problem(file, where, msg) for msg in bad]
        seen.add(eid)
        if bad:
            continue
        events.append(LifeEvent(id=eid, zone=item["zone"], date=item["date"], date_precision=item["date_precision"],
                                title=item["title"], summary=item["summary"], references=refs, status=status,
                                speaker=str(item.get("speaker", "")), contradicts=tuple(item.get("contradicts", []))))
    known = {e.id for e in events} | fact_ids
    for e in events:
        problems += [Problem(file, f"event {e.id!r}", f"contradicts unknown event or fact {c!r}")
                     for c in e.contradicts if c not in known]
    return sorted(events, key=lambda e: (e.first_day, e.id)), problems


def parse_extents(raw: dict[str, Any], file: str, zone_ids: tuple[str, ...]) -> tuple[list[DatedExtent], list[Problem]]:
    extents: list[DatedExtent] = []
    problems: list[Problem] = []
    for index, feature in enumerate(raw.get("features", [])):
        props = feature.get("properties", {})
        where = f"extent {feature.get('id', index)!r}"
        try:
            valid_from = dt.date.fromisoformat(props["valid_from"])
            valid_to = dt.date.fromisoformat(props["valid_to"]) if props.get("valid_to") else None
            ended_on = dt.date.fromisoformat(props["ended_on"]) if props.get("ended_on") else None
            geom = shape(feature["geometry"])
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            problems.append(Problem(file, where, f"unreadable extent: {exc}"))
            continue
        if props.get("zone") not in zone_ids:
            problems.append(Problem(file, where, f"unknown zone {props.get('zone')!r}"))
            continue
        if not geom.is_valid:
            problems.append(Problem(file, where, "invalid geometry"))
            continue
        if valid_to is not None and valid_to < valid_from:
            problems.append(Problem(file, where, f"valid_to {valid_to} is before valid_from {valid_from}"))
            continue
        extents.append(DatedExtent(id=str(feature.get("id", index)), zone=props["zone"], valid_from=valid_from,
                                   valid_to=valid_to, geometry=geom, feature=feature, ended_on=ended_on))
    return extents, problems + extent_overlap_problems(extents, file)


def extent_overlap_problems(extents: list[DatedExtent], file: str) -> list[Problem]:
    """Two extents of different zones that share a day and overlap in space."""
    problems: list[Problem] = []
    for i, a in enumerate(extents):
        for b in extents[i + 1:]:
            if a.zone == b.zone:
                continue
            far = dt.date.max
            if a.valid_from <= (b.valid_to or far) and b.valid_from <= (a.valid_to or far) \
                    and a.geometry.intersection(b.geometry).area > 1e-9:
                shared = max(a.valid_from, b.valid_from)
                problems.append(Problem(file, f"extent {a.id!r}", f"overlaps extent {b.id!r} of zone {b.zone!r} on {shared}"))
    return problems


def reference_problems(references: dict[str, Reference], file: str) -> list[Problem]:
    """A reference without a URL or a date cannot be checked by a reader."""
    problems: list[Problem] = []
    for ref in references.values():
        if not (ref.url or "").strip():
            problems.append(Problem(file, f"reference {ref.id!r}", "no URL"))
        if not re.fullmatch(r"\d{4}(-\d{2}){0,2}", ref.date.strip()):
            problems.append(Problem(file, f"reference {ref.id!r}", f"no date, or not ISO (got {ref.date!r})"))
    return problems


def life_span_problems(life: ZoneLife, file: str) -> list[Problem]:
    """Events dated before the memorandum or after their zone's end."""
    problems: list[Problem] = []
    for event in life.events:
        end = zone_end(life, event.zone)
        if event.last_day < LIFE_START:
            problems.append(Problem(file, f"event {event.id!r}", f"dated {event.date}, before the zone's life began ({LIFE_START})"))
        elif end is not None and event.first_day > end:
            problems.append(Problem(file, f"event {event.id!r}", f"dated {event.date}, after zone {event.zone!r} ended ({end})"))
    return problems


def load_life(events_path: Path, extents_path: Path, zone_ids: tuple[str, ...], references: dict[str, Reference],
              fact_ids: frozenset[str] = frozenset()) -> ZoneLife:
    """Both files, checked (schema first, then the rules above); never raises on bad data."""
    life = ZoneLife()
    loaded = load_checked(Path(events_path), LIFE_SCHEMA, items=("events",))
    life.problems += loaded.problems
    if loaded.usable:
        life.events, problems = parse_events(loaded.data, Path(events_path).name, zone_ids, references, fact_ids)
        life.problems += problems
    loaded = load_checked(Path(extents_path), EXTENTS_SCHEMA, items=("features",))
    life.problems += loaded.problems
    if loaded.usable:
        life.extents, problems = parse_extents(loaded.data, Path(extents_path).name, zone_ids)
        life.problems += problems
    life.problems += life_span_problems(life, Path(events_path).name)
    return life
