"""Review: a curator confirms, corrects or rejects what the pipeline extracted; every action is
kept (audit trail), and confirmed or corrected facts become facts of the atlas. No Streamlit here.

Targets are stable across re-ingestion: a candidate fact is ``fact|doc|start|end|kind`` (its exact
span), a place match is ``place|doc|spelling`` (every mention of that spelling in the document).
Each action carries the version the curator saw (optimistic locking): when someone else acted
first, the action is refused with who and when, and nothing is written.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atlas import Atlas
from .documents import Corpus, Document, DocumentMeta
from .facts import (
    ALL_ZONES,
    DATE_PRECISIONS,
    EVENT_TYPES,
    QUALIFIERS,
    SCHEMA,
    STATUS_VALUES,
    Citation,
    Fact,
    FactSet,
    RelativeDate,
    Speaker,
    parse_iso_date,
)
from .gazetteer import Gazetteer, Place
from .panels import format_date
from .problems import Problem
from .store import Store, StoreError
from .store.db import group_value
from .textfold import fold_text
from .words import plural
from .zones import SYRIA_BBOX, ZONE_IDS

# The zones' lifetime: the Astana memorandum (4 May 2017) to the end of 2024, when the last of them
# (Idlib's framework) ended (geodata/zone_life.json). A reviewed date outside it is refused.
LIFETIME: tuple[dt.date, dt.date] = (dt.date(2017, 5, 4), dt.date(2024, 12, 31))
ACTIONS = ("confirm", "correct", "reject", "revert")
REVIEWED = ("confirmed", "corrected")
MAX_TEXT = 200
TITLES = {"settlements": "Settlements included", "population": "Population included", "party": "Party",
          "date": "Date", "event": "Event", "status": "Status", "observer": "Observer", "guarantor": "Guarantor"}
COUNT_KINDS = ("settlements", "population")


class ReviewError(ValueError):
    """A review action cannot be taken; the message says why (and names the field for a bad correction)."""


class ReviewInputError(ReviewError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


class ReviewConflict(ReviewError):
    """Someone reviewed the target since the curator saw it (optimistic locking)."""


def _now_iso(now: float | None = None) -> str:
    return dt.datetime.fromtimestamp(time.time() if now is None else now, dt.UTC).replace(microsecond=0).isoformat()


def fact_target(doc_id: str, start: int, end: int, kind: str) -> str:
    return f"fact|{doc_id}|{start}|{end}|{kind}"


def place_target(doc_id: str, surface: str) -> str:
    return f"place|{doc_id}|{surface}"


def parse_target(target: str) -> tuple[str, list[str]]:
    kind, _, rest = target.partition("|")
    parts = rest.split("|")
    if kind == "fact" and len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
        return kind, parts
    if kind == "place" and len(parts) >= 2:
        return kind, [parts[0], "|".join(parts[1:])]
    raise ReviewError(f"not a review target: {target!r}")


# --------------------------------------------------------------------------- the queue


@dataclass(frozen=True)
class QueueItem:
    target: str
    kind: str                    # 'fact' or 'place'
    doc_id: str
    title: str
    start: int
    end: int
    quote: str
    reading: dict[str, Any]      # the pipeline's reading
    zones: tuple[str, ...]
    priority: int
    why: str
    version: int                 # the review version the curator sees (0: never reviewed)
    mentions: int = 1

    @property
    def text(self) -> str:
        return reading_text(self.reading)


def reading_text(reading: dict[str, Any]) -> str:
    """A reading (candidate or reviewed, fact or place) in words."""
    if "place_id" in reading or reading.get("not_a_place"):
        if reading.get("not_a_place"):
            return f"“{reading.get('surface', '')}”: not a place"
        return f"“{reading.get('surface', '')}” → {reading.get('place_name', '')} ({reading.get('place_id', '')})"
    value = reading.get("value")
    if reading.get("value_type") == "date":
        shown = format_date(str(value), reading.get("date_precision") or "day")
    elif reading.get("value_type") == "integer" and isinstance(value, int):
        q = reading.get("qualifier") or ""
        shown = f"{q + ' ' if q and q != 'exactly' else ''}{value:,}"
    else:
        shown = str(value)
    unit = f" {reading['unit']}" if reading.get("unit") else ""
    extra = [f"zone {reading['zone']}"] if reading.get("zone") else []
    if reading.get("speaker"):
        extra.append(f"said by {reading['speaker']}")
    if reading.get("event") and reading.get("event") != "statement":
        extra.append(f"event {reading['event']}")
    if reading.get("as_of"):
        extra.append(f"as of {reading['as_of']}")
    return f"{reading.get('kind', '')}: {shown}{unit}" + (f" ({'; '.join(extra)})" if extra else "")


def _state(conn: sqlite3.Connection | Store, target: str) -> dict[str, Any] | None:
    sql, params = "SELECT * FROM review_state WHERE target = ?", (target,)
    rows = conn.query(sql, params) if isinstance(conn, Store) else conn.execute(sql, params).fetchall()
    return dict(rows[0]) if rows else None


def _zones(raw: str | None) -> tuple[str, ...]:
    found = set((raw or "").split(",")) - {""}
    return tuple(z for z in ZONE_IDS if z in found)


_CANDIDATES = ("SELECT d.doc_id, d.title, c.kind, c.value, c.value_type, c.qualifier, c.date_precision, c.start, c.end,"
               " c.quote, c.citation, (SELECT group_concat(z.zone) FROM zone_links z WHERE z.passage = c.passage) AS zones"
               " FROM candidates c JOIN documents d ON d.id = c.doc")


def _candidate_reading(row: sqlite3.Row) -> dict[str, Any]:
    zones = _zones(row["zones"])
    return {"kind": row["kind"], "value_type": row["value_type"], "value": json.loads(row["value"]),
            "qualifier": row["qualifier"], "date_precision": row["date_precision"],
            "zone": zones[0] if zones else None, "related_zones": list(zones[1:]),
            "citation": json.loads(row["citation"])}


def _priority(reading: dict[str, Any], zones: tuple[str, ...], curated: Iterable[Fact]) -> tuple[int, str]:
    """0: contradicts a curated fact; 1: a date in a zone's passage (it may change a zone's status);
    2: a party (often wrong: a city named for a government); 3: other figures; 4: place matches."""
    if reading["kind"] in COUNT_KINDS:
        for fact in curated:
            if fact.kind == reading["kind"] and fact.zone in zones and fact.value != reading["value"]:
                return 0, f"contradicts curated fact {fact.id} ({fact.value:,})"
        return 3, "figure"
    if reading["value_type"] == "date":
        return (1, "date in a zone's passage: may change a zone's status") if zones else (3, "date")
    if reading["kind"] == "party":
        return 2, "party"
    return 3, reading["kind"]


def review_queue(store: Store, *, doc_id: str | None = None, zone: str | None = None, curated: Iterable[Fact] = (),
                 limit: int = 20, offset: int = 0, cap: int = 2000) -> tuple[int, list[QueueItem]]:
    """(total, one page) of what is still to review in a document or a zone, most important first."""
    if (doc_id is None) == (zone is None):
        raise ReviewError("review a document or a zone")
    curated = list(curated)
    states = {r[0]: (r[1], r[2]) for r in store.query(
        "SELECT target, version, state FROM review_state" + (" WHERE doc_id = ?" if doc_id else ""), (doc_id,) if doc_id else ())}
    reviewed = {t for t, (_, state) in states.items() if state != "unreviewed"}
    params: tuple[str] = (doc_id if doc_id is not None else str(zone),)
    if doc_id is not None:
        where, mwhere = "WHERE d.doc_id = ?", "WHERE d.doc_id = ?"
    else:
        where, mwhere = "WHERE c.passage IN (SELECT passage FROM zone_links WHERE zone = ?)", "WHERE m.zone = ?"
    items: list[QueueItem] = []
    for row in store.query(f"{_CANDIDATES} {where} ORDER BY c.passage DESC, c.start LIMIT ?", (*params, cap)):
        target = fact_target(row["doc_id"], row["start"], row["end"], row["kind"])
        if target in reviewed:
            continue
        reading = _candidate_reading(row)
        zones = _zones(row["zones"])
        rank, why = _priority(reading, zones, curated)
        items.append(QueueItem(target, "fact", row["doc_id"], row["title"], row["start"], row["end"], row["quote"],
                               reading, zones, rank, why, states.get(target, (0, ""))[0]))
    first = {c: group_value(store, f"m.{c}", "m.start") for c in ("place_id", "place_name", "kind", "zone")}
    for row in store.query(
            f"SELECT d.doc_id, d.title, m.surface, {first['place_id']} AS place_id, {first['place_name']} AS place_name,"
            f" {first['kind']} AS kind, {first['zone']} AS zone, min(m.start) AS start,"
            " min(m.end) AS end, count(*) AS n FROM mentions m JOIN documents d ON d.id = m.doc"
            f" {mwhere} GROUP BY d.doc_id, d.title, m.surface ORDER BY d.doc_id, start LIMIT ?", (*params, cap)):
        target = place_target(row["doc_id"], row["surface"])
        if target in reviewed:
            continue
        reading = {"surface": row["surface"], "place_id": row["place_id"], "place_name": row["place_name"],
                   "place_kind": row["kind"], "zone": row["zone"]}
        items.append(QueueItem(target, "place", row["doc_id"], row["title"], row["start"], row["end"], row["surface"],
                               reading, _zones(row["zone"]), 4, f"place match ({plural(row['n'], 'mention')})",
                               states.get(target, (0, ""))[0], row["n"]))
    items.sort(key=lambda i: (i.priority, i.doc_id, i.start, i.target))
    limit, offset = max(1, min(limit, 100)), max(0, offset)
    return len(items), items[offset:offset + limit]


# --------------------------------------------------------------------------- validating corrections


def _text_field(name: str, raw: Any, *, required: bool = False) -> str:
    value = "" if raw is None else str(raw).strip()
    if required and not value:
        raise ReviewInputError(name, "must not be empty")
    if len(value) > MAX_TEXT:
        raise ReviewInputError(name, f"too long ({len(value)} characters; at most {MAX_TEXT})")
    return value


def _integer(name: str, raw: Any, kind: str) -> int:
    if isinstance(raw, bool):
        raise ReviewInputError(name, f"{raw!r} is not a whole number (a {kind} is a count)")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
        if not text.isdigit():
            raise ReviewInputError(name, f"{str(raw)!r} is not a whole number (a {kind} is a count, e.g. 147000)")
        value = int(text)
    if not 0 <= value < 10**9:
        raise ReviewInputError(name, f"{value} is not a plausible {kind}")
    return value


def check_date(name: str, raw: Any, precision: str) -> str:
    """An ISO date of ``precision`` within :data:`LIFETIME`; the message names the field."""
    if precision not in DATE_PRECISIONS:
        raise ReviewInputError("date_precision", f"{precision!r} is not one of {', '.join(DATE_PRECISIONS)}")
    value = str(raw or "").strip()
    if isinstance(raw, dt.date):
        value = raw.isoformat() if precision == "day" else raw.isoformat()[:7]
    first = parse_iso_date(value, precision)
    if first is None:
        shape = "YYYY-MM-DD" if precision == "day" else "YYYY-MM"
        raise ReviewInputError(name, f"{value!r} is not a date of precision {precision!r} ({shape})")
    last = first if precision == "day" else (first.replace(day=10) if precision == "early-month"
                                             else (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1))
    if last < LIFETIME[0] or first > LIFETIME[1]:
        raise ReviewInputError(name, f"{value} is outside the zones' lifetime ({LIFETIME[0]} to {LIFETIME[1]})")
    return value


def check_zone(raw: Any, *, required: bool) -> str | None:
    zone = _text_field("zone", raw)
    if not zone:
        if required:
            raise ReviewInputError("zone", "the passage is linked to no zone: choose one "
                                           f"({', '.join((*ZONE_IDS, ALL_ZONES))})")
        return None
    if zone not in (*ZONE_IDS, ALL_ZONES):
        raise ReviewInputError("zone", f"{zone!r} is not a zone (known: {', '.join((*ZONE_IDS, ALL_ZONES))})")
    return zone


def _choice(name: str, raw: Any, allowed: tuple[str, ...], applies: bool, not_applicable: str) -> str:
    value = str(raw).strip()
    if not applies:
        raise ReviewInputError(name, not_applicable)
    if value not in allowed:
        raise ReviewInputError(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def corrected_reading(original: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The reading after a correction of a candidate fact; a bad value raises :class:`ReviewInputError`
    naming the field. Unknown fields are refused too."""
    known = {"value", "unit", "qualifier", "zone", "date", "date_precision", "speaker", "event"}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise ReviewInputError(unknown[0], f"not a field that can be corrected (fields: {', '.join(sorted(known))})")
    reading = {k: v for k, v in original.items() if k != "citation"}
    kind, value_type = reading["kind"], reading["value_type"]
    if "date_precision" in changes and changes["date_precision"] not in (None, ""):
        reading["date_precision"] = str(changes["date_precision"]).strip()
    if value_type == "integer":
        if changes.get("value") not in (None, ""):
            reading["value"] = _integer("value", changes["value"], kind)
        if changes.get("date") not in (None, ""):
            reading["as_of"] = check_date("date", changes["date"], "day")
    elif value_type == "date":
        raw = changes.get("date") if changes.get("date") not in (None, "") else changes.get("value")
        if raw not in (None, ""):
            reading["value"] = check_date("date", raw, reading.get("date_precision") or "day")
        else:
            reading["value"] = check_date("date", reading["value"], reading.get("date_precision") or "day")
    else:
        if changes.get("value") not in (None, ""):
            reading["value"] = _text_field("value", changes["value"], required=True)
        if changes.get("date") not in (None, ""):
            reading["as_of"] = check_date("date", changes["date"], "day")
    if changes.get("qualifier") not in (None, ""):
        reading["qualifier"] = _choice("qualifier", changes["qualifier"], QUALIFIERS, value_type == "integer",
                                       f"only a count has a qualifier, not a {kind}")
    if "zone" in changes and changes["zone"] not in (None, ""):
        reading["zone"] = check_zone(changes["zone"], required=True)
        reading["related_zones"] = [z for z in reading.get("related_zones") or [] if z != reading["zone"]]
    for name in ("unit", "speaker"):
        if name in changes:
            text = _text_field(name, changes[name])
            if text:
                reading[name] = text
            else:
                reading.pop(name, None)
    if changes.get("event") not in (None, ""):
        reading["event"] = _choice("event", changes["event"], EVENT_TYPES, value_type == "date",
                                   f"only a date can be an event, not a {kind}")
    return reading


