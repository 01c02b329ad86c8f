"""Time: events from facts, each zone's status as of a date, and disagreements.

Status model (documented in README "Time and disagreement"): a zone moves
through ``not-declared → declared → borders-agreed → agreement-reached →
operating``; ``under-consultation`` is a separate state (Idlib, summer 2017).
Transitions come only from cited facts:

* event ``memorandum-signed``  → ``declared`` (every zone, 4 May 2017)
* event ``borders-agreed``     → ``borders-agreed``
* event ``agreement-reached``  → ``agreement-reached``
* a ``status`` fact            → its value, from its ``as_of`` date

A transition takes effect on the *last* day its date can mean (a day: that
day; "early July": 10 July; a month: its last day), so a status is never shown
before the source says it surely held. On any date the latest transition wins;
on a tie the later state in :data:`STATUS_ORDER` wins.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from .atlas import Atlas
from .facts import Citation, Fact, fact_zones, parse_iso_date
from .life import ALLOWED_TRANSITIONS
from .problems import Problem
from .urlstate import strict_iso_date
from .zones import ZONE_IDS

# Tie-break order for transitions on the same day (later wins); the whole vocabulary is in life.STATUS_DEFINITIONS.
STATUS_ORDER: tuple[str, ...] = ("not-declared", "declared", "borders-agreed", "agreement-reached", "under-consultation",
                                 "ceasefire-in-force", "operating", "under-offensive", "demilitarised-zone-agreed",
                                 "evacuation-agreed", "ceasefire-protocol", "retaken", "framework-ended")
EVENT_STATUS: dict[str, str] = {
    "memorandum-signed": "declared",
    "borders-agreed": "borders-agreed",
    "agreement-reached": "agreement-reached",
}
TIMELINE_START = dt.date(2017, 5, 1)
TIMELINE_END = dt.date(2025, 6, 30)  # past the last zone's end (Idlib, December 2024)
COMPARABLE_KINDS: tuple[str, ...] = ("settlements", "population", "event", "status")


@dataclass(frozen=True)
class Event:
    fact: Fact
    zones: tuple[str, ...]
    start: dt.date   # first day the date can mean
    end: dt.date     # last day it can mean
    precision: str
    reviewed: bool = True


@dataclass(frozen=True)
class Transition:
    zone: str
    status: str
    effective: dt.date
    fact: Fact


@dataclass(frozen=True)
class Disagreement:
    zone: str
    kind: str
    facts: tuple[Fact, ...]
    summary: str


def date_range(value: str, precision: str | None) -> tuple[dt.date, dt.date] | None:
    """(first, last) day an ISO value of a precision can mean."""
    first = parse_iso_date(value, precision)
    if first is None:
        return None
    if precision == "day":
        return first, first
    if precision == "early-month":
        return first, first.replace(day=10)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def curated_facts(atlas: Atlas) -> list[Fact]:
    """Facts from ``facts.json`` and the zones' life events (``zone_life.json``, as facts with references only)."""
    return [*atlas.facts.facts, *(e.as_fact() for e in atlas.life.events)]


def events(atlas: Atlas) -> list[Event]:
    """Dated facts (events, and status reports by their as_of date), oldest first."""
    out: list[Event] = []
    for fact in curated_facts(atlas):
        if fact.value_type == "date":
            span = date_range(fact.value, fact.date_precision)
            precision = fact.date_precision or "day"
        elif fact.kind == "status" and fact.as_of:
            span = date_range(fact.as_of, "day")
            precision = "day"
        else:
            continue
        if span:
            out.append(Event(fact=fact, zones=fact_zones(fact, ZONE_IDS), start=span[0], end=span[1], precision=precision))
    return sorted(out, key=lambda e: (e.start, e.fact.id))


def extracted_events(ingested: dict) -> list[Event]:
    """Dates the pipeline extracted from passages linked to zones: shown, marked unreviewed.

    They never change a zone's status (only curated facts do).
    """
    out: list[Event] = []
    for doc in ingested.values():
        for passage in doc.passages:
            zones = tuple(z for z in ZONE_IDS if z in passage.zones)
            if not zones:
                continue
            for cand in passage.facts:
                if cand.value_type != "date":
                    continue
                span = date_range(str(cand.value), cand.date_precision)
                if span is None:
                    continue
                fact = Fact(
                    id=f"extracted:{cand.doc}:{cand.start}-{cand.end}", zone=zones[0], kind="event",
                    title="Date in a linked passage (extracted, not reviewed)", value_type="date",
                    value=str(cand.value), date_precision=cand.date_precision, related_zones=zones[1:],
                    citations=(cand.citation,),
                    event="statement",
                )
                out.append(Event(fact=fact, zones=zones, start=span[0], end=span[1],
                                 precision=cand.date_precision or "day", reviewed=False))
    return sorted(out, key=lambda e: (e.start, e.fact.id))


