"""Measurements of each zone: geodesic area, gazetteer settlements inside, distance to Damascus.

Areas use pyproj's ``Geod`` (Karney's geodesic polygon area on WGS84);
distances use geopy's geodesic distance on the same ellipsoid.
"""
from __future__ import annotations

from dataclasses import dataclass

from geopy.distance import geodesic
from pyproj import Geod
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points
from shapely.prepared import prep

from .gazetteer import Gazetteer, Place
from .zones import Zone

WGS84 = Geod(ellps="WGS84")
DAMASCUS_ID = "geonames:170654"


@dataclass(frozen=True)
class ZoneMeasures:
    zone_id: str
    area_km2: float
    vertex_count: int
    settlements_inside: tuple[Place, ...]
    claimed_settlements: int | None
    km_to_damascus_edge: float
    km_to_damascus_centroid: float

    @property
    def settlements_inside_count(self) -> int:
        return len(self.settlements_inside)


def geodesic_area_km2(geometry: BaseGeometry) -> float:
    area_m2, _perimeter = WGS84.geometry_area_perimeter(geometry)
    return abs(area_m2) / 1e6


def vertex_count(geometry: BaseGeometry) -> int:
    """Positions in all rings, counting each closed ring's repeated last point once."""
    polygons = getattr(geometry, "geoms", [geometry])
    total = 0
    for poly in polygons:
        for ring in [poly.exterior, *poly.interiors]:
            total += len(ring.coords) - 1
    return total


def settlements_inside(geometry: BaseGeometry, gazetteer: Gazetteer) -> tuple[Place, ...]:
    prepared = prep(geometry)
    inside = [p for p in gazetteer.settlements() if prepared.contains(Point(p.lon, p.lat))]
    return tuple(sorted(inside, key=lambda p: (-p.population, p.name)))


def km_to_point_edge(geometry: BaseGeometry, lat: float, lon: float) -> float:
    """Geodesic km from a point to the nearest point of the geometry (0 inside)."""
    point = Point(lon, lat)
    if geometry.contains(point):
        return 0.0
    nearest, _ = nearest_points(geometry, point)
    return geodesic((lat, lon), (nearest.y, nearest.x)).km


def km_to_point_centroid(geometry: BaseGeometry, lat: float, lon: float) -> float:
    c = geometry.centroid
    return geodesic((lat, lon), (c.y, c.x)).km


def measure_zone(zone: Zone, gazetteer: Gazetteer, claimed_settlements: int | None = None) -> ZoneMeasures:
    damascus = gazetteer.get(DAMASCUS_ID)
    if damascus is None:
        raise LookupError(f"the gazetteer has no Damascus ({DAMASCUS_ID})")
    return ZoneMeasures(
        zone_id=zone.id,
        area_km2=geodesic_area_km2(zone.geometry),
        vertex_count=vertex_count(zone.geometry),
        settlements_inside=settlements_inside(zone.geometry, gazetteer),
        claimed_settlements=claimed_settlements,
        km_to_damascus_edge=km_to_point_edge(zone.geometry, damascus.lat, damascus.lon),
        km_to_damascus_centroid=km_to_point_centroid(zone.geometry, damascus.lat, damascus.lon),
    )