def _checked_reading(reading: dict[str, Any]) -> dict[str, Any]:
    """Every reviewed reading has a known zone and a date inside the lifetime (confirm checks the pipeline's reading)."""
    reading = dict(reading)
    reading["zone"] = check_zone(reading.get("zone"), required=True)
    if reading["value_type"] == "date":
        reading["value"] = check_date("date", reading["value"], reading.get("date_precision") or "day")
    if reading["value_type"] == "integer" and not isinstance(reading["value"], int):
        raise ReviewInputError("value", f"{reading['value']!r} is not a whole number")
    if reading.get("kind") == "status" and reading.get("value") not in STATUS_VALUES:
        raise ReviewInputError("value", f"a status is one of {', '.join(STATUS_VALUES)}")
    return reading


def place_reading(original: dict[str, Any], changes: dict[str, Any], gazetteer: Gazetteer,
                  zone_of: Callable[[Place], str | None]) -> dict[str, Any]:
    """A place match corrected to a gazetteer entry (by id, or by a name that names one place) or to "not a place"."""
    unknown = sorted(set(changes) - {"place", "not_a_place", "promote"})
    if unknown:
        raise ReviewInputError(unknown[0], "not a field of a place match (fields: place, not_a_place, promote)")
    reading: dict[str, Any] = {"surface": original["surface"], "promote": bool(changes.get("promote"))}
    if changes.get("not_a_place"):
        return {**reading, "not_a_place": True}
    ref = _text_field("place", changes.get("place"), required=True)
    place = gazetteer.get(ref)
    if place is None:
        found = gazetteer.lookup(ref)
        if not found:
            raise ReviewInputError("place", f"no gazetteer entry {ref!r} (give a gazetteer id or a name it knows)")
        place = found[0]
    lon_ok = SYRIA_BBOX[0] <= place.lon <= SYRIA_BBOX[2] and SYRIA_BBOX[1] <= place.lat <= SYRIA_BBOX[3]
    if not place.is_syrian or not lon_ok:
        raise ReviewInputError("place", f"{place.name} ({place.id}, {place.country}, {place.lat:.2f}, {place.lon:.2f}) "
                                        "is outside Syria")
    return {**reading, "place_id": place.id, "place_name": place.name, "place_kind": place.kind, "lat": place.lat,
            "lon": place.lon, "zone": zone_of(place)}


