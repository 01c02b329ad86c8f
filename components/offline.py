"""Offline assets: Leaflet's dist files served by the app itself.

Leaflet 1.9.4 comes from the PyPI package ``django-js-lib-leaflet`` (plain
dist files, no Django import needed). At start-up they are copied into
``static/vendor/leaflet/`` (git-ignored), which Streamlit serves at
``/app/static/vendor/leaflet/`` when ``server.enableStaticServing`` is on.
"""
from __future__ import annotations

import filecmp
import importlib.util
import shutil
from pathlib import Path

from .paths import STATIC

LEAFLET_FILES: tuple[str, ...] = (
    "leaflet.js", "leaflet.css",
    "images/layers.png", "images/layers-2x.png",
    "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png",
)
STATIC_URL_PREFIX = "/app/static/vendor/leaflet"


class AssetError(RuntimeError):
    """The Leaflet package is not installed or its files are missing."""


def leaflet_package_dir() -> Path:
    spec = importlib.util.find_spec("js_lib_leaflet")
    if spec is None or not spec.submodule_search_locations:
        raise AssetError("Leaflet's files are missing: install requirements.txt (package django-js-lib-leaflet)")
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "js_lib_leaflet"


def ensure_leaflet_assets(static_dir: Path = STATIC) -> Path:
    """Copy Leaflet's dist files into ``static_dir/vendor/leaflet`` when absent or stale."""
    source = leaflet_package_dir()
    target = static_dir / "vendor" / "leaflet"
    for name in LEAFLET_FILES:
        src, dst = source / name, target / name
        if not src.exists():
            raise AssetError(f"Leaflet package is incomplete: {src} is missing")
        if dst.exists() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f".{dst.name}.tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)
    return target


def leaflet_js_css() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(default_js, default_css) for a folium Map: only Leaflet, served locally."""
    return (
        [("leaflet", f"{STATIC_URL_PREFIX}/leaflet.js")],
        [("leaflet_css", f"{STATIC_URL_PREFIX}/leaflet.css")],
    )
