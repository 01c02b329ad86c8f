"""Helpers to drive the real app in Debian's Chromium through Playwright."""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from shapely.geometry import shape
from shapely.ops import polylabel

from tests.server import ROOT

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass
class Traffic:
    """Requests and websocket frames the browser sent."""

    urls: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
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
    page.context.on("response", lambda res: res.status >= 400 and traffic.http_errors.append(f"{res.status} {res.url}"))
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


def zone_candidate_points(zone_id: str, n: int = 12) -> list[tuple[float, float]]:
    """Points inside the zone, deepest first: the pole of inaccessibility, then a grid."""
    from shapely.geometry import Point
    data = json.loads((ROOT / "geodata" / "zones.geojson").read_text(encoding="utf-8"))
    geom = shape(next(f for f in data["features"] if f["properties"]["id"] == zone_id)["geometry"])
    part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    pole = polylabel(part, tolerance=0.001)
    minx, miny, maxx, maxy = part.bounds
    grid = [Point(minx + (maxx - minx) * i / n, miny + (maxy - miny) * j / n) for i in range(1, n) for j in range(1, n)]
    inside = sorted((p for p in grid if part.contains(p)), key=lambda p: -part.exterior.distance(p))
    return [(p.y, p.x) for p in [pole, *inside]]


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


FIND_ZONE_POINT_JS = """([zoneId, candidates]) => {
  const layers = Object.values(window.map._layers).filter(l => l.feature && l.feature.properties
      && l.feature.properties.id === zoneId && l._path && l.options.interactive !== false
      && l._path.style.pointerEvents !== 'none');  // a zone's dated extents not shown on the date are not clickable
  if (!layers.length) return null;
  const paths = layers.map(l => l._path), box = document.getElementById('map_div').getBoundingClientRect();
  for (const [lat, lon] of candidates) {
    const p = window.map.latLngToContainerPoint([lat, lon]);
    if (p.x < 5 || p.y < 5 || p.x > box.width - 5 || p.y > box.height - 5) continue;
    if (paths.includes(document.elementFromPoint(box.left + p.x, box.top + p.y))) return {x: p.x, y: p.y};
  }
  return null;
}"""


def zone_point(frame, zone_id: str, timeout_s: float = 10.0) -> dict[str, float]:
    """A container point where the zone itself (not a marker above it) receives the click.

    Polls, because the map may still be settling (resize, feature groups being added).
    """
    candidates = zone_candidate_points(zone_id)
    deadline = time.monotonic() + timeout_s
    while True:
        point = frame.evaluate(FIND_ZONE_POINT_JS, [zone_id, candidates])
        if point is not None:
            return point
        if time.monotonic() > deadline:
            raise AssertionError(f"no clickable point of zone {zone_id} is visible on the map")
        time.sleep(0.2)


SETTLED_JS = "() => window.__atlasFitted !== undefined && window.__atlasFitDone === window.__atlasFitted"


def wait_settled(frame, timeout_ms: float = 15_000) -> None:
    """Wait until the map has made its delayed fit to the selection (or to all zones on opening):
    a point computed before it would be somewhere else by the time the mouse arrives."""
    frame.wait_for_function(SETTLED_JS, timeout=timeout_ms)


IDLE_JS = """([quietMs, token]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  // "initial" until the first run has begun; "notRunning" once a run is over (a rerun the page asked for
  // shows as "running" again); a page reconnecting is not idle either
  const idle = app !== null && app.getAttribute('data-test-script-state') === 'notRunning'
      && app.getAttribute('data-test-connection-state') === 'CONNECTED';
  if (!window.__atlasIdle || window.__atlasIdle.token !== token) window.__atlasIdle = {token: token, since: undefined};
  const mark = window.__atlasIdle;  // this wait's own: an earlier wait's quiet spell is not this one's
  if (!idle) { mark.since = undefined; return false; }
  mark.since = mark.since ?? performance.now();
  return performance.now() - mark.since >= quietMs;
}"""
_idle_waits = itertools.count()


def wait_idle(page, timeout_ms: float = 30_000, quiet_ms: float = 500) -> None:
    """Wait until the app's script has not been running for ``quiet_ms`` (the tabs' own rerun after the
    first run included). Text typed into a widget while a run is still redrawing the page can be lost
    with the element it was typed into, as a person typing then would lose it; a click can land on an
    element the run is about to replace. The quiet spell is measured afresh by each call."""
    page.wait_for_function(IDLE_JS, arg=[quiet_ms, next(_idle_waits)], timeout=timeout_ms, polling=50)


def open_tab(page, name: str, timeout_ms: float = 30_000) -> None:
    """Click the tab once the page's runs are over: a tab clicked while a run (the page's first, or the
    tabs' follow-up rerun) is still drawing the tabs can be switched back by it, and its content never comes."""
    wait_idle(page, timeout_ms=timeout_ms)
    page.get_by_role("tab", name=name).click()


def click_zone(page, frame, zone_id: str) -> None:
    """A real mouse click inside the zone, in the map iframe, once the view has settled."""
    wait_settled(frame)
    frame.locator("#map_div").click(position=zone_point(frame, zone_id))


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