# --------------------------------------------------------------------------- acting


@dataclass(frozen=True)
class ReviewResult:
    target: str
    action: str
    version: int
    curator: str
    at: str
    message: str


def _original_fact(store: Store, parts: list[str]) -> tuple[dict[str, Any], str]:
    doc_id, start, end, kind = parts[0], int(parts[1]), int(parts[2]), parts[3]
    rows = store.query(f"{_CANDIDATES} WHERE d.doc_id = ? AND c.start = ? AND c.end = ? AND c.kind = ?", (doc_id, start, end, kind))
    text_rows = store.query("SELECT text FROM documents WHERE doc_id = ?", (doc_id,))
    if not rows or not text_rows:
        raise ReviewError(f"no extracted {kind} at {doc_id} characters {start}–{end} (was the document removed?)")
    reading = _candidate_reading(rows[0])
    text = text_rows[0][0] or ""
    quote = reading["citation"]["quote"]
    if text[start:end] != quote:  # the citation stays the exact span, checked like every curated citation
        raise ReviewError(f"citation does not match {doc_id}[{start}:{end}]: expected {quote!r}, text has {text[start:end]!r}")
    return reading, doc_id


def _original_place(store: Store, parts: list[str]) -> tuple[dict[str, Any], str]:
    doc_id, surface = parts
    rows = store.query("SELECT m.passage, m.start, m.end, m.place_id, m.place_name, m.kind, m.lat, m.lon, m.zone FROM mentions m"
                       " JOIN documents d ON d.id = m.doc WHERE d.doc_id = ? AND m.surface = ? ORDER BY m.start", (doc_id, surface))
    if not rows:
        raise ReviewError(f"no place “{surface}” in {doc_id}")
    first = rows[0]
    return {"surface": surface, "place_id": first["place_id"], "place_name": first["place_name"], "place_kind": first["kind"],
            "lat": first["lat"], "lon": first["lon"], "zone": first["zone"],
            "mentions": [[r["passage"], r["start"], r["end"]] for r in rows]}, doc_id


