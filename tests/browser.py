"""Helpers to drive the real app in Debian's Chromium through Playwright."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from shapely.ops import polylabel
from shapely.geometry import shape

from tests.server import ROOT

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass
class Traffic:
    """Requests and websocket frames the browser sent."""

    urls: list[str] = field(default_factory=list)
    frames_sent: list[float] = field(default_factory=list)

    def outside_hosts(self) -> list[str]:
        out = []
        for url in self.urls:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about"):
                continue
            if parsed.hostname not in LOOPBACK:
                out.append(url)
        return out

    def frames_since(self, t0: float) -> int:
        return sum(1 for t in self.frames_sent if t >= t0)


def watch(page) -> Traffic:
    traffic = Traffic()
    page.context.on("request", lambda req: traffic.urls.append(req.url))
    page.on("websocket", lambda ws: ws.on("framesent", lambda _payload: traffic.frames_sent.append(time.monotonic())))
    return traffic


def zone_click_points() -> dict[str, tuple[float, float]]:
    """A point well inside each zone (pole of inaccessibility of its largest part): (lat, lon)."""
    data = json.loads((ROOT / "geodata" / "zones.geojson").read_text(encoding="utf-8"))
    points = {}
    for feature in data["features"]:
        geom = shape(feature["geometry"])
        part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
        p = polylabel(part, tolerance=0.001)
        points[feature["properties"]["id"]] = (p.y, p.x)
    return points


def zone_names() -> dict[str, str]:
    data = json.loads((ROOT / "geodata" / "zones.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f["properties"]["name"] for f in data["features"]}


def map_frame(page, timeout_s: float = 60.0):
    """The streamlit-folium iframe, once Leaflet has drawn the zones."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "streamlit_folium" in frame.url:
                try:
                    if frame.evaluate("() => !!(window.map && document.querySelectorAll('path.leaflet-interactive').length >= 4)"):
                        return frame
                except Exception:  # frame still navigating
                    pass
        page.wait_for_timeout(100)
    raise TimeoutError("the map's zones were not drawn")


def container_point(frame, lat: float, lon: float) -> dict[str, float]:
    return frame.evaluate("([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]); return {x: p.x, y: p.y}; }", [lat, lon])


def click_zone(page, frame, lat: float, lon: float) -> None:
    """A real mouse click at the zone's point inside the map iframe."""
    point = container_point(frame, lat, lon)
    frame.locator("#map_div").click(position=point)


def open_app(browser, url: str, path: str = "/"):
    context = browser.new_context(viewport={"width": 1600, "height": 1200})
    page = context.new_page()
    traffic = watch(page)
    page.goto(url + path)
    return page, traffic


def artifacts_dir() -> Path:
    d = ROOT / "artifacts"
    d.mkdir(exist_ok=True)
    return d
