"""Map building: offline assets, tiles switch, escaping, selection layer, click parsing."""
from __future__ import annotations

import dataclasses
import json
import re

import streamlit_folium

from components.atlas import load_atlas
from components.mapbuild import (
    APPLY_FUNCTION,
    STYLES_GLOBAL,
    build_map,
    clicked_feature_id,
    load_basemap,
    status_style,
    tiles_enabled,
    tooltip_html,
    zone_feature,
    zone_styles,
    zone_summary,
)
from components.offline import ensure_leaflet_assets, leaflet_package_dir
from components.paths import BASEMAP_FILE
from tests.server import sealed_app

ATLAS = load_atlas()
BASEMAP = load_basemap(BASEMAP_FILE)


def rendered(tiles: bool) -> str:
    return build_map(ATLAS, BASEMAP, tiles=tiles).get_root().render()


def external_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["'](https?://[^"']+)""", html)


def test_map_without_tiles_references_no_outside_host() -> None:
    html = rendered(tiles=False)
    assert external_urls(html) == []
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "tile.openstreetmap.org" not in html
    for cdn in ("jquery", "bootstrap", "font-awesome", "fontawesome", "awesome-markers", "cdn.jsdelivr"):
        assert cdn not in html.lower()


def test_map_with_tiles_adds_osm_with_attribution() -> None:
    html = rendered(tiles=True)
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in html
    assert "OpenStreetMap" in html and "contributors" in html


def test_streamlit_folium_gets_only_local_assets() -> None:
    fmap = build_map(ATLAS, BASEMAP, tiles=False)
    links = [url for _, url in fmap.default_js + fmap.default_css]
    assert links and all(url.startswith("/app/static/") for url in links)


def test_tiles_switch() -> None:
    assert tiles_enabled({}) is True
    assert tiles_enabled({"ATLAS_TILES": "osm"}) is True
    for off in ("none", "NONE", "off", "0", "false"):
        assert tiles_enabled({"ATLAS_TILES": off}) is False


def test_all_four_zones_and_basemap_are_drawn() -> None:
    html = rendered(tiles=False)
    for zone in ATLAS.zones.zones:
        assert f'"id": "{zone.id}"' in html
    assert "Natural Earth" in html


def test_tooltip_escapes_names_from_data() -> None:
    zone = ATLAS.zone("north-homs")
    hostile = dataclasses.replace(zone, name='<img src=x onerror="alert(1)">')
    tip = tooltip_html(zone_summary(ATLAS, hostile, 454.0))
    assert "<img" not in tip and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in tip
    assert "84 settlements" in tip and "more than 147,000 people" in tip and "454 km²" in tip


def test_zone_feature_is_slim_and_typed() -> None:
    zone = ATLAS.zone("idlib")
    feature = zone_feature(zone, zone_summary(ATLAS, zone))
    assert set(feature["properties"]) == {"id", "name", "tooltip_html"}


def test_map_arguments_follow_the_dataset_and_only_the_styles_follow_selection_and_date(data_copy) -> None:
    """What mapview caches per dataset (fastmap.map_args of the map) and what it sends on every run
    (zone_styles_script for the date and selection): the first changes with the data only, the
    second with the date and the selection, and no status colour lives in the cached map."""
    import datetime as dt

    from components.timeline import statuses_on
    from components.ui.fastmap import map_args
    from components.ui.mapview import RETURNED_OBJECTS, zone_styles_script
    from components.ui.selection import MAP_KEY

    def args_for(atlas) -> object:
        return map_args(build_map(atlas, BASEMAP, tiles=False), MAP_KEY, RETURNED_OBJECTS)

    cached = args_for(ATLAS)
    assert args_for(load_atlas()) == cached  # the same dataset loaded again: the same arguments, byte for byte
    zones = json.loads(data_copy.zones.read_text(encoding="utf-8"))
    zones["features"][1]["properties"]["name"] = "Renamed zone"
    data_copy.zones.write_text(json.dumps(zones), encoding="utf-8")
    changed = args_for(load_atlas(data_copy))
    assert "Renamed zone" in changed.script and "Renamed zone" not in cached.script
    assert changed.hash_key != cached.hash_key  # another dataset is another map in the browser

    days = {"1 June": dt.date(2017, 6, 1), "6 August": dt.date(2017, 8, 6)}
    selections = {"none": [], "south": ["south"], "two": ["idlib", "eastern-ghouta"]}
    styles = {(d, s): zone_styles(statuses_on(ATLAS, day), sel) for d, day in days.items() for s, sel in selections.items()}
    scripts = {key: zone_styles_script(value) for key, value in styles.items()}
    assert len(set(scripts.values())) == len(scripts)  # every date and selection sends its own styles
    for (d, s), style in styles.items():
        assert {z for z, v in style.items() if v["color"] == "#000000"} == set(selections[s])
        assert style["south"]["fillColor"] == ("#CC79A7" if d == "1 June" else "#009E73")  # declared, then operating
    for colour in {v["fillColor"] for style in styles.values() for v in style.values()}:
        assert colour not in cached.script  # styles reach the map only through the page script


def test_zone_styles_follow_status_and_selection() -> None:
    styles = zone_styles({"idlib": "under-consultation", "south": "operating", "north-homs": "not-declared"}, ["south"])
    assert styles["idlib"] == status_style("under-consultation")
    assert styles["south"]["fillColor"] == "#009E73" and styles["south"]["color"] == "#000000" and styles["south"]["weight"] == 4
    assert styles["north-homs"]["color"] == "#999999"


def test_map_script_reads_zone_styles_from_the_page() -> None:
    """The map defines the hook that applies the page's styles, after the zones' layer exists."""
    import streamlit_folium
    fmap = build_map(ATLAS, BASEMAP, tiles=False)
    fmap.render()
    script = streamlit_folium._get_map_string(fmap)
    assert f"window.{APPLY_FUNCTION} = function" in script and f'window.parent["{STYLES_GLOBAL}"]' in script
    zones_layer = script.index('"id": "north-homs"')  # the zones' GeoJSON data (the basemap comes first)
    assert zones_layer < script.index(f"window.{APPLY_FUNCTION} = function")


def test_clicked_feature_id() -> None:
    assert clicked_feature_id(None) is None
    assert clicked_feature_id({"last_active_drawing": None}) is None
    assert clicked_feature_id({"last_active_drawing": {"properties": {"id": "south"}}}) == "south"
    assert clicked_feature_id({"last_active_drawing": {"properties": {"id": "place:geonames:169577"}}}) == "place:geonames:169577"
    assert clicked_feature_id({"last_active_drawing": {"properties": {"id": 5}}}) is None


def test_leaflet_assets_are_copied_from_the_package(tmp_path) -> None:
    target = ensure_leaflet_assets(tmp_path)
    assert (target / "leaflet.js").read_bytes() == (leaflet_package_dir() / "leaflet.js").read_bytes()
    assert (target / "images" / "marker-icon.png").exists()
    assert b"Leaflet 1.9.4" in (target / "leaflet.js").read_bytes()[:300]


def test_fast_path_sends_what_st_folium_sends(monkeypatch) -> None:
    """The cached component arguments equal st_folium's own (up to folium's random element ids)."""
    import streamlit_folium as sf

    from components.mapbuild import places_layer
    from components.ui.fastmap import feature_groups_js, map_args, show_map_component

    calls: list[dict] = []
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: calls.append(kwargs))
    returned = ["last_active_drawing", "last_object_clicked"]
    groups = lambda: [places_layer([])]  # noqa: E731
    sf.st_folium(build_map(ATLAS, BASEMAP, tiles=False), key="k", height=600, use_container_width=True,
                 returned_objects=returned, feature_group_to_add=groups(), on_change=lambda: None)
    args = map_args(build_map(ATLAS, BASEMAP, tiles=False), "k", returned)
    show_map_component(args, feature_groups_js(groups()), key="k", height=600, on_change=lambda: None)
    ours, theirs = calls[1], calls[0]
    ids = re.compile(r"_[0-9a-f]{32}")
    for name in theirs:
        if name == "on_change":
            continue
        a, b = theirs[name], ours[name]
        if isinstance(a, str):
            a, b = ids.sub("_ID", a), ids.sub("_ID", b)
        assert a == b, name