def review(store: Store, target: str, action: str, curator: str, seen_version: int, *,
           changes: dict[str, Any] | None = None, reason: str = "", gazetteer: Gazetteer | None = None,
           zone_of: Callable[[Place], str | None] | None = None, now: float | None = None) -> ReviewResult:
    """Take one review action. ``seen_version`` is the target's version the curator saw (0: unreviewed).

    Raises :class:`ReviewInputError` (a bad correction, naming the field), :class:`ReviewConflict`
    (someone acted since) or :class:`ReviewError`; in every case nothing is written.
    """
    if action not in ACTIONS:
        raise ReviewError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})")
    if not curator:
        raise ReviewError("only a signed-in curator can review")
    kind, parts = parse_target(target)
    state = _state(store, target)
    if action == "revert":
        if state is None or state["state"] == "unreviewed":
            raise ReviewError("nothing to revert: this has not been reviewed")
        original, doc_id, after = json.loads(state["original"]), state["doc_id"], None
    else:
        original, doc_id = (_original_fact if kind == "fact" else _original_place)(store, parts)
        after = _after(kind, action, original, changes or {}, reason, gazetteer, zone_of)
    reason = _text_field("reason", reason, required=action == "reject")
    at = _now_iso(now)
    with store.transaction() as conn:
        current = _state(conn, target)
        version = current["version"] if current else 0
        if current is None and seen_version:
            raise ReviewConflict("this item changed since it was loaded (its review history is gone); reload")
        if current is not None and version != seen_version:
            raise ReviewConflict(f"already reviewed by {current['curator']} at {current['at']} "
                                 f"({current['state']}); nothing was changed: reload to see it")
        if action != "revert" and current is not None and current["state"] != "unreviewed":
            raise ReviewConflict(f"already {current['state']} by {current['curator']} at {current['at']}")
        before = json.loads(current["reading"]) if current and current["reading"] else original
        new_state = {"confirm": "confirmed", "correct": "corrected", "reject": "rejected", "revert": "unreviewed"}[action]
        conn.execute("INSERT INTO reviews (target, doc_id, version, action, curator, at, before, after, reason)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (target, doc_id, version + 1, action, curator, at, _json(before), _json(after), reason))
        fact_parts = parts if kind == "fact" else [doc_id, None, None, None]
        conn.execute(
            "INSERT INTO review_state (target, kind, doc_id, start, end, fact_kind, surface, version, state, curator, at,"
            " original, reading) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (target) DO UPDATE SET"
            " version = excluded.version, state = excluded.state, curator = excluded.curator, at = excluded.at,"
            " reading = excluded.reading",
            (target, kind, doc_id, fact_parts[1], fact_parts[2], fact_parts[3], parts[1] if kind == "place" else None,
             version + 1, new_state, curator, at, _json(original), _json(after) if after is not None else None))
        if kind == "place":
            _apply_place(conn, doc_id, original, after, before if current else None, action, curator, at)
    return ReviewResult(target, action, version + 1, curator, at,
                        f"{new_state}: {reading_text(after or original)} (by {curator} at {at})")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _after(kind: str, action: str, original: dict[str, Any], changes: dict[str, Any], reason: str,
           gazetteer: Gazetteer | None, zone_of: Callable[[Place], str | None] | None) -> dict[str, Any] | None:
    if action == "reject":
        return None
    if kind == "place":
        if action == "confirm":
            return {k: v for k, v in original.items() if k != "mentions"}
        if gazetteer is None or zone_of is None:
            raise ReviewError("correcting a place needs the gazetteer, which did not load")
        return place_reading(original, changes, gazetteer, zone_of)
    reading = corrected_reading(original, changes) if action == "correct" else \
        {k: v for k, v in original.items() if k != "citation"}
    return _checked_reading(reading)


def _refresh_place_stats(conn: sqlite3.Connection, place_ids: Iterable[str]) -> None:
    for place_id in set(place_ids):
        values = ", ".join(f"{group_value(conn, c, 'id')} AS {c}" for c in ("place_name", "kind", "lat", "lon", "zone"))
        row = conn.execute(f"SELECT {values}, count(*) AS n, count(DISTINCT doc) AS docs"
                           " FROM mentions WHERE place_id = ? AND place_candidates = 1", (place_id,)).fetchone()  # ambiguous: not placed
        if not row or not row["n"]:
            conn.execute("DELETE FROM place_stats WHERE place_id = ?", (place_id,))
            continue
        conn.execute("INSERT INTO place_stats (place_id, place_name, kind, lat, lon, zone, mentions, documents)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (place_id) DO UPDATE SET mentions = excluded.mentions,"
                     " documents = excluded.documents",
                     (place_id, row["place_name"], row["kind"], row["lat"], row["lon"], row["zone"], row["n"], row["docs"]))


def _apply_place(conn: sqlite3.Connection, doc_id: str, original: dict[str, Any], after: dict[str, Any] | None,
                 before: dict[str, Any] | None, action: str, curator: str, at: str) -> None:
    """Make the document's mentions of the spelling say what the review says: confirmed or corrected, that
    place; rejected or "not a place", no mention; reverted, the pipeline's match again. A promoted correction
    is also a corpus-wide alias (``place_aliases``, who and when) applied to every document's mentions of
    that spelling; reverting it removes the alias."""
    row = conn.execute("SELECT id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
    if row is None:
        return
    doc, surface = row[0], original["surface"]
    touched = {original["place_id"]}
    if action == "revert":
        target: dict[str, Any] | None = original
        if before and before.get("promote"):
            conn.execute("DELETE FROM place_aliases WHERE surface = ?", (fold_text(surface),))
    else:
        target = after if after is not None and "place_id" in after else None
    conn.execute("DELETE FROM mentions WHERE doc = ? AND surface = ?", (doc, surface))
    passages = {r[0] for r in conn.execute("SELECT id FROM passages WHERE doc = ?", (doc,))}  # a re-ingest may have moved them
    if target is not None:
        touched.add(target["place_id"])
        conn.executemany(
            "INSERT INTO mentions (doc, passage, start, end, surface, place_id, place_name, kind, lat, lon, zone)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc, p, s, e, surface, target["place_id"], target["place_name"], target.get("place_kind", "settlement"),
              target["lat"], target["lon"], target.get("zone")) for p, s, e in original["mentions"] if p in passages])
    if after is not None and after.get("promote"):
        conn.execute("INSERT INTO place_aliases (surface, place_id, reading, curator, at) VALUES (?, ?, ?, ?, ?)"
                     " ON CONFLICT (surface) DO UPDATE SET place_id = excluded.place_id, reading = excluded.reading,"
                     " curator = excluded.curator, at = excluded.at",
                     (fold_text(surface), target["place_id"] if target else None, _json(target) if target else None,
                      curator, at))
        touched |= {r[0] for r in conn.execute("SELECT DISTINCT place_id FROM mentions WHERE surface = ? AND doc != ?",
                                               (surface, doc))}
        _set_mentions(conn, "surface = ? AND doc != ?", (surface, doc), target)
    _refresh_place_stats(conn, touched)


