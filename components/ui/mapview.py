"""The map: its component arguments are the same on every run of a dataset (so Streamlit sends
the browser a reference to the copy it has, not the ~45 KB again); zone styles for the chosen
date and selection travel separately, as a few hundred bytes of script in the page."""
from __future__ import annotations

import base64
import json
from collections.abc import Callable

import streamlit as st

from ..mapbuild import APPLY_FUNCTION, MAP_TITLE, STATUS_STYLE, STYLES_GLOBAL, VIEW_GLOBAL, places_layer, zone_styles
from ..panels import STATUS_LABELS
from ..zonetime import ZoneOnDate, zones_on
from . import selection
from .data import AppData, fresh_map, stored_place_markers
from .fastmap import MapArgs, fast_path_supported, feature_groups_js, installed_streamlit_folium, map_args, show_map_component, show_map_st_folium
from .safe import esc

# Only what selecting a zone needs: pan and zoom change neither, so they
# never rerun the script. last_object_clicked (the click position) makes a
# second click on the same zone count after the list changed the selection.
RETURNED_OBJECTS = ["last_active_drawing", "last_object_clicked"]
MAP_HEIGHT = 600


# Runs in the page: keeps the styles where the map's ZoneStyleHook reads them when the map is
# created, and asks an existing map to apply them now. Sent with st.html, whose browser code the
# page loads anyway; only our own zone ids and style values are in it (JSON, "</" escaped).
ZONE_STYLES_JS = """
window.%s = %s;
window.%s = %s;
for (const frame of document.querySelectorAll("iframe")) {
  let apply = null;
  try { apply = frame.contentWindow && frame.contentWindow.%s; } catch (e) { continue; }
  if (typeof apply === "function") { frame.title = %s; apply(); }
}
"""


def _json_for_script(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")


def zone_styles_script(styles: dict[str, dict[str, object]], view: dict[str, object] | None = None) -> str:
    """The page script: zone styles, and the view (``fit``: zone ids to fit, all when empty;
    ``labels``: status text under each zone's name on the map); it also names the map's frame."""
    return "<script>" + ZONE_STYLES_JS % (
        STYLES_GLOBAL, _json_for_script(styles), VIEW_GLOBAL, _json_for_script(view or {}), APPLY_FUNCTION,
        _json_for_script(MAP_TITLE)) + "</script>"


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_base_map(_data: AppData, map_version: str, tiles: bool) -> MapArgs:
    """The map's component arguments (zones, basemap: ~0.1 CPU s to build), once per ``_data.map_version``
    -- the data files and reviewed facts, not the store's revision: a newly ingested document does not
    build the map again in the server's first run after it."""
    return map_args(fresh_map(_data), selection.MAP_KEY, RETURNED_OBJECTS)


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_map(_data: AppData, version: str, tiles: bool) -> tuple[MapArgs, str]:
    """The map's component arguments and the place markers' script, once per dataset version
    (``_data.version``) and tiles setting: identical objects on every run of that dataset. Only the
    markers (one bounded query of the ``place_stats`` aggregate) are computed for each store revision."""
    args = cached_base_map(_data, _data.map_version or version, tiles)
    return args, feature_groups_js([places_layer(stored_place_markers(_data))])


def draw_cached_map(data: AppData) -> None:
    args, places_js = cached_map(data, data.version, data.tiles)
    show_map_component(args, places_js, key=selection.MAP_KEY, height=MAP_HEIGHT, on_change=selection.on_map_change)


def draw_st_folium_map(data: AppData) -> None:
    show_map_st_folium(fresh_map(data), [places_layer(stored_place_markers(data))], key=selection.MAP_KEY,
                       height=MAP_HEIGHT, returned_objects=RETURNED_OBJECTS, on_change=selection.on_map_change)


def map_drawer(streamlit_folium_version: str | None) -> Callable[[AppData], None]:
    """The cached fast path for the tested streamlit-folium, the public st_folium for any other."""
    return draw_cached_map if fast_path_supported(streamlit_folium_version) else draw_st_folium_map


DRAW_MAP = map_drawer(installed_streamlit_folium())


def shown_extents(data: AppData, states: dict[str, ZoneOnDate]) -> dict[str, str | None]:
    """The extent drawn per zone; before the memorandum a zone is drawn at its first extent, "not yet agreed"."""
    every = {z.id: [x.id for x in data.atlas.life.extents_for(z.id)] for z in data.atlas.zones.zones}
    return {z: s.extent.id if s.extent else next(iter(every.get(z, [])), None) for z, s in states.items()}


def map_status_label(state: ZoneOnDate) -> str:
    return f"{state.label}{' (ended)' if state.ended else ''}"


def show_map(data: AppData) -> None:
    DRAW_MAP(data)
    states = zones_on(data.atlas, selection.as_of())
    styles = zone_styles({z: s.status for z, s in states.items()}, selection.selected(), shown_extents(data, states))
    view: dict[str, object] = {"fit": selection.selected(), "labels": {z: map_status_label(s) for z, s in states.items()}}
    st.html(zone_styles_script(styles, view), unsafe_allow_javascript=True)


def dash_swatch(status: str) -> str:
    """The status's outline as drawn on the map (colour and dash pattern), for the legend: an SVG image
    (st.html's sanitiser keeps an <img> with a data: URI, not inline <svg>); decorative, the name follows it."""
    style = STATUS_STYLE[status]
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style["dashArray"] else ""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="34" height="14"><rect x="2" y="2" width="30" height="10" '
           f'fill="{style["color"]}" fill-opacity="0.45" stroke="{style["color"]}" stroke-width="2.5"{dash}/></svg>')
    data = base64.b64encode(svg.encode("ascii")).decode("ascii")
    return (f'<img alt="" class="atlas-swatch" data-dash="{esc(style["dashArray"] or "solid")}" width="34" height="14" '
            f'src="data:image/svg+xml;base64,{data}">')


