"""Optional online geocoding (Nominatim through geopy) for names the gazetteer lacks.

Off by default: it runs only when the environment says ``ATLAS_GEOCODER=nominatim``,
and never in tests or CI. Results (hits and misses) are cached in a JSON file,
written atomically, so a name is asked at most once:

    {"schema": "atlas-geocode-cache/1",
     "entries": {"<folded name>": {"name": ..., "lat": ..., "lon": ..., "id": ..., "display_name": ...} | null}}

Candidates are capitalised names after "town of", "village of", "city of" ...
that the gazetteer did not recognise; Nominatim is asked for Syria only
(``countrycodes="sy"``) and at most one request per second (geopy's RateLimiter).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.atomic import atomic_write_text
from components.gazetteer import Place, fold
from components.settings import Settings, current_settings

CACHE_SCHEMA = "atlas-geocode-cache/1"
USER_AGENT = "de-escalation-atlas/1.0 (offline research atlas; geocodes names its gazetteer lacks)"
UNKNOWN_NAME_RE = re.compile(
    r"\b(?:town|village|city|district|neighbou?rhood|suburb|area)[ \u00a0]+of[ \u00a0]+"
    r"(?P<name>(?:(?:al|el|Al|El|ad|ar|as|ash|az)-)?[A-Z][\w'\u2019]+(?:[ \u00a0\-](?:(?:al|el|ad|ar|as|ash|az)-)?[A-Z][\w'\u2019]+){0,2})"
)


@dataclass(frozen=True)
class GeocodeResult:
    name: str
    lat: float
    lon: float
    id: str
    display_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "lat": self.lat, "lon": self.lon, "id": self.id, "display_name": self.display_name}

    def as_place(self) -> Place:
        return Place(id=self.id, name=self.name, lat=self.lat, lon=self.lon, country="SY", admin1="",
                     population=0, kind="settlement", names=(self.name,))


def _settings(environ: Mapping[str, str] | None) -> Settings:
    return current_settings() if environ is None else Settings.from_env(environ)


def geocoder_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """True only when ``ATLAS_GEOCODER=nominatim`` (off by default)."""
    return _settings(environ).geocoder == "nominatim"


def cache_path(environ: Mapping[str, str] | None = None) -> Path:
    """The cache file (``ATLAS_GEOCODER_CACHE``; default ``artifacts/geocode_cache.json``)."""
    return _settings(environ).geocoder_cache


def load_cache(path: Path) -> dict[str, GeocodeResult | None]:
    """Read a cache file; a missing or unreadable file is an empty cache."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict) or raw.get("schema") != CACHE_SCHEMA or not isinstance(raw.get("entries"), dict):
        return {}
    cache: dict[str, GeocodeResult | None] = {}
    for key, value in raw["entries"].items():
        if value is None:
            cache[key] = None
        elif isinstance(value, dict):
            try:
                cache[key] = GeocodeResult(name=str(value["name"]), lat=float(value["lat"]), lon=float(value["lon"]),
                                           id=str(value["id"]), display_name=str(value.get("display_name", "")))
            except (KeyError, TypeError, ValueError):
                continue
    return cache


def save_cache(path: Path, cache: Mapping[str, GeocodeResult | None]) -> None:
    """Write the cache atomically (sorted keys, so diffs stay small)."""
    entries = {key: (value.as_dict() if value else None) for key, value in sorted(cache.items())}
    atomic_write_text(Path(path), json.dumps({"schema": CACHE_SCHEMA, "entries": entries}, ensure_ascii=False, indent=1) + "\n")


def unknown_place_names(text: str, known_spans: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Capitalised names after "town of" ... that no gazetteer mention covers."""
    out: list[tuple[str, int, int]] = []
    for match in UNKNOWN_NAME_RE.finditer(text):
        start, end = match.span("name")
        if not any(s < end and start < e for s, e in known_spans):
            out.append((match.group("name"), start, end))
    return out


class CachedGeocoder:
    """Nominatim via geopy with a rate limit and a JSON cache (created only when enabled)."""

    def __init__(self, path: Path, query: Callable[[str], Any] | None = None) -> None:
        self.path = Path(path)
        self.cache = load_cache(self.path)
        self._query = query

    def _geocode_function(self) -> Callable[[str], Any]:
        if self._query is None:
            from geopy.extra.rate_limiter import RateLimiter
            from geopy.geocoders import Nominatim

            nominatim = Nominatim(user_agent=USER_AGENT, timeout=10)
            limited = RateLimiter(nominatim.geocode, min_delay_seconds=1.1, max_retries=2, swallow_exceptions=True)
            self._query = lambda name: limited(name, country_codes="sy", exactly_one=True)
        return self._query

    def lookup(self, name: str) -> GeocodeResult | None:
        key = fold(name)
        if key in self.cache:
            return self.cache[key]
        location = self._geocode_function()(name)
        result = None
        if location is not None:
            raw = getattr(location, "raw", {}) or {}
            osm = f"nominatim:{raw.get('osm_type', 'place')}/{raw.get('osm_id', key)}"
            result = GeocodeResult(name=name, lat=float(location.latitude), lon=float(location.longitude),
                                   id=osm, display_name=str(getattr(location, "address", "")))
        self.cache[key] = result
        save_cache(self.path, self.cache)
        return result


def geocoder_from_env(environ: Mapping[str, str] | None = None) -> CachedGeocoder | None:
    """A geocoder when the environment enables one, else None (the default)."""
    return CachedGeocoder(cache_path(environ)) if geocoder_enabled(environ) else None
