"""Cached data for the app: loaded once per process (per data folder), shared by sessions."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import folium
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from .. import paths
from ..atlas import Atlas, DataPaths, load_atlas
from ..gazetteer import Gazetteer, GazetteerError, load_gazetteer
from ..ingest import IngestedDocument, ingest_corpus
from ..mapbuild import build_map, load_basemap, tiles_enabled
from ..measures import ZoneMeasures, measure_zone
from ..offline import AssetError, ensure_leaflet_assets
from ..problems import Problem


@dataclass
class AppData:
    atlas: Atlas
    paths: DataPaths
    gazetteer: Gazetteer | None
    measures: dict[str, ZoneMeasures]
    basemap: dict | None
    tiles: bool
    ingested: dict[str, IngestedDocument] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _claimed_settlements(atlas: Atlas, zone_id: str) -> int | None:
    for fact in atlas.facts.facts:
        if fact.zone == zone_id and fact.kind == "settlements":
            return int(fact.value)
    return None


def _load_gazetteer(data: DataPaths, problems: list[Problem]) -> Gazetteer | None:
    try:
        return load_gazetteer(data.gazetteer, data.gazetteer_extra)
    except (GazetteerError, OSError) as exc:
        problems.append(Problem(data.gazetteer.name, "", f"gazetteer not loaded: {exc}"))
        return None


def _load_basemap(data: DataPaths, problems: list[Problem]) -> dict | None:
    try:
        return load_basemap(data.basemap)
    except (OSError, ValueError) as exc:
        problems.append(Problem(data.basemap.name, "", f"basemap not drawn: {exc}"))
        return None


def _measure(atlas: Atlas, gazetteer: Gazetteer | None, problems: list[Problem]) -> dict[str, ZoneMeasures]:
    measures: dict[str, ZoneMeasures] = {}
    if gazetteer is None:
        return measures
    for zone in atlas.zones.zones:
        try:
            measures[zone.id] = measure_zone(zone, gazetteer, _claimed_settlements(atlas, zone.id))
        except LookupError as exc:
            problems.append(Problem("gazetteer", zone.id, str(exc)))
    return measures


def folder_signature(*folders: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of every file in the folders: changes when a document is added or edited."""
    entries = []
    for folder in folders:
        if folder.is_dir():
            with os.scandir(folder) as it:
                entries += [(f"{folder.name}/{e.name}", e.stat().st_size, e.stat().st_mtime_ns) for e in it if e.is_file()]
    return tuple(sorted(entries))


@st.cache_resource(show_spinner="Loading zones, facts and documents…", max_entries=2)
def load_app_data(data_root: str, uploads: str, tiles: bool, signature: tuple[tuple[str, int, int], ...] = ()) -> AppData:
    """Everything the app reads from disk; problems are collected, never raised.

    ``signature`` (see :func:`folder_signature`) is only part of the cache key.
    """
    data = DataPaths.under(Path(data_root), Path(uploads))
    atlas = load_atlas(data)
    problems = list(atlas.problems)
    try:
        ensure_leaflet_assets(app_static_dir())
    except (AssetError, OSError) as exc:
        problems.append(Problem("static/vendor/leaflet", "", str(exc)))
    gazetteer = _load_gazetteer(data, problems)
    basemap = _load_basemap(data, problems)
    measures = _measure(atlas, gazetteer, problems)
    ingested = ingest_corpus(atlas.corpus) if gazetteer is not None else {}
    return AppData(atlas=atlas, paths=data, gazetteer=gazetteer, measures=measures, basemap=basemap,
                   tiles=tiles, ingested=ingested, problems=problems)


def app_static_dir() -> Path:
    """``static/`` next to the running main script, which Streamlit serves (``paths.STATIC`` for
    ``streamlit run app.py``); tests run a copy of app.py from a temporary folder and keep theirs there."""
    ctx = get_script_run_ctx()
    script = getattr(ctx, "main_script_path", "") if ctx is not None else ""
    return Path(script).resolve().parent / "static" if script else paths.STATIC


def current_app_data() -> AppData:
    """The cached data for this process's configuration (env ATLAS_DATA_ROOT, ATLAS_UPLOADS, ATLAS_TILES).

    Reloaded when a file in geodata/, seeds/ or the uploads folder is added or changed,
    so a new article dropped into seeds/ appears on the next page load.
    """
    root, uploads = paths.data_root(), paths.uploads_dir()
    return load_app_data(str(root), str(uploads), tiles_enabled(), folder_signature(root / "geodata", root / "seeds", uploads))


def reload_app_data() -> None:
    """Forget cached data, e.g. after an upload added a document."""
    load_app_data.clear()


def fresh_map(data: AppData) -> folium.Map:
    """A new folium map from the cached data.

    Never render one map object twice: streamlit-folium mutates a map while
    rendering it (a second render doubles its script). The map's content never
    depends on the date or the selection, so the browser draws it once.
    """
    areas = {zid: m.area_km2 for zid, m in data.measures.items()}
    return build_map(data.atlas, data.basemap, tiles=data.tiles, areas=areas)
