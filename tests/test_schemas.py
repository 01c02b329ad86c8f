"""Curated files have JSON Schemas: a wrong type is a clear problem (file, JSON path, what was expected), never a traceback."""
from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from streamlit.testing.v1 import AppTest

from components.atlas import DataPaths, load_atlas
from components.export import render
from components.gazetteer import GazetteerError, load_gazetteer
from components.jsonload import SCHEMAS, load_checked
from components.validate import validate_all
from tests.server import sealed_app

ROOT = Path(__file__).resolve().parent.parent
SEED = "000_6a7ef684703209c4"
BUNDLED = {
    "geodata/facts.json": "facts.schema.json",
    "geodata/zones.geojson": "zones.schema.json",
    "geodata/references.json": "references.schema.json",
    "geodata/gazetteer_sy.json": "gazetteer.schema.json",
    "geodata/gazetteer_extra.json": "gazetteer_extra.schema.json",
    "geodata/zone_curation.json": "zone_curation.schema.json",
    f"seeds/{SEED}.meta.json": "sidecar.schema.json",
}


@pytest.fixture
def data_copy(data_copy: DataPaths) -> DataPaths:
    """conftest's copy, with the zone curation read from the copy too."""
    return dataclasses.replace(data_copy, curation=data_copy.facts.parent / "zone_curation.json")


