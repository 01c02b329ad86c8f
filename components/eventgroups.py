"""One timeline entry per event: curated events and dates extracted from documents that tell the same
thing, grouped, each source kept with its exact citation, disagreements said aloud. No Streamlit here.

Two events (curated or extracted) tell the same thing when they share a zone, their dates are at most
a day apart (a range such as "early July" counts from its first to its last day), and

* both name the same kind of change (:func:`change_kind`: the status it leads to, or the event's own
  kind; a bare "statement" names none), or
* they cite overlapping characters of the same document — an extracted date inside the sentence a
  curated fact quotes is that fact's date, whatever its kind.

Grouping is transitive (an extracted date can join two curated facts that quote the same sentence).
Within a group, different dates or different kinds of change are a disagreement: the entry says so and
keeps every source, never picking one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .facts import Citation
from .timeline import EVENT_STATUS, Event

MAX_DAYS_APART = 1
GENERIC_KINDS: frozenset[str] = frozenset({"statement", ""})


@dataclass(frozen=True)
class EventGroup:
    """One event as the timeline shows it: its sources (oldest date first, curated before extracted)."""

    members: tuple[Event, ...]
    zones: tuple[str, ...]
    disagreements: tuple[GroupDisagreement, ...]

    @property
    def id(self) -> str:
        return self.lead.fact.id

    @property
    def lead(self) -> Event:
        """The source the entry is named after: the first curated one, else the first extracted."""
        return next((e for e in self.members if e.reviewed), self.members[0])

    @property
    def start(self) -> dt.date:
        return min(e.start for e in self.members)

    @property
    def end(self) -> dt.date:
        return max(e.end for e in self.members)

    @property
    def curated(self) -> bool:
        return any(e.reviewed for e in self.members)

    @property
    def extracted(self) -> bool:
        return any(not e.reviewed for e in self.members)

    def citations(self) -> list[Citation]:
        """Every exact citation of every source (doc, start, end, quote), in the members' order."""
        return [c for e in self.members for c in e.fact.citations]


def change_kind(event: Event) -> str:
    """What changed: a status fact's value, an event's resulting status, else the event's kind ("" for extracted)."""
    fact = event.fact
    if not event.reviewed:
        return ""
    if fact.kind == "status":
        return str(fact.value)
    return EVENT_STATUS.get(fact.event or "", fact.event or "")


def days_apart(a: Event, b: Event) -> int:
    """Days between two date ranges (0 when they overlap)."""
    if a.end < b.start:
        return (b.start - a.end).days
    if b.end < a.start:
        return (a.start - b.end).days
    return 0


def citations_overlap(a: Event, b: Event) -> bool:
    return any(x.doc == y.doc and x.start < y.end and y.start < x.end
               for x in a.fact.citations for y in b.fact.citations)


def same_event(a: Event, b: Event) -> bool:
    if not set(a.zones) & set(b.zones) or days_apart(a, b) > MAX_DAYS_APART:
        return False
    kind_a, kind_b = change_kind(a), change_kind(b)
    if kind_a == kind_b and kind_a not in GENERIC_KINDS:
        return True
    return citations_overlap(a, b)


def when_text(event: Event) -> str:
    """The date a source gives, as people write it ("31 July 2017", "1–10 July 2017")."""
    if event.start == event.end:
        return f"{event.start.day} {event.start:%B %Y}"
    if (event.start.year, event.start.month) == (event.end.year, event.end.month):
        return f"{event.start.day}–{event.end.day} {event.end:%B %Y}"
    return f"{event.start.day} {event.start:%B %Y}–{event.end.day} {event.end:%B %Y}"


@dataclass(frozen=True)
class GroupDisagreement:
    """What the sources of one event tell differently: ``aspect`` "date" or "change", and each source's answer
    (a date as :func:`when_text` writes it, or a status / event kind)."""

    aspect: str
    told: tuple[tuple[str, Event], ...]


def group_disagreements(members: list[Event]) -> tuple[GroupDisagreement, ...]:
    """Different dates, or different kinds of change, among the sources of one event (none hidden)."""
    out: list[GroupDisagreement] = []
    if len({(e.start, e.end) for e in members}) > 1:
        out.append(GroupDisagreement("date", tuple((when_text(e), e) for e in members)))
    kinds = [(change_kind(e), e) for e in members if change_kind(e) not in GENERIC_KINDS]
    if len({k for k, _ in kinds}) > 1:
        out.append(GroupDisagreement("change", tuple(kinds)))
    return tuple(out)


def group_events(items: list[Event]) -> list[EventGroup]:
    """Group events that tell the same thing (module docstring); every event ends in exactly one group."""
    ordered = sorted(items, key=lambda e: (e.start, not e.reviewed, e.fact.id))
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            b = ordered[j]
            if (b.start - a.end).days > MAX_DAYS_APART:
                break  # sorted by start: every later event is further away still
            if same_event(a, b):
                parent[root(j)] = root(i)
    members: dict[int, list[Event]] = {}
    for i, event in enumerate(ordered):
        members.setdefault(root(i), []).append(event)
    groups = []
    for group in members.values():
        group.sort(key=lambda e: (not e.reviewed, e.start, e.fact.id))
        curated = [e for e in group if e.reviewed]
        zones = tuple(dict.fromkeys(z for e in (curated or group) for z in e.zones))
        groups.append(EventGroup(members=tuple(group), zones=zones, disagreements=group_disagreements(group)))
    return sorted(groups, key=lambda g: (g.start, g.id))
