"""What the side panel shows for a zone, computed from data (no Streamlit).

All text from documents is escaped by :func:`components.passages.highlight_html`
or must be escaped by the caller before it reaches HTML.
"""
from __future__ import annotations

from dataclasses import dataclass

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


def fact_scope(fact: Fact, zone_id: str) -> str:
    if fact.zone == ALL_ZONES:
        return "all zones"
    if fact.zone == zone_id:
        return "this zone"
    return f"shared with {fact.zone}"


def fact_sort_key(fact: Fact) -> tuple[int, str, str]:
    kind_rank = KIND_ORDER.index(fact.kind) if fact.kind in KIND_ORDER else len(KIND_ORDER)
    date_key = fact.value if fact.value_type == "date" else ""
    return (kind_rank, date_key, fact.id)


def zone_fact_views(atlas: Atlas, zone_id: str) -> list[FactView]:
    facts = sorted(atlas.facts_for(zone_id), key=fact_sort_key)
    return [FactView(fact=f, label=f.title, value_text=format_value(f), scope=fact_scope(f, zone_id)) for f in facts]


def citation_spans(facts: list[Fact], doc_id: str) -> list[Span]:
    return [Span(c.start, c.end, (f.id,)) for f in facts for c in f.citations if c.doc == doc_id]


def passage_views(atlas: Atlas, doc_id: str, facts: list[Fact], only_cited: bool) -> list[PassageView]:
    """Passages of one document with the given facts' citations marked."""
    doc = atlas.corpus.get(doc_id)
    if doc is None:
        return []
    spans = citation_spans(facts, doc_id)
    by_id = {f.id: f for f in facts}
    views: list[PassageView] = []
    for passage in split_passages(doc_id, doc.text):
        inside = [s for s in spans if passage.overlaps(s.start, s.end)]
        if only_cited and not inside:
            continue
        fact_ids = tuple(sorted({label for s in inside for label in s.labels}))
        zones = tuple(z for z in ZONE_IDS if any(z in fact_zones(by_id[i], ZONE_IDS) for i in fact_ids))
        views.append(PassageView(
            passage=passage, html=highlight_html(doc.text, passage.start, passage.end, inside),
            fact_ids=fact_ids, zones=zones,
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