def _set_mentions(conn: sqlite3.Connection, where: str, params: tuple, target: dict[str, Any] | None) -> None:
    """The mentions matching ``where`` now name ``target`` (None: they are not a place, so they go)."""
    if target is None:
        conn.execute(f"DELETE FROM mentions WHERE {where}", params)
        return
    conn.execute(f"UPDATE mentions SET place_id = ?, place_name = ?, kind = ?, lat = ?, lon = ?, zone = ? WHERE {where}",
                 (target["place_id"], target["place_name"], target.get("place_kind", "settlement"), target["lat"],
                  target["lon"], target.get("zone"), *params))


def apply_place_reviews(conn: sqlite3.Connection, doc_row: int) -> None:
    """After a document is (re-)ingested, in the same transaction: its reviewed place matches and the
    corpus-wide aliases apply again to the pipeline's fresh mentions (a review is never lost to a re-ingest)."""
    found = conn.execute("SELECT doc_id FROM documents WHERE id = ?", (doc_row,)).fetchone()
    if found is None:
        return
    reviewed = {r[0]: (json.loads(r[1]) if r[1] else None) for r in conn.execute(
        "SELECT surface, reading FROM review_state WHERE kind = 'place' AND doc_id = ? AND state IN ('confirmed', 'corrected',"
        " 'rejected')", (found[0],))}
    aliases = {r[0]: (json.loads(r[1]) if r[1] else None) for r in conn.execute("SELECT surface, reading FROM place_aliases")}
    if not reviewed and not aliases:
        return
    touched: set[str] = set()
    for surface, place_id in conn.execute("SELECT DISTINCT surface, place_id FROM mentions WHERE doc = ?", (doc_row,)).fetchall():
        if surface in reviewed:
            target = reviewed[surface]
        elif fold_text(surface) in aliases:
            target = aliases[fold_text(surface)]
        else:
            continue
        target = target if target is not None and "place_id" in target else None
        touched |= {place_id, *([target["place_id"]] if target else [])}
        _set_mentions(conn, "doc = ? AND surface = ?", (doc_row, surface), target)
    _refresh_place_stats(conn, touched)


