"""The folium map: zones styled by status, the bundled basemap, optional tiles.

The map's own HTML never depends on the date or the selection, so the browser
draws it once and Streamlit can send it as a reference to the copy the browser
already has. Status colours and the selection outline are a small
``{zone id: Leaflet style}`` object (:func:`zone_styles`) that the page hands to
the map: :class:`ZoneStyleHook`, part of the map's script, defines
``window.atlasApplyStyles()``, which reads the styles from the page
(``window.parent.__atlasZoneStyles``) when the map is created and whenever the
page calls it (``components/ui/mapview.py``).
"""
from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from branca.element import Figure, MacroElement
from jinja2 import Template
from shapely.geometry import shape

from .atlas import Atlas
from .basemap import read_basemap
from .offline import STATIC_URL_PREFIX, leaflet_js_css
from .panels import format_value
from .settings import Settings, current_settings
from .words import plural
from .zones import Zone

# Okabe-Ito palette (safe for the common colour-vision deficiencies); each status has its own
# outline dash pattern, and the map writes the status under each zone's name, so colour is never the only cue.
STATUS_STYLE: dict[str, dict[str, Any]] = {
    "operating": {"color": "#009E73", "dashArray": None},
    "agreement-reached": {"color": "#0072B2", "dashArray": "8 4"},
    "borders-agreed": {"color": "#56B4E9", "dashArray": "2 4"},
    "under-consultation": {"color": "#E69F00", "dashArray": "12 6"},
    "declared": {"color": "#CC79A7", "dashArray": "4 4"},
    "not-declared": {"color": "#999999", "dashArray": "1 6"},
    "ceasefire-in-force": {"color": "#009E73", "dashArray": "6 3"},
    "under-offensive": {"color": "#D55E00", "dashArray": "14 4 2 4"},
    "demilitarised-zone-agreed": {"color": "#56B4E9", "dashArray": "10 3"},
    "ceasefire-protocol": {"color": "#0072B2", "dashArray": "3 3"},
    "evacuation-agreed": {"color": "#D55E00", "dashArray": "6 6"},
    "retaken": {"color": "#444444", "dashArray": "2 6"},
    "framework-ended": {"color": "#444444", "dashArray": "2 6 8 6"},
}
ENDED_FILL_OPACITY = 0.08  # an ended zone: where it was, drawn faintly with a dotted grey outline
MAP_CENTER: tuple[float, float] = (34.45, 36.75)
LABEL_MIN_POPULATION = 150_000  # smaller towns get a dot, not a label, to keep zones readable
MAP_ZOOM = 7
MIN_ZOOM = 6  # the bundled basemap covers the whole view from this zoom out (see MAX_BOUNDS)
MAX_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((29.0, 31.0), (39.5, 46.0))  # (S, W), (N, E): inside the basemap's clip box
FIT_MAX_ZOOM = 10  # fitting a small zone (Eastern Ghouta) stops here
FIT_DELAY_MS = 300  # the map is fitted this long after the new styles arrive, once the panel is drawn
FIT_CONTEXT = 1.0  # a selected zone is fitted with its own size around it on each side: where it lies stays readable
# a city label starts this far right of its dot: clear of the widest place-marker ring (radius 3 + 4, weight 1)
LABEL_CLEARANCE_PX = 10
SEA_COLOUR = "#cfe3ee"  # the map's background: what no land polygon covers is sea
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
BASEMAP_ATTRIBUTION = "Basemap: Natural Earth (public domain), GeoNames (CC BY 4.0)"


@dataclass(frozen=True)
class ZoneSummary:
    """What the map's own tooltip shows (no server round trip)."""

    zone_id: str
    name: str
    figures: tuple[str, ...]


def tiles_enabled(env: Mapping[str, str] | None = None) -> bool:
    """Tiles are on unless ``ATLAS_TILES=none`` (or off/0/false/no); see :mod:`components.settings`."""
    return (current_settings() if env is None else Settings.from_env(env)).tiles


def zone_summary(atlas: Atlas, zone: Zone, area_km2: float | None = None) -> ZoneSummary:
    figures = [format_value(f) for f in atlas.facts.facts if f.zone == zone.id and f.kind in ("settlements", "population")]
    if area_km2 is not None:
        figures.append(f"area ≈ {area_km2:,.0f} km² (as drawn)")
    return ZoneSummary(zone_id=zone.id, name=zone.name, figures=tuple(figures))


