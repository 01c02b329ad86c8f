"""``python -m components validate``: every problem in every data file."""
from __future__ import annotations

from pathlib import Path

from . import paths
from .atlas import DataPaths, load_atlas
from .basemap import read_basemap
from .documents import integrity_problems
from .jsonload import load_checked
from .problems import Problem

GAZETTEER_SCHEMA = "gazetteer.schema.json"
GAZETTEER_EXTRA_SCHEMA = "gazetteer_extra.schema.json"
CURATION_SCHEMA = "zone_curation.schema.json"


def gazetteer_problems(main: Path = paths.GAZETTEER_FILE, extra: Path = paths.GAZETTEER_EXTRA_FILE) -> list[Problem]:
    """Schema problems of both gazetteer files; when there are none, the loader's own checks.

    The app's loader does not run the schemas (they would triple the gazetteer's
    load time); it stops at the first wrong entry with a clear message instead.
    """
    from .gazetteer import GazetteerError, load_gazetteer

    problems = load_checked(main, GAZETTEER_SCHEMA).problems + load_checked(extra, GAZETTEER_EXTRA_SCHEMA).problems
    if problems:
        return problems
    try:
        load_gazetteer(main, extra)
    except GazetteerError as exc:
        return [Problem(main.name, "", str(exc))]
    except FileNotFoundError as exc:
        return [Problem(Path(exc.filename or main).name, "", "file is missing")]
    return []


def curation_problems(path: Path = paths.GEODATA / "zone_curation.json") -> list[Problem]:
    """``zone_curation.json`` is read only by ``scripts/build_zones.py``; here its structure is checked."""
    return load_checked(path, CURATION_SCHEMA).problems


def basemap_problems(path: Path = paths.BASEMAP_FILE) -> list[Problem]:
    """An empty or broken basemap, and every feature that cannot be drawn (:mod:`components.basemap`)."""
    return read_basemap(path)[1]


def validate_all(data: DataPaths | None = None) -> list[Problem]:
    """Problems in documents (including any whose bytes differ from the SHA-256 their sidecar
    records), zones, facts, references, gazetteer, zone curation and basemap.

    Every curated file is checked against its schema (``geodata/schemas/``) first, then by its own rules.
    """
    from .timeline import transition_problems

    data = data or DataPaths.default()
    atlas = load_atlas(data)
    return (atlas.problems + transition_problems(atlas) + integrity_problems(atlas.corpus) + gazetteer_problems(data.gazetteer, data.gazetteer_extra)
            + curation_problems(data.curation) + basemap_problems(data.basemap))
