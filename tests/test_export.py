"""Exports: GeoJSON with joined facts, CSV with citations, atomic --out."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyogrio
from pyld import jsonld
from shapely.geometry import Point, shape

from components.annotations import ANNO_CONTEXT
from components.atlas import load_atlas
from components.export import facts_csv, render, spreadsheet_safe, zones_geojson
from components.gazetteer import default_gazetteer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from build_anno_context import context_problems

ROOT = Path(__file__).resolve().parent.parent
ATLAS = load_atlas()
SEED = "000_6a7ef684703209c4"


def doc_text(doc_id: str) -> str:
    return ATLAS.corpus.get(doc_id).text


def test_geojson_has_four_zones_whose_facts_are_in_the_csv() -> None:
    fc = zones_geojson(ATLAS)
    assert fc["type"] == "FeatureCollection"
    assert [f["id"] for f in fc["features"]] == ["idlib", "north-homs", "eastern-ghouta", "south"]
    rows = csv_rows(facts_csv(ATLAS))
    for feature in fc["features"]:
        props = feature["properties"]
        joined = [r for r in rows if r["zone_id"] in (props["zone_id"], "all") or props["zone_id"] in r["related_zones"].split()]
        assert props["fact_count"] == len(ATLAS.facts_for(props["zone_id"])) > 0
        assert props["citation_count"] == len(joined)
    homs = next(f for f in fc["features"] if f["id"] == "north-homs")["properties"]
    built = ATLAS.zones.by_id()["north-homs"].properties["area_km2"]  # the build script's measure
    assert homs["area_km2"] == built > 0 and homs["confidence"] == "medium-low" and homs["precision_km"] == "2-4"
    assert homs["uri"] == "https://w3id.org/deescalation-atlas/zone/north-homs"
    assert any(r["fact_id"] == "north-homs.settlements" and r["value"] == "84" and r["unit"] == "settlements" for r in rows)


def csv_rows(text: str) -> list[dict[str, str]]:
    """The CSV read as Excel's dialect after its byte-order mark (which must be there)."""
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), dialect="excel"))


def test_csv_one_row_per_fact_and_citation() -> None:
    rows = csv_rows(facts_csv(ATLAS))
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
    assert run.stdout.splitlines()[0].startswith("\ufefffact_id,zone_id,zone_name,related_zones,kind,label,value,unit")


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
    for t in homs["types"][:3]:  # quoted from the bundled documents, as W3C Web Annotation targets
        for target in t["citations"][0]["targets"]:
            quote, position = target["selector"]
            assert ATLAS.corpus.get(SEED).text[position["start"]:position["end"]] == quote["exact"]
            assert target["source"]["id"] == f"https://w3id.org/deescalation-atlas/document/{SEED}"
    for t in homs["types"][3:]:  # reported by external references, in our words, with their link
        assert t["citations"][0]["@id"].startswith("https://") and "in our words" in t["citations"][0]["label"]
    assert homs["geometry"]["type"] == "GeometryCollection"


def test_cli_export_lpf() -> None:
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "lpf"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    features = json.loads(run.stdout)["features"]
    assert [f["@id"].rsplit("/", 1)[1] for f in zone_features({"features": features})] == RAW_ZONES
    assert any(f["@id"].startswith("https://sws.geonames.org/") for f in features)  # the gazetteer's places inside the zones


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


SCALAR_OGR_TYPES = {"OFTInteger", "OFTInteger64", "OFTReal", "OFTString", "OFTDate", "OFTDateTime"}


def assert_gdal_reads_scalar_columns(path: Path, columns: set[str]) -> dict[str, list]:
    """GDAL (what QGIS uses) reads every property as a column of a scalar type: no lists, no JSON objects."""
    info = pyogrio.read_info(path)
    assert columns <= set(info["fields"]), set(info["fields"])
    for name, ogr_type, subtype in zip(info["fields"], info["ogr_types"], info["ogr_subtypes"], strict=True):
        assert ogr_type in SCALAR_OGR_TYPES and subtype != "OFSTJSON", (name, ogr_type, subtype)
    _meta, _fids, geometry, values = pyogrio.raw.read(path)
    assert len(geometry) == info["features"]
    return {name: list(column) for name, column in zip(info["fields"], values, strict=True)}


