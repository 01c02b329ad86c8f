"""What the side panel shows for a zone, computed from data (no Streamlit).

All text from documents is escaped by :func:`components.passages.highlight_html`
or must be escaped by the caller before it reaches HTML.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .atlas import Atlas
from .facts import ALL_ZONES, Citation, Fact, fact_zones, parse_iso_date
from .life import STATUS_DEFINITIONS
from .passages import Passage, Span, highlight_html, split_passages
from .zones import ZONE_IDS

STATUS_LABELS: dict[str, str] = {status: label for status, (label, _) in STATUS_DEFINITIONS.items()}
KIND_ORDER: tuple[str, ...] = (
    "status", "settlements", "population", "area", "event", "party", "guarantor", "observer",
    "exclusion", "task", "body", "assessment", "conflict",
)
QUALIFIER_PREFIX: dict[str, str] = {"exactly": "", "more than": "more than ", "fewer than": "fewer than ", "about": "about "}


@dataclass(frozen=True)
class FactView:
    fact: Fact
    label: str
    value_text: str
    scope: str  # "this zone", "all zones" or "also: ..."


@dataclass(frozen=True)
class PassageView:
    passage: Passage
    html: str
    fact_ids: tuple[str, ...]
    zones: tuple[str, ...]


def format_date(value: str, precision: str | None) -> str:
    first = parse_iso_date(value, precision)
    if first is None:
        return value
    if precision == "day":
        return f"{first.day} {first:%B %Y}"
    if precision == "early-month":
        return f"early {first:%B %Y}"
    return f"{first:%B %Y}"


def format_value(fact: Fact) -> str:
    """Typed value as a reader expects it: '84 settlements', 'more than 147,000 people'."""
    prefix = QUALIFIER_PREFIX.get(fact.qualifier or "exactly", "")
    if fact.kind == "settlements" and fact.value_type == "integer":
        return f"{prefix}{fact.value:,} settlements"
    if fact.kind == "population" and fact.value_type == "integer":
        return f"{prefix}{fact.value:,} people"
    if fact.value_type == "integer":
        return f"{prefix}{fact.value:,}"
    if fact.value_type == "date":
        return format_date(fact.value, fact.date_precision)
    if fact.kind == "status":
        return STATUS_LABELS.get(fact.value, fact.value)
    if fact.value_type == "list":
        return ", ".join(fact.value)
    return str(fact.value)


def fact_scope(fact: Fact, zone_id: str, zone_names: dict[str, str] | None = None) -> str:
    """'this zone', 'all zones' or 'also about the Idlib de-escalation zone' (a name, never an id)."""
    if fact.zone == ALL_ZONES:
        return "all zones"
    if fact.zone == zone_id:
        return "this zone"
    return f"also about the {(zone_names or {}).get(fact.zone, 'another zone')}"


def fact_label(fact: Fact) -> str:
    """What a mark in a passage says it supports: 'Settlements included: 84 settlements' (never an id).
    A fact whose title is its value ("Committee of National Justice") is named once."""
    value = format_value(fact)
    return fact.title if value.casefold().startswith(fact.title.casefold()) else f"{fact.title}: {value}"


def fact_sort_key(fact: Fact) -> tuple[int, str, str]:
    kind_rank = KIND_ORDER.index(fact.kind) if fact.kind in KIND_ORDER else len(KIND_ORDER)
    date_key = fact.value if fact.value_type == "date" else ""
    return (kind_rank, date_key, fact.id)


def zone_fact_views(atlas: Atlas, zone_id: str) -> list[FactView]:
    facts = sorted(atlas.facts_for(zone_id), key=fact_sort_key)
    names = {z.id: z.name for z in atlas.zones.zones}
    return [FactView(fact=f, label=f.title, value_text=format_value(f), scope=fact_scope(f, zone_id, names)) for f in facts]


MARK_PREFIX = "Supports: "  # a mark's tooltip: "Supports: Settlements included: 84 settlements"
MARK_JOIN = "; "


def citation_spans(facts: list[Fact], doc_id: str) -> list[Span]:
    """The facts' cited spans in one document, each labelled with the fact it supports, in words."""
    return [Span(c.start, c.end, (fact_label(f),)) for f in facts for c in f.citations if c.doc == doc_id]