def tooltip_html(summary: ZoneSummary) -> str:
    """Escaped HTML for the tooltip; every value is escaped."""
    lines = [f"<b>{html.escape(summary.name)}</b>"]
    lines += [html.escape(f) for f in summary.figures]
    lines.append("<i>Click to read the sources</i>")
    return "<br>".join(lines)


def zone_feature(zone: Zone, summary: ZoneSummary) -> dict[str, Any]:
    """A slim feature for the map: id, name and the tooltip HTML."""
    return {
        "type": "Feature",
        "id": zone.id,
        "properties": {"id": zone.id, "name": zone.name, "tooltip_html": tooltip_html(summary)},
        "geometry": zone.feature["geometry"],
    }


def zone_style(_feature: dict[str, Any]) -> dict[str, Any]:
    """The clickable base layer: a faint outline until :class:`ZoneStyleHook` applies the status colours."""
    return {"color": "#444444", "fillColor": "#444444", "weight": 1, "fillOpacity": 0.05}


def status_style(status: str) -> dict[str, Any]:
    style = STATUS_STYLE.get(status, STATUS_STYLE["declared"])
    ended = status in ("retaken", "framework-ended")
    return {"color": style["color"], "fillColor": style["color"], "weight": 2.5,
            "fillOpacity": ENDED_FILL_OPACITY if ended else 0.45, "dashArray": style["dashArray"]}


def basemap_country_style(_feature: dict[str, Any]) -> dict[str, Any]:
    return {"color": "#666666", "weight": 1, "fillColor": "#f4f1ea", "fillOpacity": 1.0}


def load_basemap(path: Path) -> dict[str, Any]:
    """The checked basemap (:func:`components.basemap.read_basemap`); ValueError naming every problem
    when it has nothing to draw."""
    basemap, problems = read_basemap(path)
    if basemap is None:
        raise ValueError("; ".join(str(p) for p in problems))
    return basemap


def add_basemap(fmap: folium.Map, basemap: dict[str, Any]) -> None:
    countries = [f for f in basemap.get("features", []) if f.get("properties", {}).get("layer") == "country"]
    cities = [f for f in basemap.get("features", []) if f.get("properties", {}).get("layer") == "city"]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": countries}, name="Borders (Natural Earth)",
        style_function=basemap_country_style, interactive=False, control=False,
        attribution=BASEMAP_ATTRIBUTION,
    ).add_to(fmap)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": c["geometry"]} for c in cities]},
        name="Cities (GeoNames)", marker=folium.CircleMarker(radius=2, color="#333333", weight=1, fill=True, fill_opacity=1.0),
        interactive=False, control=False,
    ).add_to(fmap)
    for city in cities:
        if not city_is_labelled(city["properties"]):
            continue
        lon, lat = city["geometry"]["coordinates"][:2]
        name = str(city["properties"].get("name", ""))
        folium.Marker(  # keyboard=False: a label is not a tab stop (Leaflet gives markers tabindex=0)
            location=(lat, lon), interactive=False, keyboard=False,
            icon=folium.DivIcon(html=f'<div class="atlas-city" aria-hidden="true">{html.escape(name)}</div>',
                                icon_size=(120, 14), icon_anchor=(-LABEL_CLEARANCE_PX, 7)),
        ).add_to(fmap)


def zone_label_point(geometry: Any) -> tuple[float, float]:
    """(lat, lon) of the top middle of the zone's largest part: its label sits just above the zone,
    clear of the city labels inside it (Damascus beside Eastern Ghouta)."""
    geom = shape(geometry) if isinstance(geometry, dict) else geometry
    part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    minx, _miny, maxx, maxy = part.bounds
    return (round(maxy, 5), round((minx + maxx) / 2, 5))


def short_zone_name(name: str) -> str:
    """"Idlib de-escalation zone" → "Idlib" (the map's label; the full name is in the tooltip and panel)."""
    return name.removesuffix(" de-escalation zone").removesuffix(" zone")


def add_zone_labels(fmap: folium.Map, atlas: Atlas) -> None:
    """A name on the map for each zone; the page script adds its status on the chosen date
    (``ZoneStyleHook``), so the status is written out, never told by colour alone.
    Not interactive and not a tab stop: the zone list beside the map is the keyboard path."""
    for zone in atlas.zones.zones:
        lat, lon = zone_label_point(zone.geometry)
        text = html.escape(short_zone_name(zone.name))
        folium.Marker(
            location=(lat, lon), interactive=False, keyboard=False,
            icon=folium.DivIcon(
                html=f'<div class="atlas-zone-label" data-zone="{html.escape(zone.id)}"><b>{text}</b>'
                     f'<span class="atlas-zone-status"></span></div>',
                icon_size=(160, 30), icon_anchor=(80, 32), class_name="atlas-zone-label-icon"),
        ).add_to(fmap)


