"""Exports: GeoJSON with joined facts, CSV with citations, atomic --out."""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

from components.atlas import load_atlas
from components.export import facts_csv, render, zones_geojson

ROOT = Path(__file__).resolve().parent.parent
ATLAS = load_atlas()


def doc_text(doc_id: str) -> str:
    return ATLAS.corpus.get(doc_id).text


def test_geojson_has_four_zones_with_cited_facts() -> None:
    fc = zones_geojson(ATLAS)
    assert fc["type"] == "FeatureCollection"
    assert [f["id"] for f in fc["features"]] == ["idlib", "north-homs", "eastern-ghouta", "south"]
    for feature in fc["features"]:
        facts = feature["properties"]["facts"]
        assert facts
        for fact in facts:
            for c in fact["citations"]:
                assert doc_text(c["doc"])[c["start"]:c["end"]] == c["quote"]
    homs = next(f for f in fc["features"] if f["id"] == "north-homs")
    assert any(f["id"] == "north-homs.settlements" and f["value"] == 84 for f in homs["properties"]["facts"])


def test_csv_one_row_per_fact_and_citation() -> None:
    rows = list(csv.DictReader(io.StringIO(facts_csv(ATLAS))))
    assert len(rows) == sum(len(f.citations) for f in ATLAS.facts.facts)
    for row in rows:
        assert doc_text(row["doc"])[int(row["start"]):int(row["end"])] == row["quote"]
    assert any(r["fact_id"] == "north-homs.announced" and r["relative_words"] == "Thursday" for r in rows)


def test_cli_export_out_writes_atomically(tmp_path: Path) -> None:
    out = tmp_path / "zones.geojson"
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "geojson", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["features"]
    assert [p.name for p in tmp_path.iterdir()] == ["zones.geojson"]  # no temporary file left behind


def test_cli_export_csv_to_stdout() -> None:
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "csv"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0
    assert run.stdout.splitlines()[0].startswith("fact_id,zone,kind,title,value")


