"""Curated facts and their citations (``geodata/facts.json``).

A citation is a W3C Web Annotation TextPositionSelector (``start``, ``end``:
code-point offsets into the document's text) paired with a
TextQuoteSelector (``quote``), which must equal ``text[start:end]``.
The schema is documented in ``geodata/FACTS.md``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .documents import Corpus
from .jsonload import load_checked
from .problems import Problem

SCHEMA = "atlas-facts/1"
SCHEMA_FILE = "facts.schema.json"  # geodata/schemas/: structure, checked before the rules below
ALL_ZONES = "all"
KINDS = (
    "settlements", "population", "status", "event", "party", "guarantor", "observer",
    "exclusion", "area", "task", "body", "assessment", "conflict",
)
VALUE_TYPES = ("integer", "date", "enum", "text", "list")
STATUS_VALUES = ("declared", "borders-agreed", "agreement-reached", "operating", "under-consultation")
DATE_PRECISIONS = ("day", "month", "early-month")
EVENT_TYPES = (
    "astana-agreement", "memorandum-signed", "in-force", "borders-agreed", "borders-reported",
    "agreement-reached", "agreement-announced", "statement",
)
QUALIFIERS = ("exactly", "more than", "fewer than", "about")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
RELATIVE_DATE_RE = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
    r"last week|(?:early|mid|late)[- ](?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RelativeDate:
    """How relative words in a quote ("Thursday", "early July") were resolved."""

    words: str
    anchor: dt.date
    resolved: str  # ISO date or month
    rule: str


@dataclass(frozen=True)
class Speaker:
    """Who said the cited words, as the document names them: ``name`` (and ``role``) in our words, and the
    attribution ("Russian Foreign Minister Sergei Lavrov", "Lavrov pointed out") as a span of the same
    document (``start``, ``end``, ``quote``), checked like a citation. A reviewed fact's speaker, typed by a
    curator, has no span (``start`` is None)."""

    name: str
    role: str = ""
    start: int | None = None
    end: int | None = None
    quote: str = ""

    @property
    def label(self) -> str:
        """'Sergei Lavrov, Russian Foreign Minister'."""
        return f"{self.name}, {self.role}" if self.role else self.name

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.role:
            out["role"] = self.role
        if self.start is not None:
            out.update(start=self.start, end=self.end, quote=self.quote)
        return out


@dataclass(frozen=True)
class Citation:
    doc: str
    start: int
    end: int
    quote: str
    relative: RelativeDate | None = None
    speaker: Speaker | None = None  # who said it, where the document names them

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc": self.doc, "start": self.start, "end": self.end, "quote": self.quote}
        if self.speaker:
            out["speaker"] = self.speaker.as_dict()
        if self.relative:
            out["relative"] = {
                "words": self.relative.words, "anchor": self.relative.anchor.isoformat(),
                "resolved": self.relative.resolved, "rule": self.relative.rule,
            }
        return out


@dataclass(frozen=True)
class Fact:
    id: str
    zone: str
    kind: str
    title: str
    value_type: str
    value: Any
    citations: tuple[Citation, ...]
    qualifier: str | None = None
    date_precision: str | None = None
    related_zones: tuple[str, ...] = ()
    unit: str | None = None  # what a count counts ("settlements", "people"), when the fact says it (reviewed facts do)
    references: tuple[str, ...] = ()
    note: str = ""
    as_of: str | None = None  # ISO date a status was reported true (status facts)
    event: str | None = None  # machine-readable event type (event facts), see EVENT_TYPES
    # set only for facts a curator reviewed in the corpus store (components/review.py); not part of facts.json
    reviewed_by: str = ""
    reviewed_on: str = ""
    original: str = ""  # the pipeline's reading, kept

    def applies_to(self, zone_id: str) -> bool:
        return self.zone in (zone_id, ALL_ZONES) or zone_id in self.related_zones

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "zone": self.zone, "kind": self.kind, "title": self.title,
            "value_type": self.value_type, "value": list(self.value) if isinstance(self.value, tuple) else self.value,
        }
        if self.qualifier:
            out["qualifier"] = self.qualifier
        if self.unit:
            out["unit"] = self.unit
        if self.date_precision:
            out["date_precision"] = self.date_precision
        if self.related_zones:
            out["related_zones"] = list(self.related_zones)
        if self.references:
            out["references"] = list(self.references)
        if self.note:
            out["note"] = self.note
        if self.as_of:
            out["as_of"] = self.as_of
        if self.event:
            out["event"] = self.event
        out["citations"] = [c.as_dict() for c in self.citations]
        return out


@dataclass
class FactSet:
    facts: list[Fact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def for_zone(self, zone_id: str) -> list[Fact]:
        return [f for f in self.facts if f.applies_to(zone_id)]

    def by_id(self) -> dict[str, Fact]:
        return {f.id: f for f in self.facts}


class _FactParser:
    """Turns schema-checked JSON (``facts.schema.json``) into typed facts, collecting every problem of meaning."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, message))

    def parse_all(self, raw: dict[str, Any]) -> list[Fact]:
        if raw["schema"] != SCHEMA:
            self.problem("schema", f"expected {SCHEMA!r}, got {raw['schema']!r}")
        facts: list[Fact] = []
        seen: set[str] = set()
        for item in raw["facts"]:
            fact = self.parse_fact(item)
            if fact is None:
                continue
            if fact.id in seen:
                self.problem(f"fact {fact.id}", "duplicate fact id")
                continue
            seen.add(fact.id)
            facts.append(fact)
        return facts

    def parse_fact(self, item: dict[str, Any]) -> Fact | None:
        fid = item["id"]
        where = f"fact {fid}"
        kind, value_type = item["kind"], item["value_type"]
        if kind not in KINDS:
            self.problem(where, f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
        if value_type not in VALUE_TYPES:
            self.problem(where, f"unknown value_type {value_type!r} (expected one of {', '.join(VALUE_TYPES)})")
            return None
        value = self.parse_value(item, where)
        citations = self.parse_citations(item["citations"], where)
        if value is None:
            return None
        as_of = item.get("as_of")
        if as_of is not None and parse_iso_date(as_of, "day") is None:
            self.problem(where, f"as_of {as_of!r} is not an ISO date (YYYY-MM-DD)")
            as_of = None
        if kind == "status" and as_of is None:
            self.problem(where, "a status fact needs 'as_of': the date the source reports it true")
        event = item.get("event")
        if kind == "event" and event not in EVENT_TYPES:
            self.problem(where, f"event type {event!r} is not one of {', '.join(EVENT_TYPES)}")
            event = None
        qualifier = item.get("qualifier")
        if qualifier is not None and qualifier not in QUALIFIERS:
            self.problem(where, f"unknown qualifier {qualifier!r} (expected one of {', '.join(QUALIFIERS)})")
        unit = item.get("unit")
        if unit is not None and value_type != "integer":
            self.problem(where, f"unit {unit!r} given for a {value_type} fact: only a count has a unit")
            unit = None
        return Fact(
            id=fid, zone=item["zone"], kind=kind, title=item["title"], value_type=value_type,
            value=value, citations=citations, qualifier=qualifier, unit=unit,
            date_precision=item.get("date_precision"),
            related_zones=tuple(item.get("related_zones") or ()),
            references=tuple(item.get("references") or ()),
            note=item.get("note") or "",
            as_of=as_of,
            event=event,
        )

    def parse_value(self, item: dict, where: str) -> Any:
        value_type, value = item["value_type"], item.get("value")
        if value_type == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                self.problem(where, f"value must be an integer, got {value!r}")
                return None
            return value
        if value_type == "date":
            precision = item.get("date_precision")
            if precision not in DATE_PRECISIONS:
                self.problem(where, f"date_precision must be one of {', '.join(DATE_PRECISIONS)}, got {precision!r}")
                return None
            if parse_iso_date(value, precision) is None:
                self.problem(where, f"value {value!r} is not an ISO date of precision {precision!r}")
                return None
            return value
        if value_type == "enum":
            if item["kind"] == "status" and value not in STATUS_VALUES:
                self.problem(where, f"status {value!r} is not one of {', '.join(STATUS_VALUES)}")
                return None
            if not isinstance(value, str):
                self.problem(where, f"enum value must be text, got {value!r}")
                return None
            return value
        if value_type == "list":
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                self.problem(where, "value must be a non-empty list of text")
                return None
            return tuple(value)
        if not isinstance(value, str) or not value.strip():
            self.problem(where, "value must be non-empty text")
            return None
        return value

    def parse_citations(self, raw: list[dict[str, Any]], where: str) -> tuple[Citation, ...]:
        out: list[Citation] = []
        for n, c in enumerate(raw):
            relative = self.parse_relative(c.get("relative"), f"{where} citation {n}")
            raw_speaker = c.get("speaker")
            speaker = Speaker(name=raw_speaker["name"], role=raw_speaker.get("role", ""), start=raw_speaker["start"],
                              end=raw_speaker["end"], quote=raw_speaker["quote"]) if raw_speaker else None
            out.append(Citation(doc=c["doc"], start=c["start"], end=c["end"], quote=c["quote"], relative=relative,
                                speaker=speaker))
        return tuple(out)

    def parse_relative(self, raw: dict[str, str] | None, where: str) -> RelativeDate | None:
        if raw is None:
            return None
        try:
            anchor = dt.date.fromisoformat(raw["anchor"])
        except ValueError:
            self.problem(where, f"relative date anchor {raw['anchor']!r} is not an ISO date")
            return None
        return RelativeDate(words=raw["words"], anchor=anchor, resolved=raw["resolved"], rule=raw["rule"])


def fact_zones(fact: Fact, zone_ids: tuple[str, ...]) -> tuple[str, ...]:
    """Zones a fact supports, in ``zone_ids`` order: its own (every zone for 'all') plus related ones."""
    own = zone_ids if fact.zone == ALL_ZONES else (fact.zone,)
    return tuple(z for z in zone_ids if z in own or z in fact.related_zones)


def parse_iso_date(value: object, precision: str | None) -> dt.date | None:
    """First day the value can mean: '2017-05-06' (day) or '2017-07' (month, early-month)."""
    if not isinstance(value, str):
        return None
    try:
        if precision == "day":
            return dt.date.fromisoformat(value)
        if precision in ("month", "early-month") and re.fullmatch(r"\d{4}-\d{2}", value):
            return dt.date.fromisoformat(value + "-01")
    except ValueError:
        return None
    return None


def resolve_weekday(word: str, anchor: dt.date) -> dt.date | None:
    """The most recent ``word`` weekday on or before ``anchor`` (news past tense)."""
    try:
        target = WEEKDAYS.index(word.strip().lower())
    except ValueError:
        return None
    return anchor - dt.timedelta(days=(anchor.weekday() - target) % 7)


def load_facts(path: Path) -> FactSet:
    """Parse a facts file; every problem is collected in ``FactSet.problems``."""
    path = Path(path)
    loaded = load_checked(path, SCHEMA_FILE, items=("facts",))
    if not loaded.usable:
        return FactSet(problems=loaded.problems)
    parser = _FactParser(path.name)
    facts = parser.parse_all(loaded.data)
    return FactSet(facts=facts, problems=loaded.problems + parser.problems)


def citation_problems(citation: Citation, corpus: Corpus, file: str, where: str) -> list[Problem]:
    """Check one citation against the document text; empty list when it is exact."""
    doc = corpus.get(citation.doc)
    if doc is None:
        return [Problem(file, where, f"cites unknown document {citation.doc!r}")]
    n = len(doc.text)
    if not (0 <= citation.start < citation.end <= n):
        return [Problem(file, where, f"offsets {citation.start}..{citation.end} out of range for {citation.doc} ({n} characters)")]
    actual = doc.text[citation.start:citation.end]
    if actual != citation.quote:
        return [Problem(file, where, f"quote does not match {citation.doc}[{citation.start}:{citation.end}]: expected {citation.quote!r}, text has {actual!r}")]
    return []


def _words(text: str) -> str:
    """Whitespace (a no-break space too) folded to single spaces, case folded: for 'occurs in' checks."""
    return " ".join(text.split()).casefold()


def speaker_problems(citation: Citation, corpus: Corpus, file: str, where: str) -> list[Problem]:
    """A speaker's attribution span must match its document, name the speaker (the name's last word
    occurs in it) and its role must be the document's words: a speaker is never invented."""
    speaker = citation.speaker
    doc = corpus.get(citation.doc)
    if speaker is None or speaker.start is None or doc is None:
        return []
    attribution = Citation(doc=citation.doc, start=speaker.start, end=speaker.end or 0, quote=speaker.quote)
    problems = [Problem(p.file, f"{where} speaker", p.message) for p in citation_problems(attribution, corpus, file, where)]
    if problems:
        return problems
    last = speaker.name.split()[-1] if speaker.name.split() else ""
    if not last or _words(last) not in _words(speaker.quote):
        problems.append(Problem(file, f"{where} speaker", f"name {speaker.name!r} does not occur in its attribution {speaker.quote!r}"))
    if speaker.role and _words(speaker.role) not in _words(doc.text):
        problems.append(Problem(file, f"{where} speaker", f"role {speaker.role!r} is not in {citation.doc}'s text"))
    return problems


def relative_date_problems(fact: Fact, citation: Citation, file: str, where: str) -> list[Problem]:
    """A date fact whose quote uses relative words must record how they were resolved."""
    if fact.value_type != "date":
        return []
    match = RELATIVE_DATE_RE.search(citation.quote)
    if citation.relative is None:
        if match:
            return [Problem(file, where, f"unresolved relative date {match.group(0)!r}: add 'relative' with words, anchor, resolved, rule")]
        return []
    rel = citation.relative
    problems: list[Problem] = []
    if rel.words.lower() not in citation.quote.lower():
        problems.append(Problem(file, where, f"relative words {rel.words!r} do not occur in the quote"))
    if rel.resolved != fact.value:
        problems.append(Problem(file, where, f"relative date resolves to {rel.resolved!r} but the fact's value is {fact.value!r}"))
    computed = resolve_weekday(rel.words, rel.anchor)
    if computed is not None and computed.isoformat() != rel.resolved:
        problems.append(Problem(file, where, f"{rel.words!r} before anchor {rel.anchor} is {computed}, not {rel.resolved}"))
    return problems


def fact_problems(facts: FactSet, corpus: Corpus, zone_ids: set[str], reference_ids: set[str], file: str) -> list[Problem]:
    """Cross-file checks: zones, documents, offsets, quotes, relative dates, references."""
    problems: list[Problem] = []
    valid_zones = zone_ids | {ALL_ZONES}
    for fact in facts.facts:
        where = f"fact {fact.id}"
        if fact.zone not in valid_zones:
            problems.append(Problem(file, where, f"unknown zone {fact.zone!r} (known: {', '.join(sorted(valid_zones))})"))
        for z in fact.related_zones:
            if z not in zone_ids:
                problems.append(Problem(file, where, f"unknown related zone {z!r}"))
        for ref in fact.references:
            if ref not in reference_ids:
                problems.append(Problem(file, where, f"unknown external reference {ref!r}"))
        if fact.kind == "conflict" and len(fact.citations) + len(fact.references) < 2:
            problems.append(Problem(file, where, "a conflict must cite both sides (two citations, or a citation and a reference)"))
        for n, citation in enumerate(fact.citations):
            cw = f"{where} citation {n}"
            problems += citation_problems(citation, corpus, file, cw)
            problems += speaker_problems(citation, corpus, file, cw)
            problems += relative_date_problems(fact, citation, file, cw)
    return problems
