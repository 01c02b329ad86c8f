"""The map: its component arguments are the same on every run of a dataset (so Streamlit sends
the browser a reference to the copy it has, not the ~45 KB again); zone styles for the chosen
date and selection travel separately, as a few hundred bytes of script in the page."""
from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

from ..mapbuild import APPLY_FUNCTION, STATUS_STYLE, STYLES_GLOBAL, places_layer, zone_styles
from ..panels import STATUS_LABELS
from ..zonetime import zones_on
from . import selection
from .data import AppData, fresh_map, stored_place_markers
from .fastmap import MapArgs, fast_path_supported, feature_groups_js, installed_streamlit_folium, map_args, show_map_component, show_map_st_folium
from .safe import esc, html_block

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
for (const frame of document.querySelectorAll("iframe")) {
  let apply = null;
  try { apply = frame.contentWindow && frame.contentWindow.%s; } catch (e) { continue; }
  if (typeof apply === "function") apply();
}
"""


def zone_styles_script(styles: dict[str, dict[str, object]]) -> str:
    payload = json.dumps(styles, sort_keys=True).replace("</", "<\\/")
    return "<script>" + ZONE_STYLES_JS % (STYLES_GLOBAL, payload, APPLY_FUNCTION) + "</script>"


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_map(_data: AppData, version: str, tiles: bool) -> tuple[MapArgs, str]:
    """The map's component arguments and the place markers' script, once per dataset version
    (``_data.version``) and tiles setting: identical objects on every run of that dataset."""
    args = map_args(fresh_map(_data), selection.MAP_KEY, RETURNED_OBJECTS)
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


def show_map(data: AppData) -> None:
    DRAW_MAP(data)
    day = selection.as_of()
    states = zones_on(data.atlas, day)
    every = {z.id: [x.id for x in data.atlas.life.extents_for(z.id)] for z in data.atlas.zones.zones}
    # before the memorandum a zone is drawn at its first extent, styled "not yet agreed"
    shown: dict[str, str | None] = {z: s.extent.id if s.extent else next(iter(every.get(z, [])), None)
                                    for z, s in states.items()}
    styles = zone_styles({z: s.status for z, s in states.items()}, selection.selected(), shown)
    st.html(zone_styles_script(styles), unsafe_allow_javascript=True)


def show_legend() -> None:
    """Status legend: colour swatch plus the outline pattern, in words too."""
    items = []
    for status, style in STATUS_STYLE.items():
        dash = "solid" if not style["dashArray"] else "dashed"
        swatch = (f'<span aria-hidden="true" style="display:inline-block;width:1.6em;height:0.9em;'
                  f'background:{style["color"]}88;border:2px {dash} {style["color"]};vertical-align:middle"></span>')
        items.append(f"{swatch} {esc(STATUS_LABELS[status])} <small>({dash} outline)</small>")
    day = selection.as_of()
    html_block(f"<b>Status as of {day.day} {day:%B %Y}</b>: " + " &nbsp; ".join(items) +
               " &nbsp; <span style='border:3px solid #000;padding:0 0.4em'>selected</span>", "atlas-legend")
