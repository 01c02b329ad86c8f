"""Exports for the tools people use: GeoJSON of the zones (flat properties: one column each in QGIS),
CSV of facts with their citations and sources (UTF-8 with BOM, Excel dialect, joined to the GeoJSON
by ``zone_id``), Linked Places JSON-LD of the zones over time, W3C Web Annotations of every citation
(:mod:`components.annotations`) and a map image (:mod:`components.mapimage`)."""
from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from typing import Any

from .atlas import Atlas
from .documents import Document
from .facts import ALL_ZONES, Citation, Fact
from .gazetteer import Gazetteer
from .uris import atlas_uri, fact_uri, place_uri, zone_uri

CSV_COLUMNS = (
    "fact_id", "zone_id", "zone_name", "related_zones", "kind", "label", "value", "unit", "qualifier",
    "date_precision", "speaker", "document_title", "publisher", "published", "published_precision", "url",
    "doc", "start", "end", "quote", "review_state", "reviewed_by", "reviewed_on",
    "relative_words", "relative_anchor", "references", "fact_uri",
)
UNIT_BY_KIND = {"settlements": "settlements", "population": "people"}  # the integer kinds: what is counted
SPREADSHEET_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ALL_ZONES_NAME = "All four zones"
FACTS_CSV_NAME = "deescalation-facts.csv"
TEXT_FORMATS = ("geojson", "csv", "lpf", "annotations")
IMAGE_FORMATS = ("png", "svg")
FORMATS = (*TEXT_FORMATS, *IMAGE_FORMATS)


# ----------------------------------------------------------------------------- GeoJSON (flat properties)
def _joined(values: Any) -> str:
    return "; ".join(str(v) for v in values or ())


def zone_properties(atlas: Atlas, zone_id: str) -> dict[str, Any]:
    """A zone's properties as scalars only (text, numbers): what QGIS and other GIS show as columns."""
    zone = atlas.zone(zone_id)
    assert zone is not None
    p = zone.properties
    confidence = p.get("confidence") or {}
    facts = atlas.facts_for(zone_id)
    return {
        "zone_id": zone.id, "name": zone.name, "uri": zone_uri(zone.id),
        "aliases": _joined(dict.fromkeys(zone.aliases)), "provinces": _joined(p.get("provinces")),
        "boundary_as_of": p.get("as_of"), "area_km2": p.get("area_km2"), "vertex_count": p.get("vertex_count"),
        "boundary_method": (p.get("boundary") or {}).get("method", ""),
        "confidence": confidence.get("level", ""), "precision_km": confidence.get("precision_km", ""),
        "uncertainty": confidence.get("statement", ""),
        "fact_count": len(facts), "citation_count": sum(len(f.citations) for f in facts),
        "facts_file": f"{FACTS_CSV_NAME} (join on zone_id; rows with zone_id 'all' concern every zone)",
    }


def documents_metadata(atlas: Atlas) -> dict[str, Any]:
    return {d.id: {"title": d.meta.title, "publisher": d.meta.publisher,
                   "published": d.meta.published.isoformat() if d.meta.published else None, "url": d.meta.url}
            for d in atlas.corpus.documents.values()}


def zones_geojson(atlas: Atlas) -> dict[str, Any]:
    """A FeatureCollection of the zones with flat properties; the facts are in the CSV (join on ``zone_id``).

    ``metadata.documents`` (a foreign member, not a column) lists the atlas corpus: the bundled ``seeds/``,
    the documents curated facts may cite (bounded, whatever the number of uploads)."""
    features = [{"type": "Feature", "id": zone.id, "properties": zone_properties(atlas, zone.id),
                 "geometry": copy.deepcopy(zone.feature["geometry"])} for zone in atlas.zones.zones]
    metadata = dict(atlas.zones.metadata)
    metadata["facts"] = f"{FACTS_CSV_NAME}: one row per fact and citation, joined to these zones by zone_id"
    metadata["documents"] = documents_metadata(atlas)
    return {"type": "FeatureCollection", "metadata": metadata, "features": features}


def evidence_columns(atlas: Atlas, fact: Fact | None) -> dict[str, Any]:
    """The evidence for a status as flat columns: the fact, its first quote (document, offsets) or its
    first external reference (in our words: publisher, title, date, URL)."""
    out: dict[str, Any] = {"evidence_fact_id": fact.id if fact else None, "evidence_label": fact.title if fact else None,
                           "evidence_doc": None, "evidence_start": None, "evidence_end": None, "evidence_quote": None,
                           "evidence_reference": None, "evidence_publisher": None, "evidence_date": None, "evidence_url": None}
    if fact is None:
        return out
    if fact.citations:
        c = fact.citations[0]
        doc = atlas.corpus.get(c.doc)
        out.update(evidence_doc=c.doc, evidence_start=c.start, evidence_end=c.end, evidence_quote=c.quote,
                   evidence_publisher=doc.meta.publisher if doc else None,
                   evidence_date=doc.meta.published.isoformat() if doc and doc.meta.published else None,
                   evidence_url=doc.meta.url if doc else None)
    refs = [atlas.references[r] for r in fact.references if r in atlas.references]
    if refs and not fact.citations:
        r = refs[0]
        out.update(evidence_reference=r.title, evidence_publisher=r.publisher, evidence_date=r.date, evidence_url=r.url)
    return out