def test_geojson_download_opens_in_gis_as_flat_columns_joined_to_the_csv_by_zone_id(tmp_path: Path) -> None:
    path = tmp_path / "zones.geojson"
    path.write_text(render(ATLAS, "geojson"), encoding="utf-8")
    columns = assert_gdal_reads_scalar_columns(path, {"zone_id", "name", "area_km2", "confidence", "precision_km", "fact_count"})
    assert columns["zone_id"] == RAW_ZONES
    raw = {f["properties"]["id"]: f["properties"] for f in json.loads((ROOT / "geodata" / "zones.geojson").read_text(encoding="utf-8"))["features"]}
    assert [float(a) for a in columns["area_km2"]] == [raw[z]["area_km2"] for z in RAW_ZONES]
    assert columns["confidence"] == [raw[z]["confidence"]["level"] for z in RAW_ZONES]
    rows = csv_rows(render(ATLAS, "csv"))
    assert {r["zone_id"] for r in rows} <= {*RAW_ZONES, "all"}  # every fact joins a zone (or all four)
    assert {r["fact_id"] for r in rows} == {f["id"] for f in RAW_FACTS}  # no fact left out of the downloads
    for zone, count in zip(columns["zone_id"], columns["fact_count"], strict=True):
        assert int(count) == len(raw_facts_of(zone))
    fc = json.loads(path.read_text(encoding="utf-8"))
    for feature in fc["features"]:  # the geometry is the curated one
        assert shape(feature["geometry"]).equals(ATLAS.zone(feature["id"]).geometry)
    assert set(fc["metadata"]["documents"]) == set(RAW_TEXT)


def test_geojson_as_of_opens_in_gis_as_flat_columns(tmp_path: Path) -> None:
    path = tmp_path / "zones-2020.geojson"
    path.write_text(render(ATLAS, "geojson", dt.date(2020, 3, 10)), encoding="utf-8")
    columns = assert_gdal_reads_scalar_columns(path, {"zone_id", "status", "status_since", "evidence_url", "extent_id"})
    idlib = columns["zone_id"].index("idlib")
    assert columns["status"][idlib] == "ceasefire-protocol" and columns["evidence_url"][idlib].startswith("https://")


def test_csv_download_opens_in_excel_with_its_sources(tmp_path: Path) -> None:
    out = tmp_path / "facts.csv"
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "csv", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)  # Excel reads UTF-8 only with it
    assert data.count(b"\r\n") >= len(RAW_FACTS) and b"\n" not in data.replace(b"\r\n", b"")  # Excel's line ends
    with out.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f, dialect="excel")
        rows = list(reader)
    assert reader.fieldnames is not None and reader.fieldnames[0] == "fact_id"
    meta = json.loads((ROOT / "seeds" / f"{SEED}.meta.json").read_text(encoding="utf-8"))
    speakers = {(f.id, c.start): c.speaker.label if c.speaker else "" for f in ATLAS.facts.facts for c in f.citations}
    assert any(speakers.values()) and {r["speaker"] for r in rows} > {""}  # some citations name who said it
    for r in rows:
        assert (r["document_title"], r["publisher"], r["published"]) == (meta["title"], meta["publisher"], meta["published"])
        assert r["url"] == (meta["url"] or "") and r["review_state"] == "curated"
        assert r["speaker"] == speakers[(r["fact_id"], int(r["start"]))]
        assert_quote_is_the_text(r["doc"], int(r["start"]), int(r["end"]), r["quote"])
    assert "‘Success of Russian Diplomacy in Syria’" in rows[0]["document_title"]  # curly quotes intact
    homs = next(r for r in rows if r["fact_id"] == "north-homs.population")
    assert (homs["zone_name"], homs["value"], homs["unit"], homs["qualifier"]) == ("Northern Homs de-escalation zone", "147000", "people", "more than")


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_defused() -> None:
    assert [spreadsheet_safe(v) for v in ("=HYPERLINK(1)", "+1", "-1", "@x", "84", 84, "Thursday")] == \
        ["'=HYPERLINK(1)", "'+1", "'-1", "'@x", "84", 84, "Thursday"]


