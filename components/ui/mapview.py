"""The map: rendered once per dataset; zone styles and place markers sent as small feature groups."""
from __future__ import annotations

import streamlit as st

from ..corpusview import place_markers
from ..mapbuild import STATUS_STYLE, places_layer, zone_styler
from ..timeline import statuses_on
from ..panels import STATUS_LABELS
from . import selection
from .data import AppData, fresh_map
from .fastmap import MapArgs, feature_groups_js, map_args, show_map_component
from .safe import esc, html_block

# Only what selecting a zone needs: pan and zoom change neither, so they
# never rerun the script. last_object_clicked (the click position) makes a
# second click on the same zone count after the list changed the selection.
RETURNED_OBJECTS = ["last_active_drawing", "last_object_clicked"]
MAP_HEIGHT = 600


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_map(_data: AppData, data_key: int) -> tuple[MapArgs, str]:
    """The map's component arguments and the place markers' script, once per dataset."""
    args = map_args(fresh_map(_data), selection.MAP_KEY, RETURNED_OBJECTS)
    return args, feature_groups_js([places_layer(place_markers(_data.ingested))])


def show_map(data: AppData) -> None:
    args, places_js = cached_map(data, id(data))
    styles_js = feature_groups_js([zone_styler(statuses_on(data.atlas, selection.as_of()), selection.selected())], first_index=1)
    show_map_component(args, places_js + styles_js, key=selection.MAP_KEY, height=MAP_HEIGHT,
                       on_change=selection.on_map_change)


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
