"""Issue 14: the zones' life (dated events and extents), its checks and its exports in time."""
from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point as shapely_point
from shapely.geometry import shape

from components.atlas import DataPaths, load_atlas
from components.life import ALLOWED_TRANSITIONS, STATUS_DEFINITIONS, extent_on, zone_end
from components.timeline import TIMELINE_END, events, status_on, status_periods
from components.validate import validate_all

ROOT = Path(__file__).resolve().parent.parent
ATLAS = load_atlas()
ATLAS_CURATION = {z["id"]: z for z in json.loads((ROOT / "geodata" / "zone_curation.json").read_text(encoding="utf-8"))["zones"]}
D = dt.date.fromisoformat


def edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def messages(data: DataPaths) -> list[str]:
    return [str(p) for p in validate_all(data)]


def event(data: Any, event_id: str) -> dict:
    return next(e for e in data["events"] if e["id"] == event_id)


# ------------------------------------------------------------------ the model on the shipped data
@pytest.mark.parametrize(("zone", "day", "status"), [
    ("idlib", "2017-10-01", "borders-agreed"),
    ("idlib", "2018-10-01", "demilitarised-zone-agreed"),
    ("idlib", "2020-03-10", "ceasefire-protocol"),
    ("idlib", "2025-01-01", "framework-ended"),
    ("eastern-ghouta", "2018-03-20", "under-offensive"),
    ("eastern-ghouta", "2018-04-20", "retaken"),
    ("north-homs", "2018-04-20", "under-offensive"),
    ("north-homs", "2018-05-05", "evacuation-agreed"),
    ("north-homs", "2019-01-01", "retaken"),
    ("south", "2017-07-20", "ceasefire-in-force"),
    ("south", "2018-07-01", "under-offensive"),
    ("south", "2018-09-01", "retaken"),
])
def test_status_on_a_date_of_the_zones_life(zone: str, day: str, status: str) -> None:
    assert status_on(ATLAS, zone, D(day))[0] == status


