"""Exports: zones joined with their facts as GeoJSON, and facts as CSV."""
from __future__ import annotations

import copy
import csv
import datetime as dt
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


def zones_geojson_as_of(atlas: Atlas, day: dt.date) -> dict[str, Any]:
    """RFC 7946 FeatureCollection of the zones as they were on ``day``: the extent valid then (an ended
    zone: its last extent), its status, the day that status began and the evidence for it."""
    from .zonetime import evidence_of, zones_on

    features = []
    for zone_id, state in zones_on(atlas, day).items():
        zone = atlas.zone(zone_id)
        assert zone is not None
        props: dict[str, Any] = {
            "id": zone_id, "name": zone.name, "as_of": day.isoformat(), "status": state.status, "status_label": state.label,
            "status_since": state.status_since.isoformat() if state.status_since else None,
            "status_evidence": evidence_of(atlas, state.status_fact), "ended": state.ended,
            "extent": {"id": state.extent.id, "valid_from": state.extent.valid_from.isoformat(),
                       "valid_to": state.extent.valid_to.isoformat() if state.extent.valid_to else None,
                       "area_km2": state.extent.area_km2, "sources": state.extent.sources}
            if state.extent else {"id": f"{zone_id}@mid-2017", "area_km2": zone.properties.get("area_km2")},
            "latest_evidence": state.latest.end.isoformat() if state.latest else None,
        }
        geometry = state.extent.feature["geometry"] if state.extent else zone.feature["geometry"]
        features.append({"type": "Feature", "id": zone_id, "properties": props, "geometry": copy.deepcopy(geometry)})
    metadata = {"title": f"Astana de-escalation zones as of {day.isoformat()} (approximate)",
                "source": "geodata/zone_extents.geojson, geodata/facts.json, geodata/zone_life.json, geodata/references.json"}
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
            if fact and fact.citations:
                entry["citations"] = [{"label": fact.title, "@id": f"{ATLAS_NS}fact/{fact.id}",
                                       "selector": [c.as_dict() for c in fact.citations]}]
            elif fact:  # an event told in our words after external references
                entry["citations"] = [{"label": f"{ref.publisher}: {ref.title} ({ref.date}), in our words",
                                       "@id": ref.url or f"{ATLAS_NS}reference/{ref.id}"}
                                      for r in fact.references if (ref := atlas.references.get(r))]
            types.append(entry)
        first = periods[0][1].isoformat() if periods else None
        last = periods[-1][2].isoformat() if periods else None  # the zone's latest evidence (its end, if it ended)
        when = {"timespans": [timespan(first, last or first)]} if first else None
        geometries = dated_geometries(atlas, zone.id)
        if not geometries:
            geometry = dict(zone.feature["geometry"])
            if first:
                geometry["when"] = {"timespans": [timespan(zone.properties.get("as_of", first), zone.properties.get("as_of", first))]}
            geometry["certainty"] = "less-certain"
            geometries = [geometry]
        features.append({
            "@id": f"{ATLAS_NS}zone/{zone.id}", "type": "Feature",
            "properties": {"title": zone.name, "ccodes": ["SY"]},
            "when": when,
            "names": [{"toponym": name} for name in [zone.name, *zone.aliases]],
            "types": types,
            "geometry": {"type": "GeometryCollection", "geometries": geometries},
            "descriptions": [{"value": str(zone.properties.get("confidence", ""))}],
        })
    return {"type": "FeatureCollection", "@context": LPF_CONTEXT, "features": features}


def dated_geometries(atlas: Atlas, zone_id: str) -> list[dict[str, Any]]:
    """Every dated extent of the zone as an LPF geometry with its ``when`` (an ended zone's last extent ends
    the day before its end) and the references that decided it."""
    out = []
    for extent in atlas.life.extents_for(zone_id):
        geometry = copy.deepcopy(extent.feature["geometry"])
        end = extent.valid_to or (extent.ended_on - dt.timedelta(days=1) if extent.ended_on else None)
        span: dict[str, Any] = {"start": {"in": extent.valid_from.isoformat()}}
        if end:
            span["end"] = {"in": end.isoformat()}
        geometry["when"] = {"timespans": [span]}
        geometry["certainty"] = "less-certain"
        geometry["citations"] = [{"@id": f"{ATLAS_NS}reference/{r}", "label": atlas.references[r].title}
                                 for r in extent.sources if r in atlas.references]
        out.append(geometry)
    return out


def render(atlas: Atlas, fmt: str, as_of: dt.date | None = None) -> str:
    if fmt == "geojson" and as_of is not None:
        return json.dumps(zones_geojson_as_of(atlas, as_of), ensure_ascii=False, indent=1) + "\n"
    if fmt == "geojson":
        return json.dumps(zones_geojson(atlas), ensure_ascii=False, indent=1) + "\n"
    if fmt == "lpf":
        return json.dumps(linked_places(atlas), ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return facts_csv(atlas)
    raise ValueError(f"unknown export format {fmt!r} (use geojson, lpf or csv)")
