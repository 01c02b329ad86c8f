"""Baseline for bench/bench_app.py: the smallest streamlit-folium page with the same zones.

What a first streamlit-folium app usually looks like: a folium map built on
every run, the four polygons of ``geodata/zones.geojson`` as a plain
``folium.GeoJson`` with a tooltip, ``st_folium`` with its default
``returned_objects`` (everything, so pans and zooms rerun the script too), and
the clicked feature's id written with ``st.write``.

Offline like the app: no tiles, Leaflet from the installed
django-js-lib-leaflet package (components.offline). Streamlit serves
``static/`` next to the main script, so bench_app.py runs a copy of this file
from ``bench/results/baseline_site/``; the copy puts Leaflet's files in its
own ``static/`` on start-up (bench/results/ is git-ignored). Not meant to be
run from bench/ directly: that would copy Leaflet into bench/static/.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = next((p for p in (HERE, *HERE.parents) if (p / "geodata" / "zones.geojson").is_file()), HERE.parent)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import folium
import streamlit as st
from streamlit_folium import st_folium

from components.offline import ensure_leaflet_assets, leaflet_js_css
from components.paths import data_root

ensure_leaflet_assets(HERE / "static")
zones = json.loads((data_root() / "geodata" / "zones.geojson").read_text(encoding="utf-8"))  # ATLAS_DATA_ROOT, as the app

st.title("Baseline: four zones")
m = folium.Map(location=(34.45, 36.75), zoom_start=7, tiles=None)
m.default_js, m.default_css = leaflet_js_css()
folium.GeoJson(zones, tooltip=folium.GeoJsonTooltip(fields=["name"])).add_to(m)
out = st_folium(m, height=600, use_container_width=True)

drawing = (out or {}).get("last_active_drawing") or {}
zone_id = (drawing.get("properties") or {}).get("id")
if zone_id:
    st.write(f"clicked: {zone_id}")