def stored_extracted_events(candidates: Iterable[Any]) -> list[Event]:
    """Like :func:`extracted_events`, from the store's date candidates
    (:func:`components.store.queries.zone_date_candidates`, bounded): unreviewed, never a status."""
    out: list[Event] = []
    for cand in candidates:
        zones = tuple(z for z in ZONE_IDS if z in cand.zones)
        span = date_range(cand.value, cand.date_precision) if zones else None
        if span is None:
            continue
        citation = Citation(doc=cand.doc_id, start=cand.start, end=cand.end, quote=str(cand.citation.get("quote", "")))
        fact = Fact(
            id=f"extracted:{cand.doc_id}:{cand.start}-{cand.end}", zone=zones[0], kind="event",
            title="Date in a linked passage (extracted, not reviewed)", value_type="date", value=cand.value,
            date_precision=cand.date_precision, related_zones=zones[1:], citations=(citation,), event="statement",
        )
        out.append(Event(fact=fact, zones=zones, start=span[0], end=span[1], precision=cand.date_precision or "day",
                         reviewed=False))
    return sorted(out, key=lambda e: (e.start, e.fact.id))


def transitions(atlas: Atlas) -> list[Transition]:
    out: list[Transition] = []
    for event in events(atlas):
        fact = event.fact
        status = fact.value if fact.kind == "status" else EVENT_STATUS.get(fact.event or "")
        if status:
            out += [Transition(zone=z, status=status, effective=event.end, fact=fact) for z in event.zones]
    return out


def status_on(atlas: Atlas, zone_id: str, day: dt.date, _transitions: list[Transition] | None = None) -> tuple[str, Transition | None]:
    """The zone's status on ``day`` and the transition (with its fact) that set it."""
    candidates = [t for t in (_transitions if _transitions is not None else transitions(atlas))
                  if t.zone == zone_id and t.effective <= day]
    if not candidates:
        return "not-declared", None
    best = max(candidates, key=lambda t: (t.effective, STATUS_ORDER.index(t.status)))
    return best.status, best


def statuses_on(atlas: Atlas, day: dt.date) -> dict[str, str]:
    all_transitions = transitions(atlas)
    return {z.id: status_on(atlas, z.id, day, all_transitions)[0] for z in atlas.zones.zones}


def latest_evidence(atlas: Atlas, zone_id: str, day: dt.date = TIMELINE_END) -> Event | None:
    """The zone's most recent curated event that had surely happened by ``day`` (its last possible day)."""
    dated = [e for e in events(atlas) if zone_id in e.zones and e.end <= day]
    return max(dated, key=lambda e: (e.end, e.fact.id)) if dated else None


def status_periods(atlas: Atlas, zone_id: str, end: dt.date = TIMELINE_END) -> list[tuple[str, dt.date, dt.date]]:
    """(status, first day, last day) periods from the first transition; the last one runs to the zone's
    latest evidence (never past it, never past ``end``): nothing is drawn where no source speaks."""
    all_transitions = transitions(atlas)
    days = sorted({t.effective for t in all_transitions if t.zone == zone_id and t.effective <= end})
    latest = latest_evidence(atlas, zone_id, end)
    periods: list[tuple[str, dt.date, dt.date]] = []
    for i, day in enumerate(days):
        status, _ = status_on(atlas, zone_id, day, all_transitions)
        last = days[i + 1] - dt.timedelta(days=1) if i + 1 < len(days) else max(day, latest.end if latest else day)
        if periods and periods[-1][0] == status:
            periods[-1] = (status, periods[-1][1], last)
        else:
            periods.append((status, day, last))
    return periods