def test_cli_export_refuses_broken_data_and_keeps_old_file(tmp_path: Path, data_copy) -> None:
    facts = data_copy.facts
    facts.write_text(facts.read_text(encoding="utf-8").replace('"quote": "84 settlements"', '"quote": "85 settlements"'), encoding="utf-8")
    out = tmp_path / "previous.csv"
    out.write_text("previous export\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "csv", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, ATLAS_DATA_ROOT=str(facts.parent.parent)))
    assert run.returncode == 1
    assert "north-homs.settlements" in run.stderr and "quote does not match" in run.stderr
    assert out.read_text(encoding="utf-8") == "previous export\n"


def test_cite_command_prints_a_checked_citation() -> None:
    run = subprocess.run([sys.executable, "-m", "components", "cite", "seeds/000_6a7ef684703209c4.txt", "84 settlements"],
                         cwd=ROOT, capture_output=True, text=True)
    c = json.loads(run.stdout)
    assert doc_text(c["doc"])[c["start"]:c["end"]] == "84 settlements"


def test_linked_places_export_has_status_timespans_with_citations() -> None:
    from components.export import linked_places
    lpf = linked_places(ATLAS)
    assert "linkedplaces-context" in lpf["@context"]
    homs = next(f for f in lpf["features"] if f["@id"].endswith("zone/north-homs"))
    labels = [t["label"] for t in homs["types"]]
    assert labels == ["Declared in the memorandum", "Borders agreed", "Agreement on the zone reached",
                      "Under offensive", "Ended by evacuation agreement", "Retaken (zone ended)"]
    agreed = homs["types"][2]
    assert agreed["when"]["timespans"][0]["start"]["in"] == "2017-07-31"
    for t in homs["types"][:3]:  # quoted from the bundled documents
        for c in t["citations"][0]["selector"]:
            assert ATLAS.corpus.get(c["doc"]).text[c["start"]:c["end"]] == c["quote"]
    for t in homs["types"][3:]:  # reported by external references, in our words, with their link
        assert t["citations"][0]["@id"].startswith("https://") and "in our words" in t["citations"][0]["label"]
    assert homs["geometry"]["type"] == "GeometryCollection"


def test_cli_export_lpf() -> None:
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "lpf"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert len(json.loads(run.stdout)["features"]) == 4


# ------------------------------------------------------------------ the downloads, checked against the raw files
RAW_FACTS = json.loads((ROOT / "geodata" / "facts.json").read_text(encoding="utf-8"))["facts"]
RAW_ZONES = [f["properties"]["id"] for f in json.loads((ROOT / "geodata" / "zones.geojson").read_text(encoding="utf-8"))["features"]]
RAW_TEXT = {p.stem: p.read_bytes().decode("utf-8") for p in (ROOT / "seeds").glob("*.txt")}


def raw_citations(fact: dict) -> list[tuple[str, int, int, str]]:
    return [(c["doc"], c["start"], c["end"], c["quote"]) for c in fact["citations"]]


def raw_facts_of(zone_id: str) -> list[dict]:
    return [f for f in RAW_FACTS if f["zone"] in (zone_id, "all") or zone_id in f.get("related_zones", [])]


def assert_quote_is_the_text(doc: str, start: int, end: int, quote: str) -> None:
    assert quote and RAW_TEXT[doc][start:end] == quote, (doc, start, end, quote)


def test_geojson_download_holds_every_zone_and_every_fact_with_its_citations() -> None:
    fc = json.loads(render(ATLAS, "geojson"))
    assert [f["id"] for f in fc["features"]] == RAW_ZONES
    seen = set()
    for feature in fc["features"]:
        facts = {f["id"]: f for f in feature["properties"]["facts"]}
        expected = raw_facts_of(feature["id"])
        assert sorted(facts) == sorted(f["id"] for f in expected), feature["id"]
        for raw in expected:
            got = facts[raw["id"]]
            assert (got["zone"], got["kind"], got["value"]) == (raw["zone"], raw["kind"], raw["value"]), raw["id"]
            assert [(c["doc"], c["start"], c["end"], c["quote"]) for c in got["citations"]] == raw_citations(raw)
            for c in got["citations"]:
                assert_quote_is_the_text(c["doc"], c["start"], c["end"], c["quote"])
            seen.add(raw["id"])
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert seen == {f["id"] for f in RAW_FACTS}  # no fact left out of the download
    assert set(fc["metadata"]["documents"]) == set(RAW_TEXT)


def test_csv_download_has_exactly_one_row_per_fact_and_citation() -> None:
    rows = list(csv.DictReader(io.StringIO(render(ATLAS, "csv"))))
    got = sorted((r["fact_id"], r["zone"], r["doc"], int(r["start"]), int(r["end"]), r["quote"]) for r in rows)
    want = sorted((f["id"], f["zone"], *c) for f in RAW_FACTS for c in raw_citations(f))
    assert got == want
    for r in rows:
        assert_quote_is_the_text(r["doc"], int(r["start"]), int(r["end"]), r["quote"])
    by_id = {f["id"]: f for f in RAW_FACTS}
    assert all(r["value"] == (str(v) if not isinstance(v := by_id[r["fact_id"]]["value"], list) else "; ".join(v))
               for r in rows)


def test_linked_places_download_cites_every_status_change() -> None:
    lpf = json.loads(render(ATLAS, "lpf"))
    assert [f["@id"].rsplit("/", 1)[1] for f in lpf["features"]] == RAW_ZONES
    by_id = {f["id"]: f for f in RAW_FACTS}
    cited = 0
    for feature in lpf["features"]:
        spans = [t["when"]["timespans"][0] for t in feature["types"]]
        assert spans and all(s["start"]["in"] <= s["end"]["in"] for s in spans)
        assert all(a["end"]["in"] < b["start"]["in"] for a, b in itertools.pairwise(spans))  # periods in order, apart
        for t in feature["types"]:
            for citation in t.get("citations", []):
                if "selector" not in citation:  # an external reference, in our words: its link
                    assert citation["@id"].startswith("http") and "in our words" in citation["label"]
                    continue
                raw = by_id[citation["@id"].rsplit("/", 1)[1]]  # a curated fact
                assert [(c["doc"], c["start"], c["end"], c["quote"]) for c in citation["selector"]] == raw_citations(raw)
                for c in citation["selector"]:
                    assert_quote_is_the_text(c["doc"], c["start"], c["end"], c["quote"])
                cited += 1
    assert cited >= len(RAW_ZONES)  # every zone has at least one cited status period