# --------------------------------------------------------------------------- history, facts, export


@dataclass(frozen=True)
class HistoryRow:
    target: str
    version: int
    action: str
    curator: str
    at: str
    before: Any
    after: Any
    reason: str


def history(store: Store, *, doc_id: str | None = None, target: str | None = None, limit: int = 200) -> list[HistoryRow]:
    """Review actions, newest first (the audit trail)."""
    where, params = ("WHERE target = ?", (target,)) if target else (("WHERE doc_id = ?", (doc_id,)) if doc_id else ("", ()))
    return [HistoryRow(r["target"], r["version"], r["action"], r["curator"], r["at"], json.loads(r["before"]),
                       json.loads(r["after"]), r["reason"])
            for r in store.query(f"SELECT * FROM reviews {where} ORDER BY id DESC LIMIT ?", (*params, max(1, limit)))]


@dataclass
class ReviewedFacts:
    facts: list[Fact] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _fact_from(state: sqlite3.Row) -> Fact:
    original, reading = json.loads(state["original"]), json.loads(state["reading"])
    c = original["citation"]
    rel = c.get("relative")
    relative = RelativeDate(rel["words"], dt.date.fromisoformat(rel["anchor"]), rel["resolved"], rel["rule"]) \
        if rel and rel.get("resolved") == reading.get("value") else None
    speaker = Speaker(name=str(reading["speaker"])) if reading.get("speaker") else None  # typed by the curator: no span
    citation = Citation(doc=c["doc"], start=c["start"], end=c["end"], quote=c["quote"], relative=relative, speaker=speaker)
    is_date = reading["value_type"] == "date"
    kind = "event" if is_date else reading["kind"]
    day = state["at"][:10]
    notes = [f"Reviewed by {state['curator']} on {day} ({state['state']}); extracted as: {reading_text(original)}."]
    return Fact(
        id=f"reviewed.{state['doc_id']}.{state['start']}-{state['end']}.{reading['kind']}", zone=reading["zone"],
        kind=kind, title=TITLES.get(reading["kind"], reading["kind"].capitalize()) + " (reviewed)",
        value_type="text" if reading["value_type"] not in ("integer", "date", "enum", "list") else reading["value_type"],
        value=reading["value"], citations=(citation,),
        qualifier=reading.get("qualifier") if reading["value_type"] == "integer" else None,
        unit=(reading.get("unit") or None) if reading["value_type"] == "integer" else None,
        date_precision=reading.get("date_precision") if is_date else None,
        related_zones=tuple(z for z in reading.get("related_zones") or () if z != reading["zone"]),
        note=" ".join(notes), as_of=reading.get("as_of"), event=(reading.get("event") or "statement") if is_date else None,
        reviewed_by=state["curator"], reviewed_on=day, original=reading_text(original),
    )


