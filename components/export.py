"""Exports: zones joined with their facts as GeoJSON, and facts as CSV."""
from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any

from .atlas import Atlas
from .facts import Fact

CSV_COLUMNS = (
    "fact_id", "zone", "kind", "title", "value", "value_type", "qualifier", "date_precision",
    "doc", "start", "end", "quote", "relative_words", "relative_anchor", "references",
)


def zones_geojson(atlas: Atlas) -> dict[str, Any]:
    """A FeatureCollection of the zones; ``properties.facts`` holds each zone's facts with citations.

    ``metadata.documents`` lists the atlas corpus: the bundled ``seeds/``, the documents curated facts
    may cite (bounded, whatever the number of uploads); uploaded documents are not listed here.
    """
    features = []
    for zone in atlas.zones.zones:
        feature = copy.deepcopy(zone.feature)
        feature["properties"]["facts"] = [fact.as_dict() for fact in atlas.facts_for(zone.id)]
        features.append(feature)
    metadata = dict(atlas.zones.metadata)
    metadata["facts"] = "geodata/facts.json (citations: doc, start, end, quote; offsets are code points)"
    metadata["documents"] = {
        d.id: {"title": d.meta.title, "publisher": d.meta.publisher,
               "published": d.meta.published.isoformat() if d.meta.published else None, "url": d.meta.url}
        for d in atlas.corpus.documents.values()
    }
    return {"type": "FeatureCollection", "metadata": metadata, "features": features}


def format_value(fact: Fact) -> str:
    if isinstance(fact.value, tuple):
        return "; ".join(fact.value)
    return str(fact.value)


def fact_rows(facts: list[Fact]) -> list[dict[str, Any]]:
    rows = []
    for fact in facts:
        for c in fact.citations:
            rows.append({
                "fact_id": fact.id, "zone": fact.zone, "kind": fact.kind, "title": fact.title,
                "value": format_value(fact), "value_type": fact.value_type,
                "qualifier": fact.qualifier or "", "date_precision": fact.date_precision or "",
                "doc": c.doc, "start": c.start, "end": c.end, "quote": c.quote,
                "relative_words": c.relative.words if c.relative else "",
                "relative_anchor": c.relative.anchor.isoformat() if c.relative else "",
                "references": " ".join(fact.references),
            })
    return rows


def facts_csv(atlas: Atlas) -> str:
    """One row per fact and citation."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(fact_rows(atlas.facts.facts))
    return buffer.getvalue()


LPF_CONTEXT = "https://raw.githubusercontent.com/LinkedPasts/linked-places-format/main/linkedplaces-context-v1.1.jsonld"
ATLAS_NS = "https://deescalation-atlas.invalid/"


def timespan(start: str, end: str) -> dict[str, Any]:
    return {"start": {"in": start}, "end": {"in": end}}


def linked_places(atlas: Atlas) -> dict[str, Any]:
    """Zones as Linked Places Format (GeoJSON-LD): status periods as ``types`` with ``when``."""
    from .panels import STATUS_LABELS
    from .timeline import TIMELINE_END, status_periods, transitions

    features = []
    for zone in atlas.zones.zones:
        periods = status_periods(atlas, zone.id, TIMELINE_END)
        cited = {(t.status, t.effective): t.fact for t in transitions(atlas) if t.zone == zone.id}
        types = []
        for status, start, end in periods:
            fact = cited.get((status, start))
            entry: dict[str, Any] = {
                "identifier": f"{ATLAS_NS}status/{status}", "label": STATUS_LABELS.get(status, status),
                "when": {"timespans": [timespan(start.isoformat(), end.isoformat())]},
            }
            if fact:
                entry["citations"] = [{"label": fact.title, "@id": f"{ATLAS_NS}fact/{fact.id}",
                                       "selector": [c.as_dict() for c in fact.citations]}]
            types.append(entry)
        first = periods[0][1].isoformat() if periods else None
        when = {"timespans": [timespan(first, TIMELINE_END.isoformat())]} if first else None
        geometry = dict(zone.feature["geometry"])
        if first:
            geometry["when"] = {"timespans": [timespan(zone.properties.get("as_of", first), zone.properties.get("as_of", first))]}
        geometry["certainty"] = "less-certain"
        features.append({
            "@id": f"{ATLAS_NS}zone/{zone.id}", "type": "Feature",
            "properties": {"title": zone.name, "ccodes": ["SY"]},
            "when": when,
            "names": [{"toponym": name} for name in [zone.name, *zone.aliases]],
            "types": types,
            "geometry": {"type": "GeometryCollection", "geometries": [geometry]},
            "descriptions": [{"value": str(zone.properties.get("confidence", ""))}],
        })
    return {"type": "FeatureCollection", "@context": LPF_CONTEXT, "features": features}


def render(atlas: Atlas, fmt: str) -> str:
    if fmt == "geojson":
        return json.dumps(zones_geojson(atlas), ensure_ascii=False, indent=1) + "\n"
    if fmt == "lpf":
        return json.dumps(linked_places(atlas), ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return facts_csv(atlas)
    raise ValueError(f"unknown export format {fmt!r} (use geojson, lpf or csv)")