# ------------------------------------------------------------------ Web Annotations, expanded offline
ANNO_CONTEXT_DOC = json.loads((ROOT / "geodata" / "anno.jsonld").read_text(encoding="utf-8"))
OA, AS, RDF = "http://www.w3.org/ns/oa#", "http://www.w3.org/ns/activitystreams#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def offline_loader(url: str, options: dict | None = None) -> dict:
    """pyld's document loader with the one remote context the export names, served from geodata/."""
    if url != ANNO_CONTEXT:
        raise jsonld.JsonLdError(f"no network in the tests: {url}", "loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": ANNO_CONTEXT_DOC}


def expanded_annotations(document: dict) -> list[dict]:
    [collection] = jsonld.expand(document, {"documentLoader": offline_loader})
    assert collection["@type"] == [AS + "OrderedCollection"]  # AnnotationCollection
    [page] = collection[AS + "first"]
    return page[AS + "items"][0]["@list"]


def test_every_citation_is_a_web_annotation_with_quote_and_position_selectors() -> None:
    document = json.loads(render(ATLAS, "annotations"))
    items = expanded_annotations(document)
    assert len(items) == sum(len(f["citations"]) for f in RAW_FACTS) == document["total"]
    by_id = {f["id"]: f for f in RAW_FACTS}
    seen = set()
    for item in items:
        assert item["@type"] == [OA + "Annotation"]
        fact_id = item["@id"].split("/annotation/")[1].rsplit("/", 1)[0]
        raw = by_id[fact_id]
        [describing, *tags] = item[OA + "hasBody"]
        assert describing["@type"] == [OA + "TextualBody"] and describing["@id"].endswith(f"/fact/{fact_id}")
        assert raw["title"] in describing[RDF + "value"][0]["@value"]
        assert {t[OA + "hasSource"][0]["@id"].rsplit("/", 1)[1] for t in tags} >= ({raw["zone"]} - {"all"})
        [target] = item[OA + "hasTarget"]
        doc = target[OA + "hasSource"][0]["@id"].rsplit("/", 1)[1]
        text = RAW_TEXT[doc]
        selectors = {s["@type"][0]: s for s in target[OA + "hasSelector"]}
        quote, position = selectors[OA + "TextQuoteSelector"], selectors[OA + "TextPositionSelector"]
        start, end = position[OA + "start"][0]["@value"], position[OA + "end"][0]["@value"]
        exact, prefix, suffix = (quote[OA + k][0]["@value"] for k in ("exact", "prefix", "suffix"))
        assert text[start:end] == exact  # code-point offsets into the document's text
        assert text[:start].endswith(prefix) and text[end:].startswith(suffix)
        assert len(prefix) == min(32, start) and len(suffix) == min(32, len(text) - end)
        seen.add((fact_id, doc, start, end, exact))
    assert seen == {(f["id"], *c) for f in RAW_FACTS for c in raw_citations(f)}


