"""Offline gazetteer: Syrian places (GeoNames cities500) plus curated extras.

Two committed files are read, never the full GeoNames dump:

* ``geodata/gazetteer_sy.json`` -- derived by ``scripts/build_gazetteer.py``
  from GeoNames cities500 (Syrian rows only).
* ``geodata/gazetteer_extra.json`` -- hand-edited: regions, governorates,
  settlements that cities500 lacks, and foreign cities named in the sources
  (``places``), plus news-spelling variants for GeoNames places
  (``aliases``: ``{"id": "geonames:170905", "names": [...], "note": ...}``).

Spelling variants live in the extras file (as alternate names), not in this
module, so they can be reviewed and extended without touching code.

Matching is *exact on folded names* (see :func:`fold`, defined in
``components/textfold.py`` and shared with place recognition and search);
there is no fuzzy matching. Results are ordered: Syrian first, then settlements, then by
population (descending), then by id for determinism.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.paths import GAZETTEER_EXTRA_FILE, GAZETTEER_FILE

# The one fold of place names (components/textfold.py), re-exported as ``gazetteer.fold``.
from components.textfold import fold_name as fold
from components.version import cached_by_content

KINDS: frozenset[str] = frozenset({"settlement", "region", "province", "city-abroad"})
SYRIA: str = "SY"


class GazetteerError(ValueError):
    """Malformed gazetteer data; the message names the file and the entry."""


@dataclass(frozen=True)
class Place:
    """One gazetteer entry. ``names`` holds every known name, ``name`` first."""

    id: str
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    population: int
    kind: str
    names: tuple[str, ...]

    @property
    def is_syrian(self) -> bool:
        return self.country == SYRIA


def rank_key(place: Place) -> tuple[bool, bool, int, str]:
    """Sort key: Syrian first, then settlements, then larger population."""
    return (not place.is_syrian, place.kind != "settlement", -place.population, place.id)


class Gazetteer:
    """Immutable collection of places with a folded-name index."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places: tuple[Place, ...] = tuple(places)
        self._by_id: dict[str, Place] = {p.id: p for p in self.places}
        self._index: dict[str, tuple[Place, ...]] = _build_index(self.places)

    def __len__(self) -> int:
        return len(self.places)

    def lookup(self, name: str) -> list[Place]:
        """Places whose folded name equals ``fold(name)``, best first."""
        key = fold(name)
        if not key:
            return []
        return list(self._index.get(key, ()))

    def get(self, place_id: str) -> Place | None:
        return self._by_id.get(place_id)

    def settlements(self) -> list[Place]:
        """Syrian settlements only, in file order."""
        return [p for p in self.places if p.is_syrian and p.kind == "settlement"]

    def folded_names(self) -> dict[str, list[str]]:
        """Folded name -> place ids (best first), for text matching elsewhere."""
        return {key: [p.id for p in places] for key, places in self._index.items()}


def _build_index(places: Iterable[Place]) -> dict[str, tuple[Place, ...]]:
    index: dict[str, list[Place]] = {}
    for place in places:
        for key in {fold(n) for n in place.names}:
            if key:
                index.setdefault(key, []).append(place)
    return {key: tuple(sorted(found, key=rank_key)) for key, found in index.items()}


# --------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------

def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as exc:
        raise GazetteerError(f"{path}: file not found") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GazetteerError(f"{path}: not valid UTF-8 JSON: {exc}") from exc


def _entry_label(raw: Any, position: int) -> str:
    if isinstance(raw, Mapping):
        ident = raw.get("id") or raw.get("geonameid") or raw.get("name")
        if ident is not None:
            return f"entry #{position} ({ident!r})"
    return f"entry #{position}"


def _require_number(raw: Mapping[str, Any], field: str, low: float, high: float, where: str) -> float:
    if field not in raw:
        raise GazetteerError(f"{where}: missing {field!r}")
    value = raw[field]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GazetteerError(f"{where}: {field!r} must be a number, got {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise GazetteerError(f"{where}: {field!r} = {value!r} is outside [{low}, {high}]")
    return float(value)


def _require_str(raw: Mapping[str, Any], field: str, where: str, *, allow_empty: bool = False) -> str:
    value = raw.get(field)
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise GazetteerError(f"{where}: {field!r} must be a non-empty string, got {value!r}")
    return value


def _optional_str(raw: Mapping[str, Any], field: str, where: str) -> str:
    value = raw.get(field, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise GazetteerError(f"{where}: {field!r} must be a string, got {value!r}")
    return value


def _string_list(raw: Mapping[str, Any], field: str, where: str) -> list[str]:
    value = raw.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise GazetteerError(f"{where}: {field!r} must be a list of strings")
    return value


def _place_id(raw: Mapping[str, Any], where: str) -> str:
    if "id" in raw:
        return _require_str(raw, "id", where)
    geonameid = raw.get("geonameid")
    if isinstance(geonameid, bool) or not isinstance(geonameid, int):
        raise GazetteerError(f"{where}: needs an 'id' or an integer 'geonameid'")
    return f"geonames:{geonameid}"


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in names if n and n.strip()))


