"""Cached data for the app: loaded once per process, shared by sessions."""
from __future__ import annotations

from dataclasses import dataclass, field

import folium
import streamlit as st

from .. import paths
from ..atlas import Atlas, DataPaths, load_atlas
from ..gazetteer import Gazetteer, GazetteerError, load_gazetteer
from ..mapbuild import build_map, load_basemap, tiles_enabled
from ..measures import ZoneMeasures, measure_zone
from ..offline import AssetError, ensure_leaflet_assets
from ..problems import Problem


@dataclass
class AppData:
    atlas: Atlas
    gazetteer: Gazetteer | None
    measures: dict[str, ZoneMeasures]
    basemap: dict | None
    tiles: bool
    problems: list[Problem] = field(default_factory=list)


def _claimed_settlements(atlas: Atlas, zone_id: str) -> int | None:
    for fact in atlas.facts.facts:
        if fact.zone == zone_id and fact.kind == "settlements":
            return int(fact.value)
    return None


@st.cache_resource(show_spinner="Loading zones, facts and documents…")
def load_app_data() -> AppData:
    """Everything the app reads from disk; problems are collected, never raised."""
    atlas = load_atlas(DataPaths.default())
    problems = list(atlas.problems)
    try:
        ensure_leaflet_assets()
    except (AssetError, OSError) as exc:
        problems.append(Problem("static/vendor/leaflet", "", str(exc)))
    gazetteer: Gazetteer | None = None
    try:
        gazetteer = load_gazetteer()
    except (GazetteerError, OSError) as exc:
        problems.append(Problem(paths.GAZETTEER_FILE.name, "", str(exc)))
    basemap = None
    try:
        basemap = load_basemap(paths.BASEMAP_FILE)
    except (OSError, ValueError) as exc:
        problems.append(Problem(paths.BASEMAP_FILE.name, "", f"basemap not drawn: {exc}"))
    measures: dict[str, ZoneMeasures] = {}
    if gazetteer is not None:
        for zone in atlas.zones.zones:
            try:
                measures[zone.id] = measure_zone(zone, gazetteer, _claimed_settlements(atlas, zone.id))
            except LookupError as exc:
                problems.append(Problem(paths.GAZETTEER_FILE.name, zone.id, str(exc)))
    return AppData(atlas=atlas, gazetteer=gazetteer, measures=measures, basemap=basemap,
                   tiles=tiles_enabled(), problems=problems)


def fresh_map(data: AppData) -> folium.Map:
    """A new folium map for this run, from cached data (a few ms).

    Not cached itself: streamlit-folium mutates a map while rendering it, so a
    map object reused across runs doubles its script. The map's content never
    depends on the selection, so the browser keeps the map it already drew.
    """
    areas = {zid: m.area_km2 for zid, m in data.measures.items()}
    return build_map(data.atlas, data.basemap, tiles=data.tiles, areas=areas)
