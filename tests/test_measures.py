"""Measurements checked against figures computed independently of components/measures.py:
a closed-form ellipsoidal area, an equal-area projection, and published city coordinates."""
from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon

from components.atlas import load_atlas
from components.gazetteer import load_gazetteer
from components.measures import geodesic_area_km2, km_to_point_centroid, km_to_point_edge, measure_zone

WGS84_A, WGS84_F = 6378137.0, 1 / 298.257223563
# Published coordinates (Wikipedia / GeoNames city centres), not the project's gazetteer.
DAMASCUS = (33.5131, 36.2919)  # 33°30′47″N 36°17′31″E
HOMS = (34.7308, 36.7094)  # 34°43′51″N 36°42′34″E
ALEPPO = (36.2021, 37.1343)  # 36°12′N 37°09′E


def quadrangle_km2(lat1: float, lat2: float, dlon: float) -> float:
    """Area between two parallels and two meridians on the WGS84 ellipsoid (closed form,
    via the authalic latitude's q function)."""
    e2 = WGS84_F * (2 - WGS84_F)
    e = math.sqrt(e2)
    b2 = (WGS84_A * (1 - WGS84_F)) ** 2

    def q(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return s / (1 - e2 * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    return b2 * math.radians(dlon) * (q(lat2) - q(lat1)) / 2 / 1e6


def parallel_box(lon1: float, lat1: float, lon2: float, lat2: float, n: int = 200) -> Polygon:
    """The quadrangle with its north and south edges densified along the parallels."""
    south = [(lon1 + (lon2 - lon1) * i / n, lat1) for i in range(n + 1)]
    north = [(lon2 - (lon2 - lon1) * i / n, lat2) for i in range(n + 1)]
    return Polygon(south + north)


def haversine_km(a: tuple[float, float], b: tuple[float, float], radius: float = 6371.0088) -> float:
    (lat1, lon1), (lat2, lon2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(h))


@pytest.mark.parametrize("lat", [32.5, 33.5, 35.0])
def test_area_of_a_one_degree_box_equals_the_closed_form(lat: float) -> None:
    expected = quadrangle_km2(lat, lat + 1, 1.0)
    assert 9_000 < expected < 10_500  # ~93 km x 111 km at Syria's latitudes
    assert geodesic_area_km2(parallel_box(36.0, lat, 37.0, lat + 1)) == pytest.approx(expected, rel=1e-5)


def test_zone_areas_equal_an_equal_area_projection() -> None:
    atlas = load_atlas()
    for zone in atlas.zones.zones:
        c = zone.geometry.centroid
        laea = Transformer.from_crs("EPSG:4326", f"+proj=laea +lat_0={c.y} +lon_0={c.x} +datum=WGS84", always_xy=True)
        projected = shapely.transform(zone.geometry, lambda xy, laea=laea: np.column_stack(laea.transform(xy[:, 0], xy[:, 1])))
        projected_km2 = projected.area / 1e6
        assert geodesic_area_km2(zone.geometry) == pytest.approx(projected_km2, rel=2e-3), zone.id


@pytest.mark.parametrize("a, b, low, high", [(DAMASCUS, HOMS, 135, 145), (DAMASCUS, ALEPPO, 300, 320), (HOMS, ALEPPO, 160, 175)])
def test_distances_between_known_cities(a, b, low: float, high: float) -> None:
    to_point = km_to_point_edge(Point(b[1], b[0]), *a)
    assert low < to_point < high
    assert to_point == pytest.approx(haversine_km(a, b), rel=5e-3)  # ellipsoid vs sphere: within 0.5 %
    assert km_to_point_centroid(Point(b[1], b[0]), *a) == pytest.approx(to_point, rel=1e-9)


def test_distance_to_a_zone_edge_is_zero_inside_and_to_its_nearest_point_outside() -> None:
    box = parallel_box(36.0, 33.0, 37.0, 34.0)
    assert km_to_point_edge(box, 33.5, 36.5) == 0.0
    # 34.5°N straight north of the box: the nearest point is on the northern edge, 0.5° of latitude away
    assert km_to_point_edge(box, 34.5, 36.5) == pytest.approx(55.4, abs=0.3)


def test_zone_measures_are_plausible_against_independent_figures() -> None:
    atlas, gazetteer = load_atlas(), load_gazetteer()
    m = {z.id: measure_zone(z, gazetteer) for z in atlas.zones.zones}
    # Eastern Ghouta borders Damascus; the Idlib zone begins north of Homs and south of Aleppo
    assert m["eastern-ghouta"].km_to_damascus_edge < 10
    assert haversine_km(DAMASCUS, HOMS) < m["idlib"].km_to_damascus_edge < haversine_km(DAMASCUS, ALEPPO)
    assert 100 < m["north-homs"].km_to_damascus_centroid < 180  # the zone lies around Homs
    assert m["eastern-ghouta"].area_km2 < m["north-homs"].area_km2 < m["idlib"].area_km2
    for zone in atlas.zones.zones:
        inside = m[zone.id].settlements_inside
        assert all(zone.geometry.contains(Point(p.lon, p.lat)) for p in inside)
        outside = [p for p in gazetteer.settlements() if p not in inside]
        assert not any(zone.geometry.contains(Point(p.lon, p.lat)) for p in outside), zone.id
