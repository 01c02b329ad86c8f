"""``python -m components validate``: every problem in every data file."""
from __future__ import annotations

import json
from pathlib import Path

from . import paths
from .atlas import DataPaths, load_atlas
from .documents import integrity_problems
from .problems import Problem


def gazetteer_problems(main: Path = paths.GAZETTEER_FILE, extra: Path = paths.GAZETTEER_EXTRA_FILE) -> list[Problem]:
    from .gazetteer import GazetteerError, load_gazetteer

    try:
        load_gazetteer(main, extra)
    except GazetteerError as exc:
        return [Problem(main.name, "", str(exc))]
    except FileNotFoundError as exc:
        return [Problem(Path(exc.filename or main).name, "", "file is missing")]
    return []


def basemap_problems(path: Path = paths.BASEMAP_FILE) -> list[Problem]:
    try:
        raw = json.loads(Path(path).read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return [Problem(path.name, "", "file is missing")]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [Problem(path.name, "", f"malformed JSON: {exc}")]
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        return [Problem(path.name, "", "must be a GeoJSON FeatureCollection")]
    return []


def validate_all(data: DataPaths | None = None) -> list[Problem]:
    """Problems in documents (including any whose bytes differ from the SHA-256 their sidecar
    records), zones, facts, references, gazetteer and basemap."""
    data = data or DataPaths.default()
    atlas = load_atlas(data)
    return atlas.problems + integrity_problems(atlas.corpus) + gazetteer_problems(data.gazetteer, data.gazetteer_extra) + basemap_problems(data.basemap)
