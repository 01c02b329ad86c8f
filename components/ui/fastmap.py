"""streamlit-folium's component, fed with arguments computed once per dataset.

``st_folium`` re-renders the whole folium map on every script run (about 90 ms
of the app's server time per click, see bench/README.md), although the app's
map never changes between runs. :func:`map_args` does the same work as
``st_folium`` once and :func:`show_map_component` passes the cached result to
the very same frontend component. With arguments identical from run to run
(the place markers' feature group is cached too; zone styles go through
``mapview.zone_styles_script``), Streamlit sends the browser a reference to
the message it already holds instead of the ~45 KB again.
It mirrors streamlit-folium 0.27.4 (pinned in requirements.txt) and calls its
private functions, so it is used only when that version is installed
(:func:`fast_path_supported`); any other version gets the public ``st_folium``
(:func:`show_map_st_folium`) and a logged warning.
``tests/test_mapbuild.py`` checks the arguments equal what ``st_folium`` sends.
"""
from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import folium
import streamlit as st
import streamlit_folium as sf

TESTED_STREAMLIT_FOLIUM = "0.27.4"
log = logging.getLogger(__name__)


def installed_streamlit_folium() -> str | None:
    try:
        return importlib.metadata.version("streamlit-folium")
    except importlib.metadata.PackageNotFoundError:
        return None


def fast_path_supported(version: str | None) -> bool:
    """The private functions used here are known only for the tested streamlit-folium."""
    if version == TESTED_STREAMLIT_FOLIUM:
        return True
    log.warning("streamlit-folium %s is installed, the fast map path is tested with %s only: "
                "drawing the map with st_folium (slower, same map)", version, TESTED_STREAMLIT_FOLIUM)
    return False


@dataclass(frozen=True)
class MapArgs:
    script: str
    header: str
    html: str
    map_id: str
    hash_key: str
    defaults: dict[str, Any]
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    returned_objects: tuple[str, ...]


def _links(fmap: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    css: list[str] = []
    js: list[str] = []
    stack: list[Any] = [fmap]
    while stack:  # depth-first like st_folium's walk(), children in order
        element = stack.pop(0)
        if isinstance(element, folium.elements.JSCSSMixin):
            css += [href for _, href in getattr(element, "default_css", [])]
            js += [src for _, src in getattr(element, "default_js", [])]
        stack[0:0] = list(getattr(element, "_children", {}).values())
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def map_args(fmap: folium.Map, key: str, returned_objects: list[str]) -> MapArgs:
    """Everything st_folium computes from the map itself (render, strings, defaults)."""
    fmap.get_root().render()
    fmap.render()
    html = sf._get_html(fmap)
    header = sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    (south, west), (north, east) = fmap.get_bounds()
    defaults = {
        "last_active_drawing": None, "last_object_clicked": None,
        "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
        "zoom": fmap.options.get("zoom"),
    }
    css, js = _links(fmap)
    return MapArgs(
        script=script, header=header, html=html, map_id=sf.get_full_id(fmap),
        hash_key=sf.generate_js_hash(script, key, False),
        defaults={k: v for k, v in defaults.items() if k in returned_objects},
        css_links=css, js_links=js, returned_objects=tuple(returned_objects),
    )


def feature_groups_js(groups: list[folium.FeatureGroup]) -> str:
    """The feature groups as the script streamlit-folium evaluates in the map's iframe."""
    anchor = folium.Map(tiles=None)  # only names the map variable; replaced by map_div
    return "".join(sf._get_feature_group_string(g, map=anchor, idx=i) for i, g in enumerate(groups))


def show_map_component(args: MapArgs, feature_group: str, key: str, height: int,
                       on_change: Callable[[], None]) -> Any:
    """Draw the map component; the browser keeps its map and only swaps the feature groups."""
    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(args.hash_key, {})
        on_change()

    return sf._component_func(
        script=args.script, header=args.header, html=args.html, id=args.map_id, key=args.hash_key,
        height=height, width=None, returned_objects=list(args.returned_objects), default=args.defaults,
        zoom=None, center=None, feature_group=feature_group, return_on_hover=False, layer_control=None,
        pixelated=False, css_links=list(args.css_links), js_links=list(args.js_links),
        on_change=_on_change, wrap_longitude=False,
    )


def show_map_st_folium(fmap: folium.Map, groups: list[folium.FeatureGroup], key: str, height: int,
                       returned_objects: list[str], on_change: Callable[[], None]) -> Any:
    """The same map through streamlit-folium's public API (renders the whole map on every run)."""
    return sf.st_folium(fmap, key=key, height=height, use_container_width=True, returned_objects=returned_objects,
                        feature_group_to_add=groups, on_change=on_change)