def city_is_labelled(props: dict[str, Any]) -> bool:
    return bool(props.get("governorate_capital")) or int(props.get("population") or 0) >= LABEL_MIN_POPULATION


class LeafletImagePath(MacroElement):
    """Points Leaflet's default marker images at the locally served copies (no 404s)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.Icon.Default.imagePath = {{ this.path_json }};
        {% endmacro %}
    """)

    def __init__(self, path: str):
        super().__init__()
        self._name = "LeafletImagePath"
        self.path_json = json.dumps(path)


def extent_features(atlas: Atlas) -> list[dict[str, Any]]:
    """One map feature per dated extent (``properties.id``: its zone, so a click selects the zone;
    ``properties.extent``: which extent, so the date's styles show one and hide the others).
    Larger extents first, so a zone's smaller later extents lie on top."""
    names = {z.id: z.name for z in atlas.zones.zones}
    out = []
    for extent in sorted(atlas.life.extents, key=lambda x: -x.area_km2):
        if extent.zone not in names:
            continue
        until = f"to {extent.valid_to:%-d %b %Y}" if extent.valid_to else "open-ended"
        if extent.ended_on:
            until += f"; zone ended {extent.ended_on:%-d %b %Y}"
        summary = ZoneSummary(zone_id=extent.zone, name=names[extent.zone], figures=(
            f"extent from {extent.valid_from:%-d %b %Y}, {until}", f"area ≈ {extent.area_km2:,.0f} km² (as drawn)"))
        out.append({"type": "Feature", "id": extent.id,
                    "properties": {"id": extent.zone, "extent": extent.id, "name": names[extent.zone],
                                   "tooltip_html": tooltip_html(summary)},
                    "geometry": extent.feature["geometry"]})
    return out


# In the map's iframe. Labels never catch the pointer; the map fills the frame, whose height the page sets
# by the window's (components/ui/style.py; streamlit-folium sets a fixed height in px on the element).
MAP_CSS = f"""<style>
.leaflet-container{{background:{SEA_COLOUR}}}
.atlas-city{{font:11px sans-serif;color:#222;white-space:nowrap;text-shadow:0 0 2px #fff,0 0 2px #fff}}
.atlas-zone-label-icon{{pointer-events:none}}
.atlas-zone-label{{font:12px sans-serif;color:#111;white-space:nowrap;text-align:center;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff;line-height:1.2}}
.atlas-zone-label b{{display:block}}
.atlas-zoomed-out .atlas-zone-status{{display:none}}
@media (max-width: 500px) {{ .leaflet-control-attribution{{font-size:9px}} }}
.atlas-zone-status{{display:block;font-size:11px;font-style:italic;min-height:1em}}
html,body{{overflow:hidden}}
#map_div{{height:100vh !important}}
</style>"""


def build_map(atlas: Atlas, basemap: dict[str, Any] | None, tiles: bool, areas: dict[str, float] | None = None) -> folium.Map:
    """The full map; its HTML does not depend on the selection."""
    fmap = folium.Map(location=MAP_CENTER, zoom_start=MAP_ZOOM, tiles=None, control_scale=True, min_zoom=MIN_ZOOM,
                      max_zoom=13, max_bounds=True, max_bounds_viscosity=1.0,
                      min_lat=MAX_BOUNDS[0][0], min_lon=MAX_BOUNDS[0][1], max_lat=MAX_BOUNDS[1][0], max_lon=MAX_BOUNDS[1][1])
    fmap.default_js, fmap.default_css = leaflet_js_css()
    fmap.add_child(LeafletImagePath(f"{STATIC_URL_PREFIX}/images/"))  # before any marker is created
    root = fmap.get_root()
    assert isinstance(root, Figure)  # a folium.Map is created inside a Figure
    root.header.add_child(folium.Element(MAP_CSS))
    if basemap:
        add_basemap(fmap, basemap)
    if tiles:
        folium.TileLayer(OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap", opacity=0.6).add_to(fmap)
    features = extent_features(atlas) or [zone_feature(z, zone_summary(atlas, z, (areas or {}).get(z.id))) for z in atlas.zones.zones]
    if not features:  # no usable zone: the basemap alone (the app lists what is wrong)
        return fmap
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name="De-escalation zones",
        style_function=zone_style,
        tooltip=folium.GeoJsonTooltip(fields=["tooltip_html"], labels=False, sticky=True),
    ).add_to(fmap)
    add_zone_labels(fmap, atlas)
    fmap.add_child(ZoneStyleHook())
    return fmap


