"""Cached data for the app: loaded once per dataset version, shared by sessions.

The dataset version (:func:`components.version.dataset_version`, a hash of the geodata/
and seeds/ files and the pipeline version, plus the corpus store's revision; uploads are
reached only through the store, so no upload is read or stat'ed per script run) is the key of this cache
and of every cache derived from the data (map, timeline, downloads): a changed, added,
uploaded or removed document gives a new version, so nothing derived from the old data
is served again.

Documents are ingested once, into the corpus store (:mod:`components.store`): the store
is opened once per process and brought up to date (new or changed files only) when the
dataset's files change; the panels read bounded pages from it. When the store cannot be
used, the map and the curated facts still work and the reason is listed as a problem.
"""
from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import folium
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ..atlas import Atlas, DataPaths, load_atlas
from ..basemap import read_basemap
from ..gazetteer import Gazetteer, GazetteerError, gazetteer_for
from ..mapbuild import build_map
from ..measures import ZoneMeasures, measure_zone
from ..offline import AssetError, ensure_leaflet_assets
from ..problems import Problem
from ..review import reviewed_facts, with_reviewed
from ..runsignal import runs_in_flight
from ..settings import Settings, SettingsError, current_settings
from ..store import Store, StoreError, open_store
from ..store.db import default_db_path, default_location, is_database_url
from ..store.ingest import failed, start_up
from ..store.queries import PlaceCount, place_counts, store_revision
from ..store.queue import has_pending
from ..version import LOAD_ATTEMPTS, InputsChanged, dataset_version, folder_stamp
from ..worker import ensure_worker
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
    store: Store | None = None  # the corpus store (None when it cannot be used: see problems)
    uploads: Path | None = None  # where the app stores uploaded documents
    problems: list[Problem] = field(default_factory=list)
    # what the base map is drawn from (data files + reviewed facts), without the store's revision: a document
    # ingested by the worker changes ``version`` but not this, so the map is not built again (only its markers)
    map_version: str = ""


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
    """The basemap's drawable features; an empty or broken file (or feature) is listed as a problem."""
    basemap, found = read_basemap(data.basemap)
    problems += found
    return basemap


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


def store_problems(store: Store) -> list[Problem]:
    """Documents the store could not use (failed, with the reason). Pending ones are not problems: the
    ingest worker takes them (a document that keeps stopping workers fails, :mod:`components.store.queue`),
    and the uploader sees their progress."""
    return [Problem(doc_id, "", f"document not ingested: {reason}") for doc_id, reason in failed(store)]


@st.cache_resource(show_spinner=False, max_entries=4)
def app_store(db_path: str) -> Store:
    """The corpus store, opened (and migrated) once per process and file; a StoreError is not cached."""
    return open_store(db_path if is_database_url(db_path) else Path(db_path))


@st.cache_resource(show_spinner="Bringing the corpus store up to date…", max_entries=8)
def synced_store(db_path: str, seeds: str, uploads: str, files: str, revision: str, uploads_stamp: str) -> Store:
    """The store after :func:`start_up` (finish interrupted work, ingest only new or changed files);
    run again only when the dataset's files (``files``, their version: geodata/ and seeds/), the
    stored documents (``revision``: another process or dataset wrote) or the uploads folder itself
    (``uploads_stamp``: one stat of the folder, a file dropped in or removed by hand) change -- and
    then it reads only what changed. An upload edited in place is picked up at the next start."""
    store = app_store(db_path)
    start_up(store, Path(seeds), Path(uploads) if Path(uploads).is_dir() else None, background=True)
    if has_pending(store):  # queued uploads, interrupted work: the worker ingests them, not this run
        ensure_worker(Path(db_path))
    return store


# (db, seeds, uploads, files version, uploads folder stamp) -> the store's revision right after
# its last sync: a run whose revision still equals it needs no sync (not even a cache miss of
# synced_store after the revision its own sync produced, which would list every upload again).
_synced_at: dict[tuple[str, ...], str] = {}


def _sync_key(db_path: str, data: DataPaths, uploads: Path) -> tuple[str, ...]:
    return (db_path, str(data.seeds[0]), str(uploads), dataset_version(data), folder_stamp(uploads))


def note_own_upload(data: AppData) -> None:
    """After this app stored an upload (file and rows, committed), the store already matches the uploads
    folder: remember that, so the next run does not sync the whole folder again (one stat per file, ~0.3 s
    at 5,000 documents) just because the folder's stamp moved. A file dropped in by hand at the same
    moment is seen at the folder's next change or the next start."""
    if data.store is None or data.uploads is None:
        return
    with contextlib.suppress(StoreError, OSError):
        _synced_at[_sync_key(str(data.store.path), data.paths, data.uploads)] = store_revision(data.store)


def store_or_problem(db_path: str, data: DataPaths, uploads: Path) -> tuple[Store | None, str]:
    """The synced store, or None and why it cannot be used (never raises)."""
    try:
        key = _sync_key(db_path, data, uploads)
        revision = store_revision(app_store(db_path))
        if _synced_at.get(key) == revision:
            return app_store(db_path), ""
        store = synced_store(key[0], key[1], key[2], key[3], revision, key[4])
        if len(_synced_at) >= 64:
            _synced_at.clear()
        _synced_at[key] = store_revision(store)
        return store, ""
    except StoreError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"corpus store {db_path}: {exc}"


