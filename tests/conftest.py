"""Shared fixtures: a private copy of the bundled data to corrupt safely."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.atlas import DataPaths  # noqa: E402


@pytest.fixture
def data_copy(tmp_path: Path) -> DataPaths:
    """The real geodata/ and seeds/ copied into tmp_path."""
    shutil.copytree(ROOT / "geodata", tmp_path / "geodata")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    g = tmp_path / "geodata"
    return DataPaths(
        zones=g / "zones.geojson", facts=g / "facts.json", references=g / "references.json",
        gazetteer=g / "gazetteer_sy.json", gazetteer_extra=g / "gazetteer_extra.json",
        basemap=g / "basemap.geojson", seeds=(tmp_path / "seeds",),
    )