def parse_place(raw: Any, where: str) -> Place:
    """Validate one record (shared by both files) and build a :class:`Place`."""
    if not isinstance(raw, Mapping):
        raise GazetteerError(f"{where}: must be a JSON object")
    place_id = _place_id(raw, where)
    name = _require_str(raw, "name", where)
    lat = _require_number(raw, "lat", -90.0, 90.0, where)
    lon = _require_number(raw, "lon", -180.0, 180.0, where)
    country = _optional_str(raw, "country", where) or SYRIA
    if len(country) != 2 or not country.isascii() or not country.isupper():
        raise GazetteerError(f"{where}: 'country' must be an ISO 3166 alpha-2 code, got {country!r}")
    kind = _optional_str(raw, "kind", where) or "settlement"
    if kind not in KINDS:
        raise GazetteerError(f"{where}: 'kind' must be one of {sorted(KINDS)}, got {kind!r}")
    population = raw.get("population", 0)
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise GazetteerError(f"{where}: 'population' must be a non-negative integer, got {population!r}")
    names = _unique([name, _optional_str(raw, "asciiname", where), *_string_list(raw, "alternatenames", where)])
    return Place(
        id=place_id, name=name, lat=lat, lon=lon, country=country,
        admin1=_optional_str(raw, "admin1", where), population=population, kind=kind, names=names,
    )


def _places_from_document(document: Any, path: Path) -> list[Place]:
    if not isinstance(document, Mapping) or not isinstance(document.get("places"), list):
        raise GazetteerError(f"{path}: expected a JSON object with a 'places' list")
    return [parse_place(raw, f"{path}: {_entry_label(raw, i)}") for i, raw in enumerate(document["places"])]


def _aliases_from_document(document: Mapping[str, Any], path: Path) -> dict[str, list[str]]:
    raw_aliases = document.get("aliases", [])
    if not isinstance(raw_aliases, list):
        raise GazetteerError(f"{path}: 'aliases' must be a list")
    aliases: dict[str, list[str]] = {}
    for i, raw in enumerate(raw_aliases):
        where = f"{path}: alias {_entry_label(raw, i)}"
        if not isinstance(raw, Mapping):
            raise GazetteerError(f"{where}: must be a JSON object")
        aliases.setdefault(_require_str(raw, "id", where), []).extend(_string_list(raw, "names", where))
    return aliases


def _apply_aliases(places: list[Place], aliases: Mapping[str, list[str]], path: Path) -> list[Place]:
    known = {p.id for p in places}
    unknown = sorted(set(aliases) - known)
    if unknown:
        raise GazetteerError(f"{path}: aliases refer to unknown place ids {unknown}")
    return [
        Place(**{**p.__dict__, "names": _unique([*p.names, *aliases[p.id]])}) if p.id in aliases else p
        for p in places
    ]


def _check_unique_ids(places: Iterable[Place], path: Path) -> None:
    seen: set[str] = set()
    for place in places:
        if place.id in seen:
            raise GazetteerError(f"{path}: duplicate place id {place.id!r}")
        seen.add(place.id)


def load_gazetteer(path: Path = GAZETTEER_FILE, extra: Path = GAZETTEER_EXTRA_FILE) -> Gazetteer:
    """Load the derived GeoNames file plus the curated extras file."""
    path, extra = Path(path), Path(extra)
    places = _places_from_document(_read_json(path), path)
    extra_document = _read_json(extra)
    places += _places_from_document(extra_document, extra)
    _check_unique_ids(places, extra)
    places = _apply_aliases(places, _aliases_from_document(extra_document, extra), extra)
    return Gazetteer(places)


@cached_by_content()
def gazetteer_for(path: Path, extra: Path) -> Gazetteer:
    """:func:`load_gazetteer`, once per content of the two files (raises like it)."""
    return load_gazetteer(path, extra)


def default_gazetteer() -> Gazetteer:
    """The gazetteer of the configured dataset (``ATLAS_DATA_ROOT``), loaded again only when its files change."""
    from components.atlas import DataPaths

    data = DataPaths.default()
    return gazetteer_for(data.gazetteer, data.gazetteer_extra)
