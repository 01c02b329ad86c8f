"""Shared fixtures. The suite is sealed from the machine it runs on.

Before collection (module-level data is loaded then), the ``ATLAS_*`` settings point at a
temporary session folder: a copy of ``geodata/`` and ``seeds/`` (ATLAS_DATA_ROOT), an empty
uploads folder, a geocoder cache and a profile file. ATLAS_GEOCODER (network) and ATLAS_TILES
are unset. Every test then gets its own uploads folder, cache and profile file
(:func:`sealed_settings`); AppTests and test servers run a copy of app.py from a temporary
folder (``tests.server.sealed_app``), so Leaflet is copied there, never into the repository's
``static/``. A user's ``uploads/``, ``static/`` or environment never reach a test, and
:func:`repository_is_left_alone` fails the run if a test wrote to the data copy or to the
repository's ``uploads/`` or ``static/``. Screenshots and the servers' log go to ``artifacts/``
as the README says.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests assert what is true, never how fast (no speed asserted in unit tests): Hypothesis's default
# 200 ms deadline per example fails them when a busy machine delays one example ("Unreliable test timings").
settings.register_profile("atlas", deadline=None)
settings.load_profile("atlas")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.atlas import DataPaths  # noqa: E402
from tests import pgserver  # noqa: E402

PER_TEST = {"ATLAS_UPLOADS": "uploads", "ATLAS_GEOCODER_CACHE": "geocode_cache.json", "ATLAS_PROFILE": "profile.jsonl",
            "ATLAS_DB": "atlas.db"}
UNSET = ("ATLAS_GEOCODER", "ATLAS_TILES", "ATLAS_DATABASE_URL")  # the store is the per-test SQLite file unless a test asks
WATCHED = ("uploads", "static")  # the user's working folders in the repository
_saved_env: dict[str, str | None] = {}
SESSION: Path = Path()


def tree_digest(*folders: Path) -> dict[str, str]:
    """Path -> SHA-256 of every file below the folders (a missing folder has none)."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders if folder.is_dir() for p in sorted(folder.rglob("*")) if p.is_file()}


def sealed_data_root() -> Path:
    """The session's read-only copy of geodata/ and seeds/ (ATLAS_DATA_ROOT)."""
    return SESSION / "data"


def pytest_configure(config: pytest.Config) -> None:
    global SESSION
    SESSION = Path(tempfile.mkdtemp(prefix="atlas-tests-"))
    for name in ("geodata", "seeds"):
        shutil.copytree(ROOT / name, sealed_data_root() / name)
    settings = {"ATLAS_DATA_ROOT": str(sealed_data_root()), **{k: str(SESSION / v) for k, v in PER_TEST.items()}}
    for name in (*settings, *UNSET):
        _saved_env[name] = os.environ.pop(name, None)
    os.environ.update(settings)


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, value in _saved_env.items():
        os.environ.pop(name, None)
        if value is not None:
            os.environ[name] = value
    shutil.rmtree(SESSION, ignore_errors=True)


@pytest.fixture(autouse=True)
def sealed_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each test's own empty uploads folder, geocoder cache and profile file (not its tmp_path)."""
    own = tmp_path_factory.mktemp("sealed")
    for name, leaf in PER_TEST.items():
        monkeypatch.setenv(name, str(own / leaf))
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(sealed_data_root()))
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    return own


@pytest.fixture(autouse=True, scope="session")
def repository_is_left_alone():
    """Fails the session's last teardown if any test changed the data copy or the repository's
    uploads/ or static/ (reading them would need a test to bypass the settings above)."""
    data_before = tree_digest(sealed_data_root())
    repo_before = tree_digest(*(ROOT / name for name in WATCHED))
    yield
    assert tree_digest(sealed_data_root()) == data_before, "a test wrote into the shared data copy (use data_copy)"
    changed = set(tree_digest(*(ROOT / name for name in WATCHED)).items()) ^ set(repo_before.items())
    assert not changed, f"tests wrote into the repository's working folders: {sorted(changed)}"


@pytest.fixture
def data_copy(tmp_path: Path) -> DataPaths:
    """The real geodata/ and seeds/ copied into tmp_path, to change or corrupt safely."""
    shutil.copytree(ROOT / "geodata", tmp_path / "geodata")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return DataPaths.under(tmp_path)


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server (Debian's package) for the session, started on first use and stopped at its end."""
    server = pgserver.start()
    yield server
    pgserver.stop(server)


@pytest.fixture
def pg_url(pg_server) -> str:
    """A new, empty PostgreSQL database for one test (dropped after it): its URL."""
    url = pg_server.new_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a test's corpus store lives, once per backend: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "atlas.db"
    return request.getfixturevalue("pg_url")
