"""The bundled basemap (``geodata/basemap.geojson``): country borders and cities, checked before drawing.

An empty or broken basemap is named as a problem (file, JSON path, what is wrong) rather than
silently drawing nothing; features that cannot be drawn are left out, each named.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .jsonload import MAX_LISTED, read_json
from .problems import Problem
from .words import plural

LAYERS = ("country", "city")
AREA_TYPES = ("Polygon", "MultiPolygon")


def _is_position(value: Any) -> bool:
    return isinstance(value, list) and len(value) >= 2 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value[:2])


def feature_problem(feature: Any) -> str | None:
    """Why one basemap feature cannot be drawn, or None."""
    if not isinstance(feature, dict):
        return "expected a GeoJSON Feature object"
    props, geom = feature.get("properties"), feature.get("geometry")
    if not isinstance(props, dict) or props.get("layer") not in LAYERS:
        return "properties.layer must be 'country' or 'city'"
    if not isinstance(geom, dict) or not isinstance(geom.get("coordinates"), list):
        return "no geometry with coordinates"
    if props["layer"] == "city" and not (geom.get("type") == "Point" and _is_position(geom["coordinates"])):
        return "a city must be a Point [lon, lat]"
    if props["layer"] == "country" and geom.get("type") not in AREA_TYPES:
        return "a country must be a Polygon or MultiPolygon"
    return None


def check_basemap(raw: Any, file: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The drawable basemap (bad features left out) and its problems; None when it has no country
    borders to draw (empty, not a FeatureCollection, or every border unusable)."""
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection" or not isinstance(raw.get("features"), list):
        return None, [Problem(file, "$", "not a GeoJSON FeatureCollection with a list of features: no basemap drawn")]
    kept: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for n, feature in enumerate(raw["features"]):
        why = feature_problem(feature)
        if why is None:
            kept.append(feature)
        elif len(problems) < MAX_LISTED:
            problems.append(Problem(file, f"$.features[{n}]", f"{why}; not drawn"))
    if not any(f["properties"]["layer"] == "country" for f in kept):
        problems.append(Problem(file, "$.features", f"no country borders to draw ({plural(len(raw['features']), 'feature')}): "
                                                     "the basemap is empty; run scripts/build_basemap.py"))
        return None, problems
    return {**raw, "features": kept}, problems


def read_basemap(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Read and check the basemap file; never raises (a missing or malformed file is a problem)."""
    loaded = read_json(path)
    if not loaded.usable:
        return None, [Problem(p.file, p.where, f"{p.message}: no basemap drawn") for p in loaded.problems]
    return check_basemap(loaded.data, Path(path).name)