def test_zone_styles_script_cannot_end_its_script_tag() -> None:
    from components.ui.mapview import zone_styles_script
    script = zone_styles_script({"idlib": {"color": "</script><script>alert(1)</script>"}})
    assert script.count("</script>") == 1 and script.endswith("</script>")
    payload = script.split(" = ", 1)[1].split(";\n", 1)[0]
    assert json.loads(payload) == {"idlib": {"color": "</script><script>alert(1)</script>"}}


def test_other_streamlit_folium_versions_get_the_public_st_folium(caplog) -> None:
    from components.ui import mapview
    assert mapview.map_drawer("0.27.4") is mapview.draw_cached_map
    for other in ("0.27.5", "0.28.0", "1.0.0", None):
        assert mapview.map_drawer(other) is mapview.draw_st_folium_map
    assert "streamlit-folium 0.28.0 is installed" in caplog.text and "st_folium" in caplog.text
    assert mapview.DRAW_MAP is mapview.draw_cached_map  # requirements.txt pins the tested version


def map_component_args(monkeypatch, drawer_version: str) -> tuple[dict, int]:
    """The map component's arguments as the real app sends them, and how often st_folium ran."""
    from streamlit.testing.v1 import AppTest

    from components.ui import mapview
    real_st_folium, calls = streamlit_folium.st_folium, []

    def counted_st_folium(*args, **kwargs):
        calls.append(kwargs["key"])
        return real_st_folium(*args, **kwargs)

    monkeypatch.setattr(streamlit_folium, "st_folium", counted_st_folium)
    monkeypatch.setattr(mapview, "DRAW_MAP", mapview.map_drawer(drawer_version))
    at = AppTest.from_file(str(sealed_app()), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    [component] = [e for e in at.get("component_instance") if '"script"' in e.proto.json_args]
    return json.loads(component.proto.json_args), len(calls)


def test_st_folium_fallback_draws_the_same_map(monkeypatch) -> None:
    """With another streamlit-folium version the app still draws the whole map, through st_folium."""
    fast, fast_calls = map_component_args(monkeypatch, "0.27.4")
    slow, slow_calls = map_component_args(monkeypatch, "9.9.9")
    assert (fast_calls, slow_calls) == (0, 1)
    ids = re.compile(r"_[0-9a-f]{32}")
    for name in ("script", "html", "header", "feature_group"):
        assert ids.sub("_ID", slow[name]) == ids.sub("_ID", fast[name]), name
    assert '"id": "north-homs"' in slow["script"] and f"window.{APPLY_FUNCTION} = function" in slow["script"]
    assert "place:geonames:" in slow["feature_group"]  # the place markers
    assert slow["returned_objects"] == fast["returned_objects"] == ["last_active_drawing", "last_object_clicked"]
    assert slow["height"] == fast["height"] == 600