def outline_words(status: str) -> str:
    dash = STATUS_STYLE[status]["dashArray"]
    return "solid outline" if not dash else f"dashed outline ({esc(dash)})"


def show_legend(data: AppData) -> None:
    """The statuses on the map on this date (outline pattern, colour and name: never colour alone), and
    the map as a table, its text alternative: each zone, its status and the extent drawn."""
    day = selection.as_of()
    states = zones_on(data.atlas, day)
    names = {z.id: z.name for z in data.atlas.zones.zones}
    used = [s for s in STATUS_STYLE if any(st_.status == s for st_ in states.values())]
    items = [f'<span class="atlas-legend-item">{dash_swatch(s)} {esc(STATUS_LABELS[s])}</span>' for s in used]
    items.append('<span class="atlas-legend-item"><span aria-hidden="true" class="atlas-selected-swatch"></span> selected</span>')
    rows = []
    for zone_id, state in states.items():
        extent = (f"from {state.extent.valid_from.day} {state.extent.valid_from:%B %Y}, ≈ {state.extent.area_km2:,.0f} km²"
                  if state.extent else "the mid-2017 line")
        chosen = " (selected)" if zone_id in selection.selected() else ""
        rows.append(f"<tr><th scope='row'>{esc(names.get(zone_id, zone_id))}{chosen}</th><td>{esc(map_status_label(state))}</td>"
                    f"<td>{outline_words(state.status) if state.status in STATUS_STYLE else ''}</td><td>{esc(extent)}</td></tr>")
    table = ("<details class='atlas-map-table'><summary>The map as a table</summary>"
             f"<table><caption>Zones on the map as of {day.day} {day:%B %Y}</caption>"
             "<thead><tr><th scope='col'>Zone</th><th scope='col'>Status</th><th scope='col'>Outline</th>"
             "<th scope='col'>Extent drawn</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></details>")
    st.html(f'<div class="atlas-legend"><p><b>Status as of {day.day} {day:%B %Y}</b>: ' + " ".join(items) + "</p>" + table + "</div>")
