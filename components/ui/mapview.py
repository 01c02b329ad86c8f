"""The map: one cached folium map, selection drawn as an added feature group."""
from __future__ import annotations

from streamlit_folium import st_folium

from ..corpusview import place_markers
from ..mapbuild import STATUS_STYLE, places_layer, zone_styler
from ..timeline import statuses_on
from ..panels import STATUS_LABELS
from . import selection
from .data import AppData, fresh_map
from .safe import esc, html_block

# Only what selecting a zone needs: pan and zoom change neither, so they
# never rerun the script. last_object_clicked (the click position) makes a
# second click on the same zone count after the list changed the selection.
RETURNED_OBJECTS = ["last_active_drawing", "last_object_clicked"]
MAP_HEIGHT = 600


def show_map(data: AppData) -> None:
    fmap = fresh_map(data)
    st_folium(
        fmap,
        key=selection.MAP_KEY,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=RETURNED_OBJECTS,
        feature_group_to_add=[places_layer(place_markers(data.ingested)),
                              zone_styler(statuses_on(data.atlas, selection.as_of()), selection.selected())],
        on_change=selection.on_map_change,
    )


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