def zones_geojson_as_of(atlas: Atlas, day: dt.date) -> dict[str, Any]:
    """RFC 7946 FeatureCollection of the zones as they were on ``day`` (flat properties): the extent valid
    then (an ended zone: its last extent), its status, the day that status began and the evidence for it."""
    from .zonetime import zones_on

    features = []
    for zone_id, state in zones_on(atlas, day).items():
        zone = atlas.zone(zone_id)
        assert zone is not None
        extent = state.extent
        props: dict[str, Any] = {
            "zone_id": zone_id, "name": zone.name, "uri": zone_uri(zone_id), "as_of": day.isoformat(),
            "status": state.status, "status_label": state.label,
            "status_since": state.status_since.isoformat() if state.status_since else None, "ended": state.ended,
            "extent_id": extent.id if extent else f"{zone_id}@mid-2017",
            "extent_valid_from": extent.valid_from.isoformat() if extent else zone.properties.get("as_of"),
            "extent_valid_to": extent.valid_to.isoformat() if extent and extent.valid_to else None,
            "area_km2": extent.area_km2 if extent else zone.properties.get("area_km2"),
            "extent_sources": _joined(extent.sources) if extent else "",
            **evidence_columns(atlas, state.status_fact),
            "latest_evidence": state.latest.end.isoformat() if state.latest else None,
        }
        geometry = extent.feature["geometry"] if extent else zone.feature["geometry"]
        features.append({"type": "Feature", "id": zone_id, "properties": props, "geometry": copy.deepcopy(geometry)})
    metadata = {"title": f"Astana de-escalation zones as of {day.isoformat()} (approximate)",
                "source": "geodata/zone_extents.geojson, geodata/facts.json, geodata/zone_life.json, geodata/references.json"}
    return {"type": "FeatureCollection", "metadata": metadata, "features": features}


