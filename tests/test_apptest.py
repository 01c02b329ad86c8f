"""Streamlit AppTest: the real app script, its widgets and panels, without a browser."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.server import sealed_app

ROOT = Path(__file__).resolve().parent.parent
ZONES = json.loads((ROOT / "geodata" / "zones.geojson").read_text(encoding="utf-8"))
NAMES = {f["properties"]["id"]: f["properties"]["name"] for f in ZONES["features"]}
TIMEOUT = 60


def run_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(sealed_app()), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def html_of(at: AppTest) -> str:
    """Everything the page shows as Markdown or as our own HTML blocks (st.html)."""
    return "\n".join([*(str(m.value) for m in at.markdown), *(str(h.value) for h in at.html)])


def block(at: AppTest, css_class: str) -> str:
    """The one HTML block with this class (components.ui.safe.html_block)."""
    return next(str(h.value) for h in at.html if f'class="{css_class}"' in str(h.value))


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


@pytest.mark.parametrize("zone_id", list(NAMES))
def test_zone_by_url_renders_facts_and_marks(zone_id: str) -> None:
    at = run_app({"zone": zone_id})
    assert subheaders(at) == [NAMES[zone_id]]
    body = html_of(at)
    assert "<mark" in body and 'class="atlas-fact"' in body
    assert at.radio(key="atlas_zone_radio").value == zone_id


@pytest.mark.parametrize("zone_id", list(NAMES))
def test_zone_by_list_renders_facts(zone_id: str) -> None:
    at = run_app()
    assert subheaders(at) == []
    at.radio(key="atlas_zone_radio").set_value(zone_id).run()
    assert not at.exception
    assert subheaders(at) == [NAMES[zone_id]]
    assert at.query_params["zone"] == [zone_id] or at.query_params["zone"] == zone_id


def test_north_homs_numbers_and_citations() -> None:
    body = html_of(run_app({"zone": "north-homs"}))
    assert "84 settlements" in body and "more than 147,000 people" in body
    assert '<mark data-start="489" data-end="503"' in body  # the cited span of "84 settlements"


@pytest.mark.parametrize("bad", ["aleppo", "", "x" * 300, "<script>alert(1)</script>"])
def test_unknown_zone_is_friendly(bad: str) -> None:
    at = run_app({"zone": bad})
    assert subheaders(at) == []
    assert len(at.warning) == 1
    if bad == "<script>alert(1)</script>":
        assert "\\<script\\>" in at.warning[0].value  # shown literally, escaped for Markdown
    # the normal map and zone list are still there
    assert at.radio(key="atlas_zone_radio").value == "(none)"


def zone_styles_of(at: AppTest) -> dict[str, dict]:
    """The zone styles the page hands the map (mapview.zone_styles_script)."""
    script = next(h.value for h in at.html if "__atlasZoneStyles" in h.value)
    return json.loads(script.split(" = ", 1)[1].split(";\n", 1)[0])


def test_passage_button_selects_exactly_the_zones_it_supports() -> None:
    at = run_app({"tab": "Read a document"})
    prefix = "Select the zones this passage supports: "
    button = next(b for b in at.button if b.label.startswith(prefix) and NAMES["eastern-ghouta"] in b.label)
    ids = {name: zid for zid, name in NAMES.items()}
    named = [ids[n] for n in button.label.removeprefix(prefix).split(", ")]
    assert "eastern-ghouta" in named and len(named) < len(NAMES)
    before = {z for z, st in zone_styles_of(at).items() if st["color"] == "#000000"}
    assert before == set()
    button.click().run()
    assert not at.exception
    outlined = {z for z, st in zone_styles_of(at).items() if st["color"] == "#000000"}
    assert outlined == set(named)  # Eastern Ghouta and the passage's other zones, nothing else
    assert subheaders(at) == [NAMES[named[0]]]  # the first of them is the one the panel details
    assert at.radio(key="atlas_zone_radio").value == named[0]
    body = html_of(at)
    assert f'data-fact="{named[0]}.' in body and 'data-fact="idlib.' not in body


def test_sources_and_downloads_present() -> None:
    at = run_app({"tab": "Sources and downloads"})
    body = html_of(at)
    assert "GeoNames" in body and "Natural Earth" in body and "Sputnik" in body
    assert "CC BY 4.0" in body
    assert [b.proto.label for b in at.get("download_button")] == [
        "Zones (GeoJSON)", "Facts and sources (CSV)", "Citations (Web Annotations)", "Zones over time (Linked Places)",
        "Map image (PNG)", "Map image (SVG)"]


def test_the_operating_claim_and_the_bombardment_report_are_one_disagreement() -> None:
    at = run_app({"tab": "Where the sources disagree"})
    items = [str(h.value) for h in at.html if 'class="atlas-disagreements"' in str(h.value)]
    pair = [i for i in items if "already operating effectively" in i and "TRT World" in i]
    assert len(pair) == 1, items
    assert "Syrian Observatory" in pair[0] and "in our words" in pair[0] and pair[0].count('class="atlas-side"') == 2


def test_zone_table_lists_every_zone_with_its_measures() -> None:
    table = block(run_app({"date": "2017-06-01"}), "atlas-zone-table")  # "All zones" is the first tab
    assert table.count("<tr>") == 1 + len(NAMES)
    for name in NAMES.values():
        assert f"<td>{name}</td>" in table
    assert "Declared in the memorandum" in table  # statuses follow the chosen date
    from components.atlas import load_atlas
    from components.gazetteer import load_gazetteer
    from components.measures import measure_zone
    atlas = load_atlas()
    homs = measure_zone(atlas.zone("north-homs"), load_gazetteer(), 84)
    row = next(r for r in table.split("<tr>") if NAMES["north-homs"] in r)
    assert (f"<td>{homs.area_km2:,.0f}</td><td>{homs.settlements_inside_count}</td><td>84</td>"
            f"<td>{homs.km_to_damascus_edge:,.0f}</td>") in row


def test_map_arguments_do_not_change_with_selection_or_date() -> None:
    """Identical component arguments on every run let Streamlit send the map as a reference;
    the selection and the date reach the map only through the small style script."""
    import datetime as dt
    at = run_app()
    before = at.get("component_instance")[0].proto.json_args
    at.radio(key="atlas_zone_radio").set_value("south").run()
    at.slider(key="atlas_date").set_value(dt.date(2017, 6, 1)).run()
    assert at.get("component_instance")[0].proto.json_args == before
    styles = zone_styles_of(at)
    assert styles["south"]["color"] == "#000000"  # selected: black outline
    assert styles["south"]["fillColor"] == "#CC79A7"  # 1 June 2017: declared in the memorandum
    assert styles["idlib"]["color"] != "#000000"


def test_search_survives_switching_tabs() -> None:
    """Closed tabs do not run; the search text and the reader's document are kept meanwhile."""
    at = run_app({"tab": "Search"})
    at.text_input(key="atlas_search").input("Homs").run()
    assert "results 1–" in block(at, "atlas-search-summary")
    at.query_params["tab"] = "Timeline"
    at.run()
    assert not at.text_input  # the search tab is closed: its widgets are not drawn
    at.query_params["tab"] = "Search"
    at.run()
    assert at.text_input(key="atlas_search").value == "Homs"