def transition_problems(atlas: Atlas) -> list[Problem]:
    """Status changes the model does not allow (``life.ALLOWED_TRANSITIONS``), named by the fact that made them."""
    problems: list[Problem] = []
    all_transitions = transitions(atlas)
    for zone_id in ZONE_IDS:
        previous = "not-declared"
        for day in sorted({t.effective for t in all_transitions if t.zone == zone_id}):
            status, transition = status_on(atlas, zone_id, day, all_transitions)
            if status != previous and status not in ALLOWED_TRANSITIONS.get(previous, frozenset()):
                fact_id = transition.fact.id if transition else "?"
                problems.append(Problem("zone_life.json" if fact_id.startswith("life:") else "facts.json", f"fact {fact_id!r}",
                                        f"zone {zone_id!r}: status change {previous} → {status} on {day} is not allowed "
                                        f"(from {previous}: {', '.join(sorted(ALLOWED_TRANSITIONS.get(previous, ()))) or 'none, it is final'})"))
            previous = status
    return problems


def fact_document(fact: Fact) -> str:
    return fact.citations[0].doc


def fact_claim(atlas: Atlas, fact: Fact) -> str:
    """Who says a curated fact and when: the document's publisher (from its metadata) and the fact's date."""
    doc = atlas.corpus.get(fact_document(fact)) if fact.citations else None
    publisher = (doc.meta.publisher or doc.id) if doc else "a curated fact"
    when = f", as of {fact.as_of}" if fact.as_of else ""
    return f"{publisher}: {fact.title.lower()} {fact.value!r}{when}"


def comparable_key(fact: Fact) -> tuple[str, str, str] | None:
    if fact.kind not in COMPARABLE_KINDS:
        return None
    subtype = fact.event or "" if fact.kind == "event" else ""
    if fact.kind == "event" and not subtype:
        return None
    return (fact.zone, fact.kind, subtype)


def disagreements(atlas: Atlas) -> list[Disagreement]:
    """Curated ``conflict`` facts, and pairs of facts from different documents that give
    different values for the same zone and kind (counts, event dates, status)."""
    out = [Disagreement(zone=f.zone, kind="conflict", facts=(f,), summary=str(f.value))
           for f in atlas.facts.facts if f.kind == "conflict"]
    life = {e.id: e for e in atlas.life.events}
    curated = {f.id: f for f in atlas.facts.facts}
    for e in atlas.life.events:  # claims in the zones' life that others tell otherwise, each with its speaker
        for other in (life[c] for c in e.contradicts if c in life):
            out.append(Disagreement(zone=e.zone, kind="conflict", facts=(e.as_fact(), other.as_fact()),
                                    summary=f"{e.speaker or 'one source'} ({e.date}) vs {other.speaker or 'another'} ({other.date})"))
        for fact in (curated[c] for c in e.contradicts if c not in life and c in curated):
            out.append(Disagreement(zone=e.zone, kind="conflict", facts=(e.as_fact(), fact),
                                    summary=f"{e.speaker or 'one source'} ({e.date}) vs {fact_claim(atlas, fact)}"))
    groups: dict[tuple[str, str, str], list[Fact]] = {}
    for fact in atlas.facts.facts:
        key = comparable_key(fact)
        if key:
            groups.setdefault(key, []).append(fact)
    for (zone, kind, subtype), facts in sorted(groups.items()):
        for a, b in combinations(facts, 2):
            if fact_document(a) != fact_document(b) and (a.value, a.qualifier) != (b.value, b.qualifier):
                label = f"{kind} {subtype}".strip()
                out.append(Disagreement(zone=zone, kind=kind, facts=(a, b),
                                        summary=f"{label}: {a.value!r} ({fact_document(a)}) vs {b.value!r} ({fact_document(b)})"))
    return out


def parse_date_param(raw: str | None) -> tuple[dt.date | None, str | None]:
    """``?date=`` in the timeline's range; a message (raw value to escape) otherwise."""
    if raw is None:
        return None, None
    value = raw.strip()
    if len(value) > 32:
        return None, f"The link's date is {len(value)} characters long, which is not a date; showing the latest date."
    try:
        day = strict_iso_date(value)
    except ValueError:
        return None, f"“{value}” is not a date (use YYYY-MM-DD); showing the latest date."
    if not TIMELINE_START <= day <= TIMELINE_END:
        return None, f"{day.isoformat()} is outside the timeline ({TIMELINE_START} to {TIMELINE_END}); showing the latest date."
    return day, None