def reviewed_facts(store: Store) -> ReviewedFacts:
    """Every confirmed or corrected fact, its citation checked against the stored text (a mismatch is a
    problem, and the fact is not shown), with the documents they cite."""
    out = ReviewedFacts()
    try:
        rows = store.query("SELECT * FROM review_state WHERE kind = 'fact' AND state IN ('confirmed', 'corrected')"
                           " ORDER BY doc_id, start, end, fact_kind")
    except StoreError as exc:
        out.problems.append(Problem("corpus store", "", f"reviewed facts not read: {exc}"))
        return out
    for state in rows:
        fact = _fact_from(state)
        c = fact.citations[0]
        doc = out.documents.get(c.doc) or _document(store, c.doc)
        if doc is None or doc.text[c.start:c.end] != c.quote:
            out.problems.append(Problem("reviews", fact.id, f"citation does not match {c.doc}[{c.start}:{c.end}] any more; "
                                                            "the reviewed fact is hidden"))
            continue
        out.documents[c.doc] = doc
        out.facts.append(fact)
    return out


def _document(store: Store, doc_id: str) -> Document | None:
    rows = store.query("SELECT doc_id, title, publisher, published, date_precision, url, licence, path, text"
                       " FROM documents WHERE doc_id = ? AND text IS NOT NULL", (doc_id,))
    if not rows:
        return None
    r = rows[0]
    meta = DocumentMeta(title=r["title"] or r["doc_id"], publisher=r["publisher"],
                        published=dt.date.fromisoformat(r["published"]) if r["published"] else None,
                        date_precision=r["date_precision"], url=r["url"], licence=r["licence"])
    return Document(id=r["doc_id"], path=Path(r["path"] or r["doc_id"]), text=r["text"], meta=meta)