def full_version(data: DataPaths, store: Store | None) -> str:
    """The dataset version with the store's revision: changes when a document is added or removed."""
    if store is None:
        return dataset_version(data) + "-nostore"
    try:
        return dataset_version(data) + "-" + store_revision(store)
    except StoreError:
        return dataset_version(data) + "-nostore"


@dataclass(frozen=True)
class FileData:
    """What the app reads from the data files alone (no store): loaded once per version of those files."""

    atlas: Atlas
    gazetteer: Gazetteer | None
    measures: dict[str, ZoneMeasures]
    basemap: dict | None
    problems: tuple[Problem, ...]


@st.cache_resource(show_spinner="Loading zones and facts…", max_entries=2)
def load_file_data(data_root: str, uploads: str, files_version: str, _final: bool = False) -> FileData:
    """The data files (zones, facts, gazetteer, basemap; schemas checked), keyed by their version only: a
    document added to or ingested into the store (a new store revision) does not read and check them again."""
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
    if not _final and dataset_version(data) != files_version:
        raise InputsChanged(data_root)
    return FileData(atlas, gazetteer, measures, basemap, tuple(problems))


@st.cache_resource(show_spinner="Loading zones, facts and documents…", max_entries=2)
def load_app_data(data_root: str, uploads: str, tiles: bool, version: str, db_path: str = "", store_problem: str = "",
                  _final: bool = False) -> AppData:
    """Everything the app reads from disk; problems are collected, never raised.

    ``version`` is :func:`dataset_version` of the data, computed before reading it; if it
    differs afterwards (a file changed meanwhile) nothing is cached (:class:`InputsChanged`)
    unless ``_final``. The files themselves are read once per version of the files
    (:func:`load_file_data`); a new store revision only re-reads the store's part.
    """
    data = DataPaths.under(Path(data_root), Path(uploads))
    files = load_file_data(data_root, uploads, dataset_version(data), _final)
    atlas, problems = files.atlas, list(files.problems)
    store: Store | None = None
    reviewed_key = ""
    if store_problem:
        problems.append(Problem("corpus store", "", f"{store_problem} — search, linked passages and place markers are off"))
    elif db_path:
        store = app_store(db_path)
        try:
            problems += store_problems(store)
        except StoreError as exc:
            problems.append(Problem("corpus store", "", str(exc)))
        reviewed = reviewed_facts(store)  # confirmed or corrected by a curator: facts like the curated ones
        atlas = with_reviewed(atlas, reviewed)
        problems += reviewed.problems
        reviewed_key = hashlib.sha256(repr(reviewed.facts).encode()).hexdigest()[:16]
    if not _final and full_version(data, store) != version:
        raise InputsChanged(data_root)
    return AppData(atlas=atlas, paths=data, gazetteer=files.gazetteer, measures=files.measures, basemap=files.basemap,
                   tiles=tiles, version=version, store=store, uploads=Path(uploads), problems=problems,
                   map_version=f"{dataset_version(data)}-{reviewed_key}")


@contextlib.contextmanager
def script_run_signal() -> Iterator[None]:
    """Around a script run: tells the ingest worker this server has a run in flight (it pauses meanwhile,
    :mod:`components.runsignal`). Bad settings: no signal (the run itself shows the message)."""
    try:
        db = default_location()
    except SettingsError:
        yield
        return
    with runs_in_flight(db).run():
        yield


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

    Loaded again when its version changes: a document dropped into seeds/ or uploaded (through
    the app, the CLI, or dropped into the uploads folder), or any data file edited, appears on
    the next run.
    """
    settings = settings_or_stop()
    data = DataPaths.under(settings.data_root, settings.uploads)
    db_path = settings.database_url or str(settings.db if settings.db is not None else default_db_path())
    args = (str(settings.data_root), str(settings.uploads), settings.tiles)
    for _ in range(LOAD_ATTEMPTS - 1):
        store, problem = store_or_problem(db_path, data, settings.uploads)
        try:
            return load_app_data(*args, full_version(data, store), db_path, problem)
        except InputsChanged:
            continue
    store, problem = store_or_problem(db_path, data, settings.uploads)
    return load_app_data(*args, full_version(data, store), db_path, problem, _final=True)


def fresh_map(data: AppData) -> folium.Map:
    """A new folium map from the cached data.

    Never render one map object twice: streamlit-folium mutates a map while
    rendering it (a second render doubles its script). The map's content never
    depends on the date or the selection, so the browser draws it once.
    """
    areas = {zid: m.area_km2 for zid, m in data.measures.items()}
    return build_map(data.atlas, data.basemap, tiles=data.tiles, areas=areas)


def stored_place_markers(data: AppData) -> list[PlaceCount]:
    """One map marker per settlement the stored documents mention (bounded: the most mentioned first)."""
    if data.store is None:
        return []
    try:
        return place_counts(data.store)
    except StoreError:
        return []
