"""Cached data for the app: loaded once per dataset version, shared by sessions.

The dataset version (:func:`components.version.dataset_version`, a hash of every input
file and the pipeline version) is the key of this cache and of every cache derived from
the data (map, timeline, downloads): a changed, added or uploaded file gives a new
version, so nothing derived from the old data is served again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import folium
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ..atlas import Atlas, DataPaths, load_atlas
from ..gazetteer import Gazetteer, GazetteerError, gazetteer_for
from ..ingest import IngestedDocument, ingest_corpus
from ..ingest.places import place_index_for
from ..ingest.zonelink import zone_linker_for
from ..mapbuild import build_map, load_basemap
from ..measures import ZoneMeasures, measure_zone
from ..offline import AssetError, ensure_leaflet_assets
from ..problems import Problem
from ..settings import Settings, SettingsError, current_settings
from ..version import LOAD_ATTEMPTS, InputsChanged, dataset_version
from .safe import text_message


@dataclass
class AppData:
    atlas: Atlas
    paths: DataPaths
    gazetteer: Gazetteer | None
    measures: dict[str, ZoneMeasures]
    basemap: dict | None
    tiles: bool
    version: str  # the dataset's content version: the key of every cache derived from it
    ingested: dict[str, IngestedDocument] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _claimed_settlements(atlas: Atlas, zone_id: str) -> int | None:
    for fact in atlas.facts.facts:
        if fact.zone == zone_id and fact.kind == "settlements":
            return int(fact.value)
    return None


def _load_gazetteer(data: DataPaths, problems: list[Problem]) -> Gazetteer | None:
    try:
        return gazetteer_for(data.gazetteer, data.gazetteer_extra)
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


def _ingest(atlas: Atlas, data: DataPaths) -> dict[str, IngestedDocument]:
    """The corpus through the pipeline with this dataset's own gazetteer and zones."""
    index = place_index_for(data.gazetteer, data.gazetteer_extra)
    linker = zone_linker_for(data.zones, data.gazetteer, data.gazetteer_extra)
    return ingest_corpus(atlas.corpus, index, linker)


@st.cache_resource(show_spinner="Loading zones, facts and documents…", max_entries=2)
def load_app_data(data_root: str, uploads: str, tiles: bool, version: str, _final: bool = False) -> AppData:
    """Everything the app reads from disk; problems are collected, never raised.

    ``version`` is :func:`dataset_version` of the data, computed before reading it; if it
    differs afterwards (a file changed meanwhile) nothing is cached (:class:`InputsChanged`)
    unless ``_final``.
    """
    data = DataPaths.under(Path(data_root), Path(uploads))
    atlas = load_atlas(data)
    problems = list(atlas.problems)
    try:
        static = app_static_dir()
        if static is not None:  # outside a Streamlit run nothing is served, so nothing is copied
            ensure_leaflet_assets(static)
    except (AssetError, OSError) as exc:
        problems.append(Problem("static/vendor/leaflet", "", str(exc)))
    gazetteer = _load_gazetteer(data, problems)
    basemap = _load_basemap(data, problems)
    measures = _measure(atlas, gazetteer, problems)
    ingested = _ingest(atlas, data) if gazetteer is not None else {}
    if not _final and dataset_version(data) != version:
        raise InputsChanged(data_root)
    return AppData(atlas=atlas, paths=data, gazetteer=gazetteer, measures=measures, basemap=basemap,
                   tiles=tiles, version=version, ingested=ingested, problems=problems)


def settings_or_stop() -> Settings:
    """This process's settings; a bad ``ATLAS_*`` value stops the page with a clear message."""
    try:
        return current_settings()
    except SettingsError as exc:
        text_message("error", f"The app is misconfigured: {exc}")
        st.stop()
        raise  # st.stop() ends the run; this line is never reached


def app_static_dir() -> Path | None:
    """``static/`` next to the running main script, which Streamlit serves (``paths.STATIC`` for
    ``streamlit run app.py``); tests run a copy of app.py from a temporary folder and keep theirs there.
    ``None`` outside a Streamlit script run (e.g. the data loaded by a test or a script)."""
    ctx = get_script_run_ctx()
    script = getattr(ctx, "main_script_path", "") if ctx is not None else ""
    return Path(script).resolve().parent / "static" if script else None


def current_app_data() -> AppData:
    """The cached data of this process's configuration (ATLAS_DATA_ROOT, ATLAS_UPLOADS, ATLAS_TILES).

    Loaded again when its version changes: a document dropped into seeds/ or uploaded,
    or any data file edited, appears on the next run.
    """
    settings = settings_or_stop()
    data = DataPaths.under(settings.data_root, settings.uploads)
    args = (str(settings.data_root), str(settings.uploads), settings.tiles)
    for _ in range(LOAD_ATTEMPTS - 1):
        try:
            return load_app_data(*args, dataset_version(data))
        except InputsChanged:
            continue
    return load_app_data(*args, dataset_version(data), _final=True)


def fresh_map(data: AppData) -> folium.Map:
    """A new folium map from the cached data.

    Never render one map object twice: streamlit-folium mutates a map while
    rendering it (a second render doubles its script). The map's content never
    depends on the date or the selection, so the browser draws it once.
    """
    areas = {zid: m.area_km2 for zid, m in data.measures.items()}
    return build_map(data.atlas, data.basemap, tiles=data.tiles, areas=areas)
