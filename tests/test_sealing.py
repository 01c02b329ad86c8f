"""The suite is sealed from the machine it runs on (see tests/conftest.py)."""
from __future__ import annotations

import os
from pathlib import Path

from components import paths
from components.atlas import DataPaths, load_atlas
from tests.server import sealed_app

ROOT = Path(__file__).resolve().parent.parent


def outside_repository(path: str | Path) -> bool:
    resolved = Path(path).resolve()
    return resolved != ROOT and ROOT not in resolved.parents


def test_every_setting_points_outside_the_repository() -> None:
    for name in ("ATLAS_DATA_ROOT", "ATLAS_UPLOADS", "ATLAS_GEOCODER_CACHE", "ATLAS_PROFILE", "ATLAS_DB"):
        assert outside_repository(os.environ[name]), name
    assert "ATLAS_GEOCODER" not in os.environ and "ATLAS_TILES" not in os.environ  # no network, default tiles
    assert outside_repository(paths.uploads_dir()) and outside_repository(paths.data_root())
    assert outside_repository(sealed_app().parent)  # where AppTests and test servers keep static/


def test_the_atlas_tests_read_is_the_committed_data_and_nothing_else() -> None:
    """A stray file in the user's uploads/ (or seeds/ of another checkout) is never loaded."""
    data = DataPaths.default()
    assert all(outside_repository(folder) for folder in data.seeds)
    atlas = load_atlas()
    committed = sorted(p.stem for p in (ROOT / "seeds").glob("*.txt"))
    assert sorted(atlas.corpus.documents) == committed
    assert atlas.problems == []


def test_each_test_has_its_own_uploads_folder(sealed_settings: Path) -> None:
    assert Path(os.environ["ATLAS_UPLOADS"]) == sealed_settings / "uploads"
    assert not (sealed_settings / "uploads").exists()  # empty until a test uploads something