def test_web_annotations_are_rdf_and_the_shipped_context_is_the_w3c_one(tmp_path: Path) -> None:
    quads = jsonld.to_rdf(json.loads(render(ATLAS, "annotations")), {"documentLoader": offline_loader, "format": "application/n-quads"})
    assert quads.count(f"<{RDF}type> <{OA}Annotation>") == sum(len(f["citations"]) for f in RAW_FACTS)
    assert not context_problems((ROOT / "geodata" / "anno.jsonld").read_bytes())
    run = subprocess.run([sys.executable, "scripts/build_anno_context.py", str(ROOT / "geodata" / "anno.jsonld"), "--out", str(tmp_path / "a.jsonld")],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    broken = tmp_path / "broken.jsonld"
    broken.write_text(json.dumps({"@context": {**ANNO_CONTEXT_DOC["@context"], "TextQuoteSelector": "ex:Quote"}}), encoding="utf-8")
    assert context_problems(broken.read_bytes()) == ["term TextQuoteSelector is 'ex:Quote', not oa:TextQuoteSelector"]


def test_cli_exports_annotations() -> None:
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "annotations"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert len(expanded_annotations(json.loads(run.stdout))) == sum(len(f["citations"]) for f in RAW_FACTS)


def test_base_uri_is_a_setting(monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_BASE_URI", "https://atlas.example.org/v1")
    document = json.loads(render(ATLAS, "annotations"))
    assert document["first"]["items"][0]["id"].startswith("https://atlas.example.org/v1/annotation/")
    monkeypatch.setenv("ATLAS_BASE_URI", "https://atlas.invalid/")
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "annotations"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2 and "ATLAS_BASE_URI='https://atlas.invalid/' is not valid" in run.stderr


# ------------------------------------------------------------------ Linked Places
def zone_features(lpf: dict) -> list[dict]:
    return [f for f in lpf["features"] if "/zone/" in f["@id"]]


def test_linked_places_has_real_ids_and_each_name_once() -> None:
    lpf = json.loads(render(ATLAS, "lpf", gazetteer=default_gazetteer()))
    text = json.dumps(lpf)
    assert ".invalid" not in text
    ids = [f["@id"] for f in lpf["features"]]
    assert len(ids) == len(set(ids))
    zones = {f["@id"] for f in zone_features(lpf)}
    assert zones == {f"https://w3id.org/deescalation-atlas/zone/{z}" for z in RAW_ZONES}
    places = [f for f in lpf["features"] if f["@id"] not in zones]
    assert len(places) > 20
    for f in lpf["features"]:
        names = [n["toponym"].casefold() for n in f["names"]]
        assert names and len(names) == len(set(names)), f["@id"]
    for place in places:
        assert re.fullmatch(r"https://sws\.geonames\.org/[0-9]+/|https://w3id\.org/deescalation-atlas/place/[a-z0-9-]+", place["@id"])
        lon, lat = place["geometry"]["coordinates"]
        assert place["relations"] and all(r["relationTo"] in zones for r in place["relations"])
        for r in place["relations"]:  # the place does lie inside that zone's line
            assert ATLAS.zone(r["relationTo"].rsplit("/", 1)[1]).geometry.contains(Point(lon, lat))
    rastan = next(p for p in places if p["properties"]["title"] == "Ar Rastan")
    assert rastan["@id"] == "https://sws.geonames.org/172946/"
    homs = next(f for f in zone_features(lpf) if f["@id"].endswith("/north-homs"))
    assert "{" not in homs["descriptions"][0]["value"] and "medium-low" in homs["descriptions"][0]["value"]


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
                if "targets" not in citation:  # an external reference, in our words: its link
                    assert citation["@id"].startswith("http") and "in our words" in citation["label"]
                    continue
                raw = by_id[citation["@id"].rsplit("/", 1)[1]]  # a curated fact
                got = [(t["source"]["id"].rsplit("/", 1)[1], t["selector"][1]["start"], t["selector"][1]["end"], t["selector"][0]["exact"])
                       for t in citation["targets"]]
                assert got == raw_citations(raw)
                for c in got:
                    assert_quote_is_the_text(*c)
                cited += 1
    assert cited >= len(RAW_ZONES)  # every zone has at least one cited status period
