"""Where the bundled data lives, relative to the repository root."""
from __future__ import annotations

from pathlib import Path

from .settings import REPOSITORY, current_settings

ROOT: Path = REPOSITORY
GEODATA: Path = ROOT / "geodata"
SEEDS: Path = ROOT / "seeds"
ZONES_FILE: Path = GEODATA / "zones.geojson"
FACTS_FILE: Path = GEODATA / "facts.json"
REFERENCES_FILE: Path = GEODATA / "references.json"
GAZETTEER_FILE: Path = GEODATA / "gazetteer_sy.json"
GAZETTEER_EXTRA_FILE: Path = GEODATA / "gazetteer_extra.json"
BASEMAP_FILE: Path = GEODATA / "basemap.geojson"
STATIC: Path = ROOT / "static"


def data_root() -> Path:
    """Folder holding ``geodata/`` and ``seeds/`` (ATLAS_DATA_ROOT; default: the repository)."""
    return current_settings().data_root


def uploads_dir() -> Path:
    """Directory for documents uploaded through the app (ATLAS_UPLOADS; default ``uploads/``).

    Kept apart from ``seeds/`` so uploads never touch the bundled sources; point
    it at a shared volume when several app replicas run behind a load balancer.
    """
    return current_settings().uploads
