"""Stable URIs the exports give the atlas's things: ``{ATLAS_BASE_URI}zone/north-homs``, ``fact/…``,
``document/…``, ``annotation/…``, ``status/…``, ``place/…``; gazetteer places from GeoNames keep their
GeoNames URI (``https://sws.geonames.org/ID/``). The base is a setting (``ATLAS_BASE_URI``)."""
from __future__ import annotations

from urllib.parse import quote

from .settings import current_settings

GEONAMES_PREFIX = "geonames:"


def base_uri() -> str:
    return current_settings().base_uri


def atlas_uri(kind: str, *parts: str | int) -> str:
    """``{base}{kind}/{part}/…``, each part percent-encoded (an id never breaks the path)."""
    return base_uri() + "/".join([kind, *(quote(str(p), safe="") for p in parts)])


def zone_uri(zone_id: str) -> str:
    return atlas_uri("zone", zone_id)


def fact_uri(fact_id: str) -> str:
    return atlas_uri("fact", fact_id)


def document_uri(doc_id: str) -> str:
    return atlas_uri("document", doc_id)


def place_uri(place_id: str) -> str:
    """GeoNames places: their GeoNames URI; our hand-curated extras (``extra:slug``): ``{base}place/slug``."""
    if place_id.startswith(GEONAMES_PREFIX):
        return f"https://sws.geonames.org/{place_id.removeprefix(GEONAMES_PREFIX)}/"
    return atlas_uri("place", place_id.split(":", 1)[-1])
