"""validate: passes on the shipped data, fails loudly on each corrupted copy."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.atlas import DataPaths, load_atlas
from components.validate import validate_all

ROOT = Path(__file__).resolve().parent.parent
SEED = "000_6a7ef684703209c4"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def edit_json(path: Path, change: Callable[[Any], None]) -> None:
    data = read_json(path)
    change(data)
    write_json(path, data)


def messages(data: DataPaths) -> list[str]:
    return [str(p) for p in validate_all(data)]


def test_shipped_data_is_valid() -> None:
    assert validate_all() == []


def test_validate_command_exit_codes(data_copy: DataPaths) -> None:
    ok = subprocess.run([sys.executable, "-m", "components", "validate"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "all data files are valid" in ok.stdout


def zone_feature(data: Any, zone_id: str) -> dict:
    return next(f for f in data["features"] if f["properties"]["id"] == zone_id)


def fact(data: Any, fact_id: str) -> dict:
    return next(f for f in data["facts"] if f["id"] == fact_id)


def test_malformed_zones_json(data_copy: DataPaths) -> None:
    data_copy.zones.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    assert any("zones.geojson" in m and "malformed JSON" in m for m in messages(data_copy))


def test_malformed_facts_json(data_copy: DataPaths) -> None:
    data_copy.facts.write_text("{not json", encoding="utf-8")
    assert any("facts.json" in m and "malformed JSON" in m for m in messages(data_copy))


def test_missing_zone_id(data_copy: DataPaths) -> None:
    edit_json(data_copy.zones, lambda d: d["features"].pop(1))
    assert any("'north-homs'" in m and "zone is missing" in m for m in messages(data_copy))


def test_duplicate_zone_id(data_copy: DataPaths) -> None:
    def dup(d: Any) -> None:
        d["features"].append(json.loads(json.dumps(d["features"][0])))
    edit_json(data_copy.zones, dup)
    assert any("duplicate zone id" in m for m in messages(data_copy))


def test_unknown_zone_id(data_copy: DataPaths) -> None:
    def rename(d: Any) -> None:
        d["features"][3]["properties"]["id"] = "aleppo"
        d["features"][3]["id"] = "aleppo"
    edit_json(data_copy.zones, rename)
    found = messages(data_copy)
    assert any("unknown zone id 'aleppo'" in m for m in found)
    assert any("'south'" in m and "zone is missing" in m for m in found)


def test_self_intersecting_geometry(data_copy: DataPaths) -> None:
    bowtie = [[36.0, 33.0], [36.2, 33.2], [36.2, 33.0], [36.0, 33.2], [36.0, 33.0]]
    edit_json(data_copy.zones, lambda d: zone_feature(d, "south").update(geometry={"type": "Polygon", "coordinates": [bowtie]}))
    assert any("feature 'south'" in m and "invalid geometry" in m and "Self-intersection" in m for m in messages(data_copy))


def test_unclosed_ring(data_copy: DataPaths) -> None:
    ring = [[36.0, 33.0], [36.2, 33.0], [36.2, 33.2], [36.0, 33.2]]
    edit_json(data_copy.zones, lambda d: zone_feature(d, "south").update(geometry={"type": "Polygon", "coordinates": [ring]}))
    assert any("feature 'south'" in m and "not closed" in m for m in messages(data_copy))


def test_swapped_lat_lon(data_copy: DataPaths) -> None:
    def swap(d: Any) -> None:
        g = zone_feature(d, "eastern-ghouta")["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        for poly in polys:
            for ring in poly:
                for pos in ring:
                    pos[0], pos[1] = pos[1], pos[0]
    edit_json(data_copy.zones, swap)
    assert any("feature 'eastern-ghouta'" in m and "lat/lon swapped" in m for m in messages(data_copy))


def test_wrong_winding(data_copy: DataPaths) -> None:
    ring = [[36.0, 33.0], [36.0, 33.2], [36.2, 33.2], [36.2, 33.0], [36.0, 33.0]]  # clockwise
    edit_json(data_copy.zones, lambda d: zone_feature(d, "south").update(geometry={"type": "Polygon", "coordinates": [ring]}))
    assert any("feature 'south'" in m and "counter-clockwise" in m for m in messages(data_copy))


def test_overlapping_zones(data_copy: DataPaths) -> None:
    def overlap(d: Any) -> None:
        zone_feature(d, "eastern-ghouta")["geometry"] = json.loads(json.dumps(zone_feature(d, "north-homs")["geometry"]))
    edit_json(data_copy.zones, overlap)
    assert any("overlaps zone" in m for m in messages(data_copy))


def test_fact_unknown_zone(data_copy: DataPaths) -> None:
    edit_json(data_copy.facts, lambda d: fact(d, "north-homs.settlements").update(zone="aleppo"))
    assert any("fact north-homs.settlements" in m and "unknown zone 'aleppo'" in m for m in messages(data_copy))


def test_fact_unknown_document(data_copy: DataPaths) -> None:
    edit_json(data_copy.facts, lambda d: fact(d, "north-homs.population")["citations"][0].update(doc="999_missing"))
    assert any("fact north-homs.population citation 0" in m and "unknown document '999_missing'" in m for m in messages(data_copy))


def test_offsets_out_of_range(data_copy: DataPaths) -> None:
    edit_json(data_copy.facts, lambda d: fact(d, "south.status")["citations"][0].update(start=99999, end=100010))
    assert any("fact south.status citation 0" in m and "out of range" in m for m in messages(data_copy))


def test_quote_mismatch(data_copy: DataPaths) -> None:
    edit_json(data_copy.facts, lambda d: fact(d, "north-homs.settlements")["citations"][0].update(quote="85 settlements"))
    assert any("fact north-homs.settlements citation 0" in m and "quote does not match" in m for m in messages(data_copy))


def test_document_edited_by_hand_breaks_quotes(data_copy: DataPaths) -> None:
    seed = data_copy.seeds[0] / f"{SEED}.txt"
    seed.write_text("Inserted line.\n" + seed.read_text(encoding="utf-8"), encoding="utf-8")
    found = messages(data_copy)
    assert sum("quote does not match" in m for m in found) >= 10


def test_document_not_utf8(data_copy: DataPaths) -> None:
    seed = data_copy.seeds[0] / f"{SEED}.txt"
    seed.write_bytes(seed.read_bytes().replace("’".encode(), b"\x92"))
    found = messages(data_copy)
    assert any(f"{SEED}.txt" in m and "not valid UTF-8" in m for m in found)
    assert any(f"unknown document '{SEED}'" in m for m in found)


def test_document_empty(data_copy: DataPaths) -> None:
    (data_copy.seeds[0] / f"{SEED}.txt").write_bytes(b"  \n")
    assert any(f"{SEED}.txt" in m and "empty document" in m for m in messages(data_copy))


def test_unresolved_relative_date(data_copy: DataPaths) -> None:
    edit_json(data_copy.facts, lambda d: fact(d, "idlib.lavrov")["citations"][0].pop("relative"))
    assert any("fact idlib.lavrov citation 0" in m and "unresolved relative date 'Sunday'" in m for m in messages(data_copy))


def test_wrongly_resolved_relative_date(data_copy: DataPaths) -> None:
    edit_json(data_copy.facts, lambda d: fact(d, "north-homs.announced").update(value="2017-08-04"))
    assert any("fact north-homs.announced" in m and "relative date resolves to '2017-08-03'" in m for m in messages(data_copy))


def test_every_problem_is_reported_not_just_the_first(data_copy: DataPaths) -> None:
    edit_json(data_copy.facts, lambda d: [fact(d, "south.status").update(zone="nowhere"), fact(d, "idlib.area").update(zone="elsewhere")])
    edit_json(data_copy.zones, lambda d: d["features"].pop(0))
    found = messages(data_copy)
    assert any("'nowhere'" in m for m in found) and any("'elsewhere'" in m for m in found) and any("'idlib'" in m and "missing" in m for m in found)


def test_validate_command_fails_on_corrupted_copy(data_copy: DataPaths) -> None:
    edit_json(data_copy.facts, lambda d: fact(d, "north-homs.population")["citations"][0].update(end=550))
    run = subprocess.run([sys.executable, "-m", "components", "validate"], cwd=ROOT, capture_output=True, text=True,
                         env=dict(os.environ, ATLAS_DATA_ROOT=str(data_copy.facts.parent.parent)))
    assert run.returncode == 1
    assert "facts.json: fact north-homs.population citation 0: quote does not match" in run.stdout


def test_bad_facts_are_hidden_from_the_atlas(data_copy: DataPaths) -> None:
    edit_json(data_copy.facts, lambda d: fact(d, "north-homs.settlements")["citations"][0].update(quote="85 settlements"))
    atlas = load_atlas(data_copy)
    assert "north-homs.settlements" not in atlas.facts.by_id()
    assert "north-homs.population" in atlas.facts.by_id()


@pytest.mark.parametrize("bad", ["gazetteer_sy.json", "basemap.geojson"])
def test_other_data_files_malformed(data_copy: DataPaths, bad: str) -> None:
    (data_copy.zones.parent / bad).write_text("[1, 2", encoding="utf-8")
    assert any(bad in m for m in messages(data_copy))


@pytest.mark.parametrize("content, expected", [
    ("", "basemap.geojson: the file is empty"),
    ('{"type": "FeatureCollection", "features": []}', "basemap.geojson: $.features: no country borders to draw"),
])
def test_empty_basemap_is_a_problem(data_copy: DataPaths, content: str, expected: str) -> None:
    data_copy.basemap.write_text(content, encoding="utf-8")
    assert any(m.startswith(expected) for m in messages(data_copy)), messages(data_copy)


def test_sidecar_with_a_byte_order_mark_is_valid(data_copy: DataPaths) -> None:
    sidecar = data_copy.seeds[0] / "000_6a7ef684703209c4.meta.json"
    sidecar.write_bytes(b"\xef\xbb\xbf" + sidecar.read_bytes())
    assert messages(data_copy) == []
    assert len(load_atlas(data_copy).facts.facts) == len(load_atlas().facts.facts)


def test_a_document_removed_after_loading_is_a_problem_not_an_exception(data_copy: DataPaths) -> None:
    from components.documents import integrity_problems
    atlas = load_atlas(data_copy)
    (data_copy.seeds[0] / "000_6a7ef684703209c4.txt").unlink()  # between the listing/load and the integrity check
    assert [str(p) for p in integrity_problems(atlas.corpus)] == [
        "000_6a7ef684703209c4.txt: cannot be read: No such file or directory"]