def test_only_the_open_tab_runs() -> None:
    """The tabs under the map are lazy: a closed tab's content is neither computed nor sent."""
    at = run_app()
    assert "GeoNames" not in html_of(at)  # sources tab closed
    assert not [b for b in at.button if b.label.startswith("Select the zones this passage supports")]
    at = run_app({"tab": "Read a document"})
    assert [b for b in at.button if b.label.startswith("Select the zones this passage supports")]
    assert "GeoNames" not in html_of(at)


def status_text(at: AppTest) -> str:
    return block(at, "atlas-asof")


def test_date_in_permalink_sets_the_status() -> None:
    at = run_app({"zone": "north-homs", "date": "2017-07-15"})
    assert "As of 15 July 2017" in status_text(at) and "Borders agreed" in status_text(at)
    at = run_app({"zone": "north-homs", "date": "2017-08-01"})
    assert "Agreement on the zone reached" in status_text(at)


def test_moving_the_slider_changes_status_and_url() -> None:
    import datetime as dt
    at = run_app({"zone": "south"})
    assert "Operating" in status_text(at)
    at.slider(key="atlas_date").set_value(dt.date(2017, 6, 1)).run()
    assert not at.exception
    assert "As of 1 June 2017" in status_text(at) and "Declared in the memorandum" in status_text(at)
    assert at.query_params["date"] in (["2017-06-01"], "2017-06-01")


