"""Where the bundled data lives, relative to the repository root."""
from __future__ import annotations

import os
from pathlib import Path

ROOT: Path = Path(__file__).resolve().parent.parent
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
    """Folder holding ``geodata/`` and ``seeds/`` (env ATLAS_DATA_ROOT; default: the repository)."""
    return Path(os.environ.get("ATLAS_DATA_ROOT", str(ROOT)))


def uploads_dir() -> Path:
    """Directory for documents uploaded through the app (env ATLAS_UPLOADS; default ``uploads/``).

    Kept apart from ``seeds/`` so uploads never touch the bundled sources; point
    it at a shared volume when several app replicas run behind a load balancer.
    """
    return Path(os.environ.get("ATLAS_UPLOADS", str(ROOT / "uploads")))