def test_every_status_has_a_definition_and_transitions() -> None:
    assert set(STATUS_DEFINITIONS) == set(ALLOWED_TRANSITIONS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for status, (label, _definition) in STATUS_DEFINITIONS.items():
        assert f"`{status}`" in readme and label in readme, status


def test_the_axis_runs_past_the_last_zones_end() -> None:
    ends = [zone_end(ATLAS.life, z.id) for z in ATLAS.zones.zones]
    assert all(ends)
    assert max(e for e in ends if e) < TIMELINE_END


def test_bands_never_run_past_their_evidence() -> None:
    for zone in ATLAS.zones.zones:
        periods = status_periods(ATLAS, zone.id)
        dated = [e.end for e in events(ATLAS) if zone.id in e.zones]
        assert periods[-1][2] <= max(dated), zone.id
        for (_, _, last), (_, first, _) in itertools.pairwise(periods):
            assert first == last + dt.timedelta(days=1), zone.id  # no gaps between bands


def area_on(zone: str, day: str) -> float:
    extent, _ = extent_on(ATLAS.life, zone, D(day))
    assert extent is not None
    return extent.area_km2


def test_extents_shrink_with_the_offensives() -> None:
    assert area_on("eastern-ghouta", "2018-03-20") < area_on("eastern-ghouta", "2017-08-01")
    assert area_on("idlib", "2020-03-10") < area_on("idlib", "2018-10-01")
    assert area_on("south", "2018-07-20") < area_on("south", "2017-08-01")


def test_after_its_end_a_zone_keeps_its_last_extent_flagged_ended() -> None:
    last, ended = extent_on(ATLAS.life, "eastern-ghouta", D("2019-01-01"))
    before, ended_before = extent_on(ATLAS.life, "eastern-ghouta", D("2018-04-10"))
    assert ended and not ended_before and last is before
    assert extent_on(ATLAS.life, "idlib", D("2017-05-01")) == (None, False)


def test_every_extent_change_names_its_sources_and_they_exist() -> None:
    for extent in ATLAS.life.extents:
        assert extent.sources, extent.id
        if extent.valid_from > D("2017-05-04"):
            assert all(s in ATLAS.references for s in extent.sources), extent.id


def test_build_zones_writes_the_committed_extents(tmp_path: Path) -> None:
    out, extents = tmp_path / "zones.geojson", tmp_path / "extents.geojson"
    run = subprocess.run([sys.executable, "scripts/build_zones.py", "--quiet", "--out", str(out), "--extents-out", str(extents)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert extents.read_bytes() == (ROOT / "geodata" / "zone_extents.geojson").read_bytes()


# ------------------------------------------------------------------ bad input: validate names each
def test_extent_overlapping_another_zone_on_the_same_date(data_copy: DataPaths) -> None:
    def grow(data: Any) -> None:
        ghouta = next(f for f in data["features"] if f["id"] == "eastern-ghouta@2017-05-04")
        homs = next(f for f in data["features"] if f["id"] == "north-homs@2017-05-04")
        ghouta["geometry"] = homs["geometry"]
    edit(data_copy.extents, grow)
    assert any("zone_extents.geojson" in m and "extent 'north-homs@2017-05-04'" in m
               and "overlaps extent 'eastern-ghouta@2017-05-04' of zone 'eastern-ghouta' on 2017-05-04" in m for m in messages(data_copy))


def test_event_dated_outside_its_zones_life(data_copy: DataPaths) -> None:
    def move(data: Any) -> None:
        event(data, "north-homs.deal-2018-05-02")["date"] = "2019-05-02"
        event(data, "south.offensive-2018-06-18")["date"] = "2016-06-18"
    edit(data_copy.life, move)
    found = messages(data_copy)
    assert any("'north-homs.deal-2018-05-02'" in m and "after zone 'north-homs' ended (2018-05-16)" in m for m in found)
    assert any("'south.offensive-2018-06-18'" in m and "before the zone's life began" in m for m in found)


def test_disallowed_status_transition(data_copy: DataPaths) -> None:
    def revive(data: Any) -> None:
        data["events"].append({"id": "south.revived", "zone": "south", "date": "2018-07-31", "date_precision": "day",
                               "status": "operating", "title": "t", "summary": "s",
                               "references": ["wikipedia-southern-offensive-2018"]})
        event(data, "south.retaken-2018-07-31")["date"] = "2018-07-30"
    edit(data_copy.life, revive)
    assert any("fact 'life:south.revived'" in m and "retaken → operating" in m and "not allowed" in m
               for m in messages(data_copy))


def test_reference_without_url_or_date(data_copy: DataPaths) -> None:
    def strip(data: Any) -> None:
        ref = next(r for r in data["references"] if r["id"] == "dailysabah-sochi-2018")
        ref["url"] = None
        ref["date"] = ""
    edit(data_copy.references, strip)
    found = messages(data_copy)
    assert any("reference 'dailysabah-sochi-2018'" in m and "no URL" in m for m in found)
    assert any("reference 'dailysabah-sochi-2018'" in m and "no date" in m for m in found)


@pytest.mark.parametrize(("date", "precision"), [("2018-03-12", "month"), ("2018-03", "day"), ("2018-02-30", "day")])
def test_date_precision_contradicting_its_value(data_copy: DataPaths, date: str, precision: str) -> None:
    def set_date(data: Any) -> None:
        e = event(data, "eastern-ghouta.three-pockets-2018-03-12")
        e["date"], e["date_precision"] = date, precision
    edit(data_copy.life, set_date)
    assert any("'eastern-ghouta.three-pockets-2018-03-12'" in m and "contradicts its value" in m for m in messages(data_copy))


def test_wrong_type_in_the_life_file_is_named_with_its_path(data_copy: DataPaths) -> None:
    edit(data_copy.life, lambda d: event(d, "idlib.sochi-2018-09-17").__setitem__("references", "dailysabah-sochi-2018"))
    atlas = load_atlas(data_copy)
    assert any("zone_life.json" in str(p) and "references" in str(p) for p in atlas.problems)
    assert "idlib.sochi-2018-09-17" not in {e.id for e in atlas.life.events}
    assert len(atlas.life.events) == len(ATLAS.life.events) - 1


# ------------------------------------------------------------------ exports in time
def export_as_of(day: str) -> dict:
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "geojson", "--as-of", day],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def feature(collection: dict, zone: str) -> dict:
    return next(f for f in collection["features"] if f["id"] == zone)


def geodesic_km2(f: dict) -> float:
    from pyproj import Geod
    return abs(Geod(ellps="WGS84").geometry_area_perimeter(shape(f["geometry"]))[0]) / 1e6


def test_export_as_of_gives_the_zones_as_they_were() -> None:
    early, ghouta_split = export_as_of("2017-08-01"), export_as_of("2018-03-20")
    assert geodesic_km2(feature(ghouta_split, "eastern-ghouta")) < geodesic_km2(feature(early, "eastern-ghouta"))
    sochi, moscow = export_as_of("2018-10-01"), export_as_of("2020-03-10")
    assert geodesic_km2(feature(moscow, "idlib")) < geodesic_km2(feature(sochi, "idlib"))
    props = feature(moscow, "idlib")["properties"]
    assert props["status"] == "ceasefire-protocol" and props["status_since"] == "2020-03-05" and not props["ended"]
    assert props["evidence_url"].startswith("https://") and props["evidence_publisher"] and props["evidence_date"] == "2020-03-05"
    assert props["evidence_reference"] and props["evidence_quote"] is None  # in our words, after its reference
    homs_1917 = feature(early, "north-homs")["properties"]
    text = ATLAS.corpus.get(homs_1917["evidence_doc"]).text
    assert text[homs_1917["evidence_start"]:homs_1917["evidence_end"]] == homs_1917["evidence_quote"]
    for collection in (early, ghouta_split, sochi, moscow):  # flat properties: a column each in a GIS
        assert all(not isinstance(v, (dict, list)) for f in collection["features"] for v in f["properties"].values())


def test_export_as_of_after_the_end_carries_the_last_extent_and_an_ended_status() -> None:
    later = export_as_of("2019-01-01")
    ghouta = feature(later, "eastern-ghouta")
    assert ghouta["properties"]["ended"] and ghouta["properties"]["status"] == "retaken"
    assert ghouta["properties"]["extent_id"] == "eastern-ghouta@2018-04-02"
    assert ghouta["geometry"]["type"] in ("Polygon", "MultiPolygon")  # RFC 7946: a plain geometry, no 'when'
    assert set(later) == {"type", "metadata", "features"} and len(later["features"]) == 4


def test_export_as_of_bad_date_is_a_message_not_a_traceback() -> None:
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "geojson", "--as-of", "March"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2 and "not an ISO date (YYYY-MM-DD)" in run.stderr and len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


def test_linked_places_carries_every_dated_extent_with_when() -> None:
    from components.export import linked_places
    lpf = linked_places(ATLAS)
    idlib = next(f for f in lpf["features"] if f["@id"].endswith("zone/idlib"))
    geoms = idlib["geometry"]["geometries"]
    assert len(geoms) == len(ATLAS.life.extents_for("idlib"))
    starts = [g["when"]["timespans"][0]["start"]["in"] for g in geoms]
    assert starts == sorted(starts) and "2020-03-06" in starts and "2018-02-15" in starts
    assert geoms[-1]["when"]["timespans"][0]["end"]["in"] == "2024-12-07"


def test_contradicting_claims_are_shown_side_by_side_with_their_speakers() -> None:
    from components.timeline import disagreements
    found = [d for d in disagreements(ATLAS) if d.zone == "eastern-ghouta" and len(d.facts) == 2
             and {f.id for f in d.facts} == {"life:eastern-ghouta.russian-claim-2018-04-12", "life:eastern-ghouta.retaken-2018-04-14"}]
    assert len(found) == 1
    assert "Russian Defence Ministry" in found[0].summary and "Syrian army" in found[0].summary
    assert all(f.references and not f.citations for f in found[0].facts)


def test_the_homs_pocket_reaches_into_salamiyah_district_until_april_2018() -> None:
    # re-audit: Salim and Hamrat (hand-placed) are inside the mid-2017 line and outside once taken
    salim = next(m for m in ATLAS_CURATION["north-homs"]["member_settlements"] if m["name"] == "Salim")
    point = shapely_point(salim["lon"], salim["lat"])
    mid_2017, _ = extent_on(ATLAS.life, "north-homs", D("2017-08-01"))
    april, _ = extent_on(ATLAS.life, "north-homs", D("2018-04-20"))
    assert mid_2017.geometry.contains(point) and not april.geometry.contains(point)
    assert april.area_km2 < mid_2017.area_km2


def test_the_operating_claim_and_the_same_weeks_bombardment_are_shown_side_by_side() -> None:
    from components.timeline import disagreements
    from components.ui.timeview import disagreement_html
    found = [d for d in disagreements(ATLAS)
             if {f.id for f in d.facts} == {"life:eastern-ghouta.bombardment-2017-08-04", "eastern-ghouta.status"}]
    assert len(found) == 1
    report, claim = found[0].facts
    assert claim.value == "operating" and "already operating effectively" in claim.citations[0].quote
    assert report.references == ("trtworld-ghouta-bombardment-2017",) and not report.citations
    assert "Syrian Observatory" in found[0].summary and "Sputnik" in found[0].summary
    reference = ATLAS.references["trtworld-ghouta-bombardment-2017"]
    assert reference.url.startswith("https://") and reference.date == "2017-08-05"
    html = disagreement_html(ATLAS, found[0])  # both sides, each with its citation: the quoted span and the reference
    assert html.count('class="atlas-side"') == 2
    assert "already operating effectively" in html and "in our words" in html and "TRT World" in html


def test_a_life_event_contradicting_an_unknown_fact_is_named(data_copy: DataPaths) -> None:
    edit(data_copy.life, lambda d: event(d, "eastern-ghouta.bombardment-2017-08-04").__setitem__(
        "contradicts", ["eastern-ghouta.no-such-fact"]))
    assert any("zone_life.json" in m and "'eastern-ghouta.bombardment-2017-08-04'" in m
               and "contradicts unknown event or fact 'eastern-ghouta.no-such-fact'" in m for m in messages(data_copy))


def test_editing_the_life_files_changes_the_dataset_version(data_copy: DataPaths) -> None:
    from components.version import dataset_version
    before = dataset_version(data_copy)
    edit(data_copy.life, lambda d: event(d, "idlib.sochi-2018-09-17").__setitem__("title", "Sochi"))
    after_life = dataset_version(data_copy)
    edit(data_copy.extents, lambda d: d["features"][0]["properties"].__setitem__("area_km2", 1.0))
    assert len({before, after_life, dataset_version(data_copy)}) == 3