def with_reviewed(atlas: Atlas, found: ReviewedFacts) -> Atlas:
    """The atlas with the reviewed facts as facts (panel, timeline, disagreements, exports) and the
    documents they cite in its corpus (their passages are shown with the citation marked)."""
    if not found.facts and not found.problems:
        return atlas
    corpus = Corpus(documents={**found.documents, **atlas.corpus.documents}, problems=atlas.corpus.problems)
    facts = FactSet(facts=[*atlas.facts.facts, *found.facts], problems=atlas.facts.problems)
    return Atlas(zones=atlas.zones, facts=facts, corpus=corpus, references=atlas.references,
                 problems=[*atlas.problems, *found.problems])


def export_reviewed(store: Store) -> str:
    """The reviewed facts as a ``geodata/facts.json`` file (schema ``atlas-facts/1``), ordered by id, diff-friendly."""
    found = reviewed_facts(store)
    facts = sorted(found.facts, key=lambda f: f.id)
    payload = {"schema": SCHEMA, "description": "Facts reviewed by curators in the corpus store "
                                                "(python -m components review export).",
               "facts": [f.as_dict() for f in facts]}
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class ReviewedItem:
    target: str
    kind: str
    doc_id: str
    state: str
    curator: str
    at: str
    version: int
    text: str


def reviewed_items(store: Store, doc_id: str, *, limit: int = 200) -> list[ReviewedItem]:
    """What has been reviewed in a document (confirmed, corrected or rejected), in text order; each can be reverted."""
    rows = store.query("SELECT * FROM review_state WHERE doc_id = ? AND state != 'unreviewed' ORDER BY start, target LIMIT ?",
                       (doc_id, max(1, limit)))
    return [ReviewedItem(r["target"], r["kind"], r["doc_id"], r["state"], r["curator"], r["at"], r["version"],
                         reading_text(json.loads(r["reading"]) if r["reading"] else json.loads(r["original"])))
            for r in rows]