def passage_views(atlas: Atlas, doc_id: str, facts: list[Fact], only_cited: bool) -> list[PassageView]:
    """Passages of one document with the given facts' citations marked."""
    doc = atlas.corpus.get(doc_id)
    if doc is None:
        return []
    cited = [(f, c) for f in facts for c in f.citations if c.doc == doc_id]
    spans = citation_spans(facts, doc_id)  # in the same order as ``cited``
    views: list[PassageView] = []
    for passage in split_passages(doc_id, doc.text):
        inside = [(fc, s) for fc, s in zip(cited, spans, strict=True) if passage.overlaps(s.start, s.end)]
        if only_cited and not inside:
            continue
        supported = {f.id: f for (f, _), _ in inside}
        zones = tuple(z for z in ZONE_IDS if any(z in fact_zones(f, ZONE_IDS) for f in supported.values()))
        views.append(PassageView(
            passage=passage, html=highlight_html(doc.text, passage.start, passage.end, [s for _, s in inside],
                                                 title_prefix=MARK_PREFIX, title_join=MARK_JOIN),
            fact_ids=tuple(sorted(supported)), zones=zones,
        ))
    return views


def zone_passages(atlas: Atlas, zone_id: str) -> dict[str, list[PassageView]]:
    """Per document (newest first): passages that support the zone's facts, spans marked."""
    facts = atlas.facts_for(zone_id)
    out: dict[str, list[PassageView]] = {}
    for doc in atlas.corpus.newest_first():
        views = passage_views(atlas, doc.id, facts, only_cited=True)
        if views:
            out[doc.id] = views
    return out


def document_views(atlas: Atlas, doc_id: str) -> list[PassageView]:
    """The whole document, every curated citation marked."""
    return passage_views(atlas, doc_id, atlas.facts.facts, only_cited=False)


def citation_passage(citation: Citation, atlas: Atlas) -> Passage | None:
    doc = atlas.corpus.get(citation.doc)
    if doc is None:
        return None
    for passage in split_passages(doc.id, doc.text):
        if passage.overlaps(citation.start, citation.end):
            return passage
    return None


@dataclass(frozen=True)
class BoundaryQuality:
    """How a zone's drawn extent was made and how far to trust it, in words for people."""

    method: str
    confidence: str  # "medium-low"; "" when not recorded
    precision: str  # "±2–4 km"; "" when not recorded
    statement: str


_INTERNAL_METHOD = re.compile(r"zones\.geojson|boundary\.method|\bsee its\b")


def human_measure_text(text: str) -> str:
    """'+/-3-4 km' -> '±3–4 km', '<= 1 km' -> '≤ 1 km': the data's ASCII notation for people."""
    text = text.replace("+/-", "±").replace("<=", "≤").replace(">=", "≥")
    return re.sub(r"\b(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)(?= ?km\b)", "\\1–\\2", text)


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def boundary_quality(zone_properties: dict[str, Any], extent_properties: dict[str, Any] | None = None) -> BoundaryQuality:
    """The zone's boundary method, confidence and precision; a dated extent's own method and confidence
    where it records them ("as previous" and "see zones.geojson" fall back to the zone's)."""
    base_conf = _as_dict(zone_properties.get("confidence"))
    base_method = str((zone_properties.get("boundary") or {}).get("method", ""))
    extent = extent_properties or {}
    method = str(extent.get("method") or "")
    if not method or _INTERNAL_METHOD.search(method):
        method = base_method
    conf = _as_dict(extent.get("confidence"))
    if not conf or str(conf.get("level", "")).startswith("as previous"):
        conf = base_conf
    precision = str(conf.get("precision_km") or base_conf.get("precision_km") or "")
    if precision:
        number, _, rest = precision.partition(" ")
        precision = f"±{number.replace('-', '–')} km{(' ' + rest) if rest else ''}"
    return BoundaryQuality(method=human_measure_text(method), confidence=str(conf.get("level", "")),
                           precision=human_measure_text(precision), statement=human_measure_text(str(conf.get("statement", ""))))
