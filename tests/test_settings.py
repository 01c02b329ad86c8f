"""Every ATLAS_* variable is read by one object, documented in the README, and a bad value is a
clear message in the app and on the command line, never a traceback."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components import paths
from components.ingest.geocode import cache_path, geocoder_enabled
from components.mapbuild import tiles_enabled
from components.settings import REPOSITORY, Settings, SettingsError, readme_rows, setting_names
from tests.server import sealed_app

ROOT = Path(__file__).resolve().parent.parent


def readme_settings_rows() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration and deployment", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("| `")]


def test_readme_lists_every_setting_as_the_code_describes_it() -> None:
    rows = readme_settings_rows()
    assert rows == readme_rows()
    documented = [re.match(r"\| `([A-Z_]+)`", row).group(1) for row in rows]
    assert documented == setting_names()


def test_every_atlas_variable_in_the_code_is_a_setting() -> None:
    used = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "components").rglob("*.py"))]:
        used |= set(re.findall(r"\bATLAS_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    assert used - {"ATLAS_NS"} == set(setting_names())  # ATLAS_NS is an export namespace, not a variable


def test_defaults_and_empty_values() -> None:
    defaults = Settings.from_env({})
    assert defaults == Settings.from_env(dict.fromkeys(setting_names(), ""))
    assert defaults.tiles is True and defaults.geocoder == "off" and defaults.profile is None
    assert defaults.data_root == REPOSITORY and defaults.uploads == REPOSITORY / "uploads"
    assert defaults.geocoder_cache == REPOSITORY / "artifacts" / "geocode_cache.json"


def test_values_are_read(tmp_path: Path) -> None:
    settings = Settings.from_env({
        "ATLAS_TILES": " None ", "ATLAS_UPLOADS": str(tmp_path / "up"), "ATLAS_DATA_ROOT": str(tmp_path),
        "ATLAS_GEOCODER": "Nominatim", "ATLAS_GEOCODER_CACHE": str(tmp_path / "c.json"),
        "ATLAS_PROFILE": str(tmp_path / "runs.jsonl"),
    })
    assert settings == Settings(tiles=False, uploads=tmp_path / "up", data_root=tmp_path, geocoder="nominatim",
                                geocoder_cache=tmp_path / "c.json", profile=tmp_path / "runs.jsonl")


def test_public_helpers_read_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(tmp_path / "data"))
    monkeypatch.setenv("ATLAS_UPLOADS", str(tmp_path / "up"))
    monkeypatch.setenv("ATLAS_TILES", "off")
    monkeypatch.setenv("ATLAS_GEOCODER", "nominatim")
    monkeypatch.setenv("ATLAS_GEOCODER_CACHE", str(tmp_path / "cache.json"))
    assert paths.data_root() == tmp_path / "data" and paths.uploads_dir() == tmp_path / "up"
    assert tiles_enabled() is False and geocoder_enabled() is True
    assert cache_path() == tmp_path / "cache.json"


def test_bad_values_name_every_variable() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"ATLAS_TILES": "bogus", "ATLAS_GEOCODER": "google", "ATLAS_UPLOADS": "a\x00b"})
    message = str(caught.value)
    assert "ATLAS_TILES='bogus'" in message and "osm, none" in message
    assert "ATLAS_GEOCODER='google'" in message and "nominatim" in message
    assert "ATLAS_UPLOADS" in message and "NUL" in message


def test_a_bad_value_is_a_message_in_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_TILES", "bogus")
    at = AppTest.from_file(str(sealed_app()), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    errors = " ".join(str(e.value) for e in at.error)
    assert "ATLAS\\_TILES" in errors and "bogus" in errors and "misconfigured" in errors


@pytest.mark.parametrize("command", [["validate"], ["export", "--format", "csv"], ["ingest", "seeds/x.txt"]])
def test_a_bad_value_is_a_message_on_the_command_line(command: list[str]) -> None:
    env = {**os.environ, "ATLAS_GEOCODER": "bogus"}
    done = subprocess.run([sys.executable, "-m", "components", *command], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "ATLAS_GEOCODER='bogus' is not valid" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_base_uri_is_an_http_address_ending_in_a_slash() -> None:
    assert Settings.from_env({}).base_uri == "https://w3id.org/deescalation-atlas/"
    assert Settings.from_env({"ATLAS_BASE_URI": " https://atlas.example.org/v1 "}).base_uri == "https://atlas.example.org/v1/"
    for bad in ("ftp://atlas.example.org/", "atlas.example.org", "https://atlas.invalid/", "https://a b/", "https://x/?q=1"):
        with pytest.raises(SettingsError, match=r"ATLAS_BASE_URI=.* is not valid: use an http"):
            Settings.from_env({"ATLAS_BASE_URI": bad})