@pytest.mark.parametrize("bad", ["2016-05-01", "not-a-date", "<img src=x onerror=alert(1)>", "20170601", "2017-W23-1",
                                 "２０１７-０６-０１"])
def test_bad_date_is_friendly(bad: str) -> None:
    at = run_app({"zone": "idlib", "date": bad})
    assert len(at.warning) == 1
    assert "As of 6 August 2017" in status_text(at)


def query(at: AppTest, key: str) -> list[str]:
    """Every value of a parameter in the page's URL (AppTest gives one value as a string)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize("bad", ["Nope", "", "timeline", "<script>alert(1)</script>", "x" * 300])
def test_bad_tab_is_friendly_like_zone_and_date(bad: str) -> None:
    at = run_app({"tab": bad, "zone": "idlib"})
    assert len(at.warning) == 1, [w.value for w in at.warning]
    message = at.warning[0].value
    assert "tab" in message and "showing “all zones”" in message.lower()
    if bad == "timeline":
        assert "Did you mean “Timeline”?" in message
    if bad.startswith("<script>"):
        assert "\\<script\\>" in message  # shown literally, escaped for Markdown
    assert block(at, "atlas-zone-table")  # the first tab is open; the rest of the page as usual
    assert subheaders(at) == [NAMES["idlib"]]
    assert query(at, "tab") == []  # the bad value is gone from the URL


def test_good_tab_gives_no_message() -> None:
    at = run_app({"tab": "Sources and downloads"})
    assert not at.warning and "GeoNames" in html_of(at)


def test_repeated_parameters_keep_one_value_in_the_url() -> None:
    at = AppTest.from_file(str(sealed_app()), default_timeout=TIMEOUT)
    at.query_params["zone"] = ["idlib", "south"]
    at.query_params["date"] = ["2017-06-01", "2017-07-15"]
    at.query_params["tab"] = ["Timeline", "Sources and downloads"]
    at.run()
    assert not at.exception and not at.warning
    assert query(at, "zone") == ["south"] and subheaders(at) == [NAMES["south"]]
    assert query(at, "date") == ["2017-07-15"] and "As of 15 July 2017" in status_text(at)
    assert query(at, "tab") == ["Sources and downloads"] and "GeoNames" in html_of(at)


def copy_data(tmp_path: Path) -> Path:
    import shutil
    shutil.copytree(ROOT / "geodata", tmp_path / "geodata")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path


@pytest.mark.parametrize("missing", ["zones.geojson", "facts.json", "gazetteer_sy.json", "basemap.geojson"])
def test_missing_data_file_is_named_not_a_traceback(tmp_path: Path, monkeypatch, missing: str) -> None:
    root = copy_data(tmp_path)
    (root / "geodata" / missing).unlink()
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(root))
    monkeypatch.setenv("ATLAS_UPLOADS", str(tmp_path / "uploads"))
    at = run_app()
    problems = block(at, "atlas-problems")
    assert missing in problems
    assert at.title[0].value == "De-escalation Atlas"


BASEMAP_CASES = {
    "empty file": (b"", "the file is empty"),
    "empty object": (b"{}", "not a GeoJSON FeatureCollection"),
    "no features": (b'{"type": "FeatureCollection", "features": []}', "no country borders to draw (0 features)"),
    "null": (b"null", "not a GeoJSON FeatureCollection"),
    "truncated": (b'{"type": "FeatureCollection", "feat', "malformed JSON"),
    "feature without geometry": (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"layer": "city"}}]}',
                                 "$.features[0]: no geometry with coordinates; not drawn"),
}


@pytest.mark.parametrize("case", list(BASEMAP_CASES))
def test_empty_or_broken_basemap_is_named_and_the_zones_still_draw(tmp_path: Path, monkeypatch, case: str) -> None:
    content, expected = BASEMAP_CASES[case]
    root = copy_data(tmp_path)
    (root / "geodata" / "basemap.geojson").write_bytes(content)
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(root))
    at = run_app({"zone": "north-homs"})
    problems = block(at, "atlas-problems")
    assert "basemap.geojson" in problems and expected in problems, problems
    assert subheaders(at) == [NAMES["north-homs"]]  # the zones, facts and panels as usual


def test_a_bad_basemap_feature_is_left_out_and_named_the_rest_is_drawn(tmp_path: Path, monkeypatch) -> None:
    root = copy_data(tmp_path)
    path = root / "geodata" / "basemap.geojson"
    basemap = json.loads(path.read_text(encoding="utf-8"))
    basemap["features"][0]["geometry"] = None
    path.write_text(json.dumps(basemap), encoding="utf-8")
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(root))
    at = run_app()
    assert "$.features[0]: no geometry with coordinates; not drawn" in block(at, "atlas-problems")
    assert "no country borders" not in block(at, "atlas-problems")


def test_a_sidecar_with_a_byte_order_mark_is_read(tmp_path: Path, monkeypatch) -> None:
    """Windows editors save UTF-8 with a BOM; the sidecar (and with it the document and its facts) still loads."""
    root = copy_data(tmp_path)
    sidecar = root / "seeds" / "000_6a7ef684703209c4.meta.json"
    sidecar.write_bytes(b"\xef\xbb\xbf" + sidecar.read_bytes())
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(root))
    at = run_app({"zone": "north-homs"})
    body = html_of(at)
    assert 'data-fact="north-homs.settlements"' in body and "84 settlements" in body
    assert not [h for h in at.html if 'class="atlas-problems"' in str(h.value)]


def test_edited_document_hides_its_facts_and_says_why(tmp_path: Path, monkeypatch) -> None:
    root = copy_data(tmp_path)
    seed = root / "seeds" / "000_6a7ef684703209c4.txt"
    seed.write_bytes(seed.read_bytes().replace(b"84 settlements", b"85 settlements"))
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(root))
    monkeypatch.setenv("ATLAS_UPLOADS", str(tmp_path / "uploads"))
    at = run_app({"zone": "north-homs"})
    body = html_of(at)
    assert 'data-fact="north-homs.settlements"' not in body  # never shown unverified
    assert 'data-fact="north-homs.population"' in body
    problems = block(at, "atlas-problems")
    assert "north-homs.settlements" in problems and "quote does not match" in problems


def test_a_document_dropped_into_seeds_appears_on_the_next_run(tmp_path: Path, monkeypatch) -> None:
    root = copy_data(tmp_path)
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(root))
    monkeypatch.setenv("ATLAS_UPLOADS", str(tmp_path / "uploads"))
    at = run_app({"zone": "south"})
    assert "Nawa" not in html_of(at)
    (root / "seeds" / "900_new.txt").write_text(
        "Shelling hit Nawa in the southern de-escalation zone on Tuesday, residents said.", encoding="utf-8")
    at = run_app({"zone": "south"})
    body = html_of(at)
    assert "Shelling hit" in body and 'class="atlas-auto"' in body  # linked to the zone, place marked


def test_a_document_title_is_shown_literally_not_as_markdown(tmp_path: Path, monkeypatch) -> None:
    """A title is document data: Markdown in it (an image fetching an outside URL) must stay text."""
    root = copy_data(tmp_path)
    monkeypatch.setenv("ATLAS_DATA_ROOT", str(root))
    monkeypatch.setenv("ATLAS_UPLOADS", str(tmp_path / "uploads"))
    sidecar = root / "seeds" / "000_6a7ef684703209c4.meta.json"
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    meta["title"] = "![x](http://example.invalid/p.png) **Homs** report"
    sidecar.write_text(json.dumps(meta), encoding="utf-8")
    at = run_app({"zone": "north-homs"})
    captions = [c.value for c in at.caption if "example" in c.value]
    assert captions, "the document's title is listed above its passages"
    assert all(c.startswith("\\!\\[x\\]\\(") and "\\*\\*Homs\\*\\*" in c for c in captions), captions