# ----------------------------------------------------------------------------- CSV
def format_value(fact: Fact) -> str:
    if isinstance(fact.value, tuple):
        return "; ".join(fact.value)
    return str(fact.value)


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) gets a leading apostrophe
    (OWASP's advice against CSV injection); every other value is unchanged."""
    if isinstance(value, str) and value.startswith(SPREADSHEET_FORMULA_START):
        return "'" + value
    return value


def zone_name(atlas: Atlas, zone_id: str) -> str:
    if zone_id == ALL_ZONES:
        return ALL_ZONES_NAME
    zone = atlas.zone(zone_id)
    return zone.name if zone else zone_id


def source_columns(doc: Document | None) -> dict[str, Any]:
    """Who published the cited document, when, and where (empty when the document is not in the corpus)."""
    if doc is None:
        return {"document_title": "", "publisher": "", "published": "", "published_precision": "", "url": ""}
    m = doc.meta
    return {"document_title": doc.title, "publisher": m.publisher, "published": m.published.isoformat() if m.published else "",
            "published_precision": m.date_precision if m.published else "", "url": m.url or ""}


def speaker_of(fact: Fact, citation: Citation) -> str:
    """Who said it ('Sergei Lavrov, Russian Foreign Minister'), when the citation records a speaker; else ""."""
    return citation.speaker.label if citation.speaker else ""


def fact_row(atlas: Atlas, fact: Fact, c: Citation) -> dict[str, Any]:
    return {
        "fact_id": fact.id, "zone_id": fact.zone, "zone_name": zone_name(atlas, fact.zone),
        "related_zones": " ".join(fact.related_zones), "kind": fact.kind, "label": fact.title,
        "value": format_value(fact),
        "unit": getattr(fact, "unit", "") or (UNIT_BY_KIND.get(fact.kind, "") if fact.value_type == "integer" else ""),
        "qualifier": fact.qualifier or "", "date_precision": fact.date_precision or "", "speaker": speaker_of(fact, c),
        **source_columns(atlas.corpus.get(c.doc)),
        "doc": c.doc, "start": c.start, "end": c.end, "quote": c.quote,
        "review_state": "reviewed" if fact.reviewed_by else "curated",
        "reviewed_by": fact.reviewed_by, "reviewed_on": fact.reviewed_on,
        "relative_words": c.relative.words if c.relative else "",
        "relative_anchor": c.relative.anchor.isoformat() if c.relative else "",
        "references": " ".join(fact.references), "fact_uri": fact_uri(fact.id),
    }


def fact_rows(atlas: Atlas) -> list[dict[str, Any]]:
    """One row per fact and citation, curated and reviewed facts alike."""
    return [fact_row(atlas, fact, c) for fact in atlas.facts.facts for c in fact.citations]


def facts_csv(atlas: Atlas) -> str:
    """One row per fact and citation: UTF-8 with a byte-order mark and CRLF lines (Excel's dialect), so
    Excel and LibreOffice open it with its curly quotes and accents intact."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, dialect="excel")
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in fact_rows(atlas))
    return buffer.getvalue()


# ----------------------------------------------------------------------------- Linked Places
LPF_CONTEXT = "https://raw.githubusercontent.com/LinkedPasts/linked-places-format/main/linkedplaces-context-v1.1.jsonld"


def timespan(start: str, end: str) -> dict[str, Any]:
    return {"start": {"in": start}, "end": {"in": end}}


def unique_names(names: Any) -> list[str]:
    """Names once each (compared case-insensitively, first spelling kept), empty ones dropped."""
    seen: dict[str, str] = {}
    for name in names:
        key = str(name).strip().casefold()
        if key and key not in seen:
            seen[key] = str(name).strip()
    return list(seen.values())


def zone_description(atlas: Atlas, zone_id: str) -> str:
    props = zone_properties(atlas, zone_id)
    parts = [f"Boundary approximate (as of {props['boundary_as_of']})."] if props["boundary_as_of"] else ["Boundary approximate."]
    if props["confidence"]:
        parts.append(f"Confidence {props['confidence']}, precision {props['precision_km']} km.")
    if props["uncertainty"]:
        parts.append(props["uncertainty"])
    return " ".join(parts)


def linked_places(atlas: Atlas, gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    """Zones as Linked Places Format (GeoJSON-LD): status periods as ``types`` with ``when``; with a
    gazetteer, the gazetteer's Syrian settlements inside each zone's line as places of their own
    (GeoNames URIs) related to it."""
    from .annotations import annotation_target
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
                "identifier": atlas_uri("status", status), "label": STATUS_LABELS.get(status, status),
                "when": {"timespans": [timespan(start.isoformat(), end.isoformat())]},
            }
            if fact and fact.citations:
                entry["citations"] = [{"label": fact.title, "@id": fact_uri(fact.id),
                                       "targets": [annotation_target(atlas, c) for c in fact.citations]}]
            elif fact:  # an event told in our words after external references
                entry["citations"] = [{"label": f"{ref.publisher}: {ref.title} ({ref.date}), in our words",
                                       "@id": ref.url or atlas_uri("reference", ref.id)}
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
            "@id": zone_uri(zone.id), "type": "Feature",
            "properties": {"title": zone.name, "ccodes": ["SY"]},
            "when": when,
            "names": [{"toponym": name} for name in unique_names([zone.name, *zone.aliases])],
            "types": types,
            "geometry": {"type": "GeometryCollection", "geometries": geometries},
            "descriptions": [{"value": zone_description(atlas, zone.id), "lang": "en"}],
        })
    if gazetteer is not None:
        features += places_inside(atlas, gazetteer)
    return {"type": "FeatureCollection", "@context": LPF_CONTEXT, "features": features}


def places_inside(atlas: Atlas, gazetteer: Gazetteer) -> list[dict[str, Any]]:
    """Every gazetteer settlement inside a zone's mid-2017 line, once, with its GeoNames URI (or ours for a
    hand-curated extra) and a ``gvp:broaderPartitive`` relation to each zone it lies in."""
    from .measures import settlements_inside

    inside: dict[str, list[str]] = {}
    places = {}
    for zone in atlas.zones.zones:
        for place in settlements_inside(zone.geometry, gazetteer):
            inside.setdefault(place.id, []).append(zone.id)
            places[place.id] = place
    out = []
    for place_id in sorted(places, key=lambda i: (places[i].name, i)):
        place = places[place_id]
        out.append({
            "@id": place_uri(place.id), "type": "Feature",
            "properties": {"title": place.name, "ccodes": [place.country]},
            "names": [{"toponym": name} for name in unique_names(place.names)],
            "types": [{"identifier": "aat:300008347", "label": "inhabited place"}],
            "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
            "relations": [{"relationType": "gvp:broaderPartitive", "relationTo": zone_uri(z),
                           "label": f"inside the approximate line of the {zone_name(atlas, z)} (mid-2017)",
                           "certainty": "less-certain"} for z in inside[place_id]],
        })
    return out


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
        geometry["citations"] = [{"@id": atlas.references[r].url or atlas_uri("reference", r), "label": atlas.references[r].title}
                                 for r in extent.sources if r in atlas.references]
        out.append(geometry)
    return out


# ----------------------------------------------------------------------------- one entry point
def render(atlas: Atlas, fmt: str, as_of: dt.date | None = None, gazetteer: Gazetteer | None = None) -> str:
    """A text export: ``geojson`` (``as_of``: the zones on that day), ``csv``, ``lpf``, ``annotations``."""
    if fmt == "geojson" and as_of is not None:
        return json.dumps(zones_geojson_as_of(atlas, as_of), ensure_ascii=False, indent=1) + "\n"
    if fmt == "geojson":
        return json.dumps(zones_geojson(atlas), ensure_ascii=False, indent=1) + "\n"
    if fmt == "lpf":
        return json.dumps(linked_places(atlas, gazetteer), ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return facts_csv(atlas)
    if fmt == "annotations":
        from .annotations import web_annotations
        return json.dumps(web_annotations(atlas), ensure_ascii=False, indent=1) + "\n"
    raise ValueError(f"unknown export format {fmt!r} (use {', '.join(TEXT_FORMATS)})")