SELECTED_OUTLINE: dict[str, Any] = {"color": "#000000", "weight": 4, "dashArray": None}


STYLES_GLOBAL = "__atlasZoneStyles"  # on the page's window: {zone id: Leaflet path style}
APPLY_FUNCTION = "atlasApplyStyles"  # on the map iframe's window


VIEW_GLOBAL = "__atlasMapView"  # on the page's window: {"fit": [zone ids], "labels": {zone id: status text}}


class ZoneStyleHook(MacroElement):
    """Part of the map's script: ``window.atlasApplyStyles()`` restyles the drawn zone paths
    (by ``feature.properties.id``) with the styles the page holds, writes each zone's status
    under its label, fits the view to the selected zones (all of them when none is selected;
    only when the selection changed, so a reader's own panning is kept), and runs once the map
    exists. Only styles, zone ids and our status labels cross from the page; nothing from a document.

    It also makes the map usable without a mouse and on a phone: paths and labels are not tab
    stops (the zone list is the keyboard path), a click focuses the map without scrolling the page
    (Leaflet's focus() scrolled a phone's page by the iframe's offset and swallowed the first tap),
    one finger scrolls the page on a touch screen (two fingers pan and zoom), and the frame's
    viewport lets the reader zoom the page."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.{{ this.apply_function }} = function () {
            var styles = null, view = null;
            try {
                styles = window.parent[{{ this.styles_global_json }}] || null;
                view = window.parent[{{ this.view_global_json }}] || null;
            } catch (e) { return 0; }
            if (!styles || !window.map) { return 0; }
            var restyled = 0, shown = {};
            window.map.eachLayer(function (layer) {
                var props = layer.feature && layer.feature.properties;
                var style = props && props.id && styles[props.id];
                if (style && layer.setStyle && layer.options.interactive !== false) {
                    var hidden = props.extent && style.extent && props.extent !== style.extent;
                    layer.setStyle(hidden ? {{ this.hidden_json }} : style);
                    var el = layer.getElement && layer.getElement();
                    if (el) {
                        el.style.pointerEvents = hidden ? "none" : "";
                        el.setAttribute("tabindex", "-1"); el.setAttribute("focusable", "false");
                        if (props.extent) { el.setAttribute("data-extent", props.extent); }
                    }
                    if (!hidden && layer.getBounds) { (shown[props.id] = shown[props.id] || []).push(layer.getBounds()); }
                    restyled += 1;
                }
            });
            var labels = (view && view.labels) || {};
            document.querySelectorAll(".atlas-zone-label").forEach(function (el) {
                var s = el.querySelector(".atlas-zone-status");
                if (s) { s.textContent = labels[el.getAttribute("data-zone")] || ""; }
            });
            var fit = (view && view.fit) || [];
            var key = fit.join(",");
            if (window.__atlasFitted !== key) {
                window.__atlasFitted = key;
                /* after the rest of the page's update (the panel): re-drawing the map at a new zoom competes for the CPU */
                clearTimeout(window.__atlasFitTimer);
                window.__atlasFitTimer = setTimeout(function () {
                    var bounds = null;
                    (fit.length ? fit : Object.keys(shown)).forEach(function (id) {
                        (shown[id] || []).forEach(function (b) { bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); });
                    });
                    if (!bounds) { window.__atlasFitted = null; return; }
                    if (fit.length) { bounds = bounds.pad({{ this.fit_context }}); }  /* a selected zone with its surroundings */
                    window.map.fitBounds(bounds, {padding: [40, 40], maxZoom: {{ this.fit_max_zoom }}, animate: false});
                    window.__atlasFitDone = key;  /* the view has settled: tests and the load test aim only after this */
                }, {{ this.fit_delay_ms }});
            }
            return restyled;
        };
        window.atlasAccessible = function () {
            if (!window.map) { return; }
            var meta = document.querySelector('meta[name="viewport"]');
            if (meta) { meta.setAttribute("content", "width=device-width, initial-scale=1.0"); }
            try { if (window.frameElement) { window.frameElement.title = {{ this.map_title_json }}; } } catch (e) { /* not same-origin */ }
            var box = window.map.getContainer();
            box.setAttribute("aria-label", {{ this.map_label_json }});
            box.setAttribute("role", "region");
            var kb = window.map.keyboard;
            if (kb) { kb._onMouseDown = function () { if (!this._focused) { this._map._container.focus({preventScroll: true}); } }; }
            var outOfTabOrder = function (layer) {  /* zones and place markers: the zone list and search are the keyboard path */
                var el = layer && layer.getElement && layer.getElement();
                if (el && el.tagName && el.tagName.toLowerCase() === "path") { el.setAttribute("tabindex", "-1"); el.setAttribute("focusable", "false"); }
            };
            window.map.eachLayer(outOfTabOrder);
            window.map.on("layeradd", function (e) { outOfTabOrder(e.layer); });
            var crowded = function () { box.classList.toggle("atlas-zoomed-out", window.map.getZoom() < {{ this.map_zoom }}); };
            window.map.on("zoomend", crowded); crowded();
            if (L.Browser.mobile || (window.matchMedia && window.matchMedia("(pointer: coarse)").matches)) {
                window.map.dragging.disable();
            }
        };
        setTimeout(function () { window.atlasAccessible(); window.{{ this.apply_function }}(); }, 0);  /* streamlit-folium sets window.map after this script */
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "ZoneStyleHook"
        self.apply_function = APPLY_FUNCTION
        self.styles_global_json = json.dumps(STYLES_GLOBAL)
        self.view_global_json = json.dumps(VIEW_GLOBAL)
        self.hidden_json = json.dumps(HIDDEN_STYLE)
        self.fit_max_zoom = FIT_MAX_ZOOM
        self.fit_context = FIT_CONTEXT
        self.fit_delay_ms = FIT_DELAY_MS
        self.map_zoom = MAP_ZOOM
        self.map_label_json = json.dumps(MAP_LABEL)
        self.map_title_json = json.dumps(MAP_TITLE)


MAP_TITLE = "Map of the four de-escalation zones"
MAP_LABEL = ("Map of the de-escalation zones. Use the zone list beside the map to select a zone with the keyboard; "
             "the table under the map's legend lists what the map shows.")


HIDDEN_STYLE: dict[str, Any] = {"opacity": 0, "fillOpacity": 0, "color": "#888888", "weight": 0}  # a zone's extents not valid on the date


def zone_styles(statuses: dict[str, str], selected: list[str], shown_extents: dict[str, str | None] | None = None) -> dict[str, dict[str, Any]]:
    """Per zone: its status style, with a black outline when selected; with dated extents,
    ``extent`` names the one drawn on the date (the map hides the zone's others)."""
    out = {}
    for zone_id, status in statuses.items():
        style = status_style(status)
        if zone_id in selected:
            style = {**style, **SELECTED_OUTLINE}
        if shown_extents and shown_extents.get(zone_id):
            style = {**style, "opacity": 1, "extent": shown_extents[zone_id]}
        out[zone_id] = style
    return out


MARKER_BBOX: tuple[float, float, float, float] = (34.0, 31.0, 43.5, 38.0)  # places abroad get no marker


def places_layer(markers: list) -> folium.FeatureGroup:
    """Circle markers for the places the documents mention, sized by mention count (clickable)."""
    group = folium.FeatureGroup(name="Places mentioned")
    features = []
    for m in markers:
        if not (MARKER_BBOX[0] <= m.lon <= MARKER_BBOX[2] and MARKER_BBOX[1] <= m.lat <= MARKER_BBOX[3]):
            continue
        tip = f"<b>{html.escape(m.name)}</b><br>{plural(m.mentions, 'mention')} — click to list the passages"
        features.append({"type": "Feature", "properties": {"id": f"place:{m.place_id}", "mentions": m.mentions, "tooltip_html": tip},
                         "geometry": {"type": "Point", "coordinates": [m.lon, m.lat]}})
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            marker=folium.CircleMarker(radius=3, color="#222222", weight=1, fill=True, fill_color="#ffffff", fill_opacity=0.9),
            style_function=lambda f: {"radius": 3 + min(4, f["properties"]["mentions"])},
            tooltip=folium.GeoJsonTooltip(fields=["tooltip_html"], labels=False),
        ).add_to(group)
    return group


def clicked_feature_id(map_value: dict[str, Any] | None) -> str | None:
    """The ``properties.id`` of the feature clicked on the map (a zone id or ``place:<id>``)."""
    if not map_value:
        return None
    drawing = map_value.get("last_active_drawing") or {}
    props = drawing.get("properties") if isinstance(drawing, dict) else None
    fid = props.get("id") if isinstance(props, dict) else None
    return fid if isinstance(fid, str) else None
