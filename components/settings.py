"""Every ``ATLAS_*`` environment variable, read in one place (:meth:`Settings.from_env`).

Each setting holds its default and a one-line description here; the README's
"Configuration and deployment" table lists exactly these rows
(:func:`readme_rows`; ``tests/test_settings.py`` checks it). A bad value is a
:class:`SettingsError` whose message names the variable, its value and what is
accepted; the app and the command line show that message, never a traceback.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

REPOSITORY: Path = Path(__file__).resolve().parent.parent

TILES: dict[str, bool] = {"osm": True, "none": False, "on": True, "off": False, "true": True, "false": False,
                          "yes": True, "no": False, "1": True, "0": False}
SIGNINS: dict[str, str] = {"password": "password", "oidc": "oidc"}
GEOCODERS: dict[str, str] = {"off": "off", "nominatim": "nominatim", "none": "off", "false": "off", "no": "off",
                             "0": "off"}


class SettingsError(ValueError):
    """One or more ``ATLAS_*`` variables have values the app cannot use; the message names each."""


def _choice(name: str, raw: str, accepted: Mapping[str, Any]) -> Any:
    key = raw.strip().lower()
    if key not in accepted:
        raise SettingsError(f"{name}={raw!r} is not valid: use one of {', '.join(accepted)}")
    return accepted[key]


def _tiles(name: str, raw: str) -> bool:
    return bool(_choice(name, raw, TILES))


def _geocoder(name: str, raw: str) -> str:
    return str(_choice(name, raw, GEOCODERS))


def _signin(name: str, raw: str) -> str:
    return str(_choice(name, raw, SIGNINS))


def _path(name: str, raw: str) -> Path:
    if "\x00" in raw:
        raise SettingsError(f"{name}={raw!r} is not valid: a path cannot contain a NUL character")
    return Path(raw).expanduser()


def _positive(name: str, raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not valid: use a positive number") from None
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"{name}={raw!r} is not valid: use a positive number")
    return value


def _count(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not valid: use a whole number of 1 or more") from None
    if value < 1:
        raise SettingsError(f"{name}={raw!r} is not valid: use a whole number of 1 or more")
    return value


def _base_uri(name: str, raw: str) -> str:
    value = raw.strip()
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value) or ".invalid" in value.split("/")[2]:
        raise SettingsError(f"{name}={raw!r} is not valid: use an http(s) address such as https://atlas.example.org/")
    return value if value.endswith("/") else value + "/"


def _database_url(name: str, raw: str) -> str:
    value = raw.strip()
    if not re.fullmatch(r"postgres(ql)?://\S*", value, flags=re.IGNORECASE):
        raise SettingsError(f"{name} is not valid: use a PostgreSQL URL such as postgresql://atlas@db.example.org/atlas "
                            "(the password is best kept in PGPASSWORD or ~/.pgpass)")
    return value


def _env(env: str, shown_default: str, description: str, parse: Callable[[str, str], Any]) -> dict[str, Any]:
    """A field's metadata: its variable, how the README shows its default and meaning, how to read it."""
    return {"env": env, "shown_default": shown_default, "description": description, "parse": parse}


@dataclass(frozen=True)
class Settings:
    """The process's configuration; an unset or empty variable means the default."""

    tiles: bool = field(default=True, metadata=_env(
        "ATLAS_TILES", "`osm`", "`none` draws no web tiles (bundled basemap only)", _tiles))
    uploads: Path = field(default=REPOSITORY / "uploads", metadata=_env(
        "ATLAS_UPLOADS", "`uploads/`", "where uploaded documents are stored (a shared volume when replicated)", _path))
    data_root: Path = field(default=REPOSITORY, metadata=_env(
        "ATLAS_DATA_ROOT", "the repository", "folder holding `geodata/` and `seeds/`", _path))
    geocoder: str = field(default="off", metadata=_env(
        "ATLAS_GEOCODER", "off", "`nominatim` enables the optional online geocoder", _geocoder))
    geocoder_cache: Path = field(default=REPOSITORY / "artifacts" / "geocode_cache.json", metadata=_env(
        "ATLAS_GEOCODER_CACHE", "`artifacts/geocode_cache.json`",
        "the online geocoder's answers, kept so a name is asked once", _path))
    db: Path | None = field(default=None, metadata=_env(
        "ATLAS_DB", "`atlas.db` beside the uploads folder",
        "the corpus store (SQLite): documents, passages, places, search index", _path))
    database_url: str | None = field(default=None, metadata=_env(
        "ATLAS_DATABASE_URL", "unset",
        "a PostgreSQL URL (`postgresql://user@host/db`): the corpus store lives there instead of `ATLAS_DB`, "
        "shared by every replica", _database_url))
    profile: Path | None = field(default=None, metadata=_env(
        "ATLAS_PROFILE", "unset", "a file to append the server time of every script run to (JSON lines, for `bench/`)",
        _path))

    signin: str = field(default="password", metadata=_env(
        "ATLAS_SIGNIN", "`password`",
        "how curators sign in: `password` (accounts in the store) or `oidc` (Streamlit's `st.login`, "
        "`[auth]` in `.streamlit/secrets.toml`)", _signin))
    session_hours: float = field(default=8.0, metadata=_env(
        "ATLAS_SESSION_HOURS", "8", "a curator's sign-in expires after this many hours", _positive))
    curator_uploads_per_day: int = field(default=50, metadata=_env(
        "ATLAS_CURATOR_UPLOADS", "50", "documents one curator may upload in 24 hours", _count))
    curator_upload_mb_per_day: float = field(default=20.0, metadata=_env(
        "ATLAS_CURATOR_UPLOAD_MB", "20", "megabytes one curator may upload in 24 hours", _positive))
    base_uri: str = field(default="https://w3id.org/deescalation-atlas/", metadata=_env(
        "ATLAS_BASE_URI", "`https://w3id.org/deescalation-atlas/`",
        "the base of the stable URIs exports give zones, facts, documents and annotations (`zone/ID`, `fact/ID`, …)",
        _base_uri))
    searches_per_minute: int = field(default=30, metadata=_env(
        "ATLAS_SEARCHES_PER_MINUTE", "30", "searches (a new query, filter or page) one page may run per minute", _count))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read every setting; raises :class:`SettingsError` naming every bad variable at once."""
        values: dict[str, Any] = {}
        errors: list[str] = []
        for f in fields(cls):
            raw = environ.get(f.metadata["env"], "")
            if not raw.strip():
                continue
            try:
                values[f.name] = f.metadata["parse"](f.metadata["env"], raw)
            except SettingsError as exc:
                errors.append(str(exc))
        if errors:
            raise SettingsError("; ".join(errors))
        return cls(**values)


def current_settings() -> Settings:
    """The settings of this process's environment (read on every call: cheap, and tests may change it)."""
    return Settings.from_env(os.environ)


def setting_names() -> list[str]:
    return [f.metadata["env"] for f in fields(Settings)]


def readme_rows() -> list[str]:
    """The rows of the README's settings table, as they must read."""
    return [f"| `{f.metadata['env']}` | {f.metadata['shown_default']} | {f.metadata['description']} |"
            for f in fields(Settings)]