def edit_json(path: Path, change: Callable[[Any], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def messages(data: DataPaths) -> list[str]:
    return [str(p) for p in validate_all(data)]


def sidecar(data: DataPaths) -> Path:
    return data.seeds[0] / f"{SEED}.meta.json"


@pytest.mark.parametrize("schema", sorted(p.name for p in SCHEMAS.glob("*.schema.json")))
def test_schemas_are_valid_draft_2020_12(schema: str) -> None:
    contents = json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))
    assert contents["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(contents)


@pytest.mark.parametrize(("file", "schema"), sorted(BUNDLED.items()))
def test_bundled_files_match_their_schema(file: str, schema: str) -> None:
    loaded = load_checked(ROOT / file, schema)
    assert loaded.usable and loaded.problems == []


def test_wrong_type_drops_only_that_fact_and_says_what_was_expected(data_copy: DataPaths) -> None:
    edit_json(data_copy.facts, lambda d: d["facts"][3]["citations"][0].update(start="12"))
    found = messages(data_copy)
    assert "facts.json: $.facts[3].citations[0].start (id 'all.guarantors'): expected integer, got string '12'" in found
    atlas = load_atlas(data_copy)
    assert "all.guarantors" not in atlas.facts.by_id()
    assert len(atlas.facts.facts) == len(load_atlas().facts.facts) - 1


def test_coordinate_given_as_string(data_copy: DataPaths) -> None:
    edit_json(data_copy.zones, lambda d: d["features"][3]["geometry"]["coordinates"][0].__setitem__(2, "36.1,33.2"))
    found = messages(data_copy)
    assert "zones.geojson: $.features[3].geometry.coordinates[0][2] (id 'south'): expected array, got string '36.1,33.2'" in found
    assert [z.id for z in load_atlas(data_copy).zones.zones] == ["idlib", "north-homs", "eastern-ghouta"]


def test_ring_of_two_numbers(data_copy: DataPaths) -> None:
    edit_json(data_copy.zones, lambda d: d["features"][1]["geometry"].update(coordinates=[[36.5, 34.9]]))
    found = messages(data_copy)
    assert "zones.geojson: $.features[1].geometry.coordinates[0] (id 'north-homs'): expected at least 4 items, got 2" in found
    assert "zones.geojson: $.features[1].geometry.coordinates[0][0] (id 'north-homs'): expected array, got number 36.5" in found


def test_aliases_as_a_number(data_copy: DataPaths) -> None:
    edit_json(data_copy.zones, lambda d: d["features"][0]["properties"].update(aliases=5))
    assert "zones.geojson: $.features[0].properties.aliases (id 'idlib'): expected array, got integer 5" in messages(data_copy)
    atlas = load_atlas(data_copy)
    for fmt in ("geojson", "lpf", "csv"):  # crashed with TypeError before the schema
        assert render(atlas, fmt)


def test_metadata_as_a_string_is_dropped_and_the_zones_load(data_copy: DataPaths) -> None:
    edit_json(data_copy.zones, lambda d: d.update(metadata="CC BY"))
    assert "zones.geojson: $.metadata: expected object, got string 'CC BY'" in messages(data_copy)
    atlas = load_atlas(data_copy)
    assert len(atlas.zones.zones) == 4
    assert json.loads(render(atlas, "geojson"))["type"] == "FeatureCollection"


def test_nested_lists_where_objects_belong(data_copy: DataPaths) -> None:
    edit_json(data_copy.facts, lambda d: d["facts"][0].update(citations=[[["x"]]]))
    edit_json(data_copy.references, lambda d: d.update(references=[[{"id": "x"}]]))
    found = messages(data_copy)
    assert "facts.json: $.facts[0].citations[0] (id 'all.memorandum-signed'): expected object, got array [[\"x\"]]" in found
    assert any(m.startswith("references.json: $.references[0]: expected object, got array") for m in found)


def test_related_zones_as_a_number(data_copy: DataPaths) -> None:
    """Crashed validate with TypeError before the schema."""
    edit_json(data_copy.facts, lambda d: d["facts"][5].update(related_zones=5))
    assert any("$.facts[5].related_zones" in m and "expected array, got integer 5" in m for m in messages(data_copy))


@pytest.mark.parametrize("file", ["facts.json", "zones.geojson", "references.json", "gazetteer_extra.json", "zone_curation.json"])
def test_truncated_file_names_line_and_column(data_copy: DataPaths, file: str) -> None:
    path = data_copy.facts.parent / file
    text = json.dumps(json.loads(path.read_text(encoding="utf-8")), indent=1)
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    found = [m for m in messages(data_copy) if m.startswith(f"{file}:")]
    assert found and all(": line " in m and ", column " in m and "malformed JSON" in m for m in found), found


def test_deeply_nested_json_is_a_problem_not_a_recursion_error(data_copy: DataPaths) -> None:
    data_copy.facts.write_text("[" * 100_000, encoding="utf-8")
    assert any(m.startswith("facts.json:") and "malformed JSON" in m for m in messages(data_copy))


def test_sidecar_with_wrong_types_names_each(data_copy: DataPaths) -> None:
    edit_json(sidecar(data_copy), lambda d: d.update(title=["a"], bytes="12", sha256="xyz"))
    found = " | ".join(messages(data_copy))
    assert f"{SEED}.meta.json: $.bytes: expected integer, got string '12'" in found
    assert f"{SEED}.meta.json: $.sha256: expected text matching ^[0-9a-f]{{64}}$, got 'xyz'" in found
    assert f"{SEED}.meta.json: $.title: expected string or null, got array [\"a\"]" in found


def test_sidecar_accepts_a_checksum(data_copy: DataPaths) -> None:
    import hashlib
    seed = data_copy.seeds[0] / f"{SEED}.txt"
    digest, size = hashlib.sha256(seed.read_bytes()).hexdigest(), seed.stat().st_size
    edit_json(sidecar(data_copy), lambda d: d.update(sha256=digest, bytes=size))
    assert messages(data_copy) == []


def test_a_misspelt_checksum_key_is_named_and_cannot_switch_the_integrity_check_off(data_copy: DataPaths) -> None:
    def misspell(d: dict) -> None:
        d["sha265"] = d.pop("sha256")

    edit_json(sidecar(data_copy), misspell)
    seed = data_copy.seeds[0] / f"{SEED}.txt"
    seed.write_bytes(b"X" + seed.read_bytes()[1:])  # an edited source
    found = " | ".join(messages(data_copy))
    assert f"{SEED}.meta.json" in found and "sha265" in found


def test_gazetteer_extra_aliases_as_a_number(data_copy: DataPaths) -> None:
    edit_json(data_copy.gazetteer_extra, lambda d: d.update(aliases=5))
    assert "gazetteer_extra.json: $.aliases: expected array, got integer 5" in messages(data_copy)
    with pytest.raises(GazetteerError, match="'aliases' must be a list"):
        load_gazetteer(data_copy.gazetteer, data_copy.gazetteer_extra)


def test_zone_curation_wrong_type_in_validate_and_build_zones(data_copy: DataPaths, tmp_path: Path) -> None:
    edit_json(data_copy.curation, lambda d: (d["zones"][0].update(buffer_km="2"), d["never_inside"][0].pop("geonameid")))
    found = messages(data_copy)
    expected = [
        "zone_curation.json: $.never_inside[0]: missing required key 'lat'",
        "zone_curation.json: $.zones[0].buffer_km (id 'idlib'): expected number, got string '2'",
    ]
    assert all(e in found for e in expected), found
    out = tmp_path / "zones.geojson"
    script = ROOT / "scripts" / "build_zones.py"
    run = subprocess.run([sys.executable, str(script), "--curation", str(data_copy.curation), "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert all(f"build_zones: {e}" in run.stderr for e in expected), run.stderr
    assert not out.exists()


def test_app_keeps_working_without_a_structurally_bad_zone(tmp_path: Path, monkeypatch) -> None:
    """A boundary given as text passed validate and crashed the app's Sources tab before the schema."""
    shutil.copytree(ROOT / "geodata", tmp_path / "geodata")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    edit_json(tmp_path / "geodata" / "zones.geojson", lambda d: d["features"][3]["properties"].update(boundary="drawn by hand"))
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(tmp_path))
    monkeypatch.setenv("ATLAS_UPLOADS", str(tmp_path / "uploads"))
    at = AppTest.from_file(str(sealed_app()), default_timeout=60)
    at.query_params["zone"] = "idlib"
    at.query_params["tab"] = "Sources and downloads"
    at.run()
    assert not at.exception, at.exception
    problems = next(str(h.value) for h in at.html if 'class="atlas-problems"' in str(h.value))
    assert "$.features[3].properties.boundary (id &#x27;south&#x27;): expected object, got string &#x27;drawn by hand&#x27;" in problems
    assert [s.value for s in at.subheader] == ["Idlib de-escalation zone"]
    options = at.radio(key="atlas_zone_radio").options
    assert "Idlib de-escalation zone" in options and not any("south" in o.lower() for o in options), options


def test_a_wrong_geometry_type_lists_its_first_problems_and_counts_the_rest(data_copy: DataPaths) -> None:
    edit_json(data_copy.zones, lambda d: d["features"][3]["geometry"].update(type="MultiPolygon"))
    schema_problems = [m for m in messages(data_copy) if m.startswith("zones.geojson: $.features[3].geometry.coordinates")]
    assert len(schema_problems) == 25
    assert "zones.geojson: $.features[3].geometry.coordinates[0][0] (id 'south'): expected at least 4 items, got 2" in schema_problems
    assert any(m.startswith("zones.geojson: ") and m.endswith("more schema problems not listed") for m in messages(data_copy))


@pytest.mark.parametrize("file", ["geodata/facts.json", "geodata/zones.geojson", "geodata/references.json",
                                  "geodata/gazetteer_extra.json", "geodata/zone_curation.json", f"seeds/{SEED}.meta.json"])
def test_a_file_holding_only_null_is_named(data_copy: DataPaths, file: str) -> None:
    """Found by the mutation test: ``null`` is valid JSON, and was taken for "nothing to check"."""
    (data_copy.facts.parent.parent / file).write_text("null", encoding="utf-8")
    name = Path(file).name
    assert any(f"{name}: $: expected object, got null" in m for m in messages(data_copy)), messages(data_copy)
