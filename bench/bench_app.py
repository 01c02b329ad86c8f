"""Latency, traffic and memory of the running app, next to a minimal streamlit-folium baseline.

    python bench/bench_app.py [--clicks N] [--quick] [--out bench/results/app.json]

Starts the real app (``streamlit run app.py``, ATLAS_TILES=none) and the
baseline (bench/baseline_app.py) on free loopback ports, drives Debian's
Chromium through Playwright and prints a table with a PASS/FAIL budget next to
each figure; everything is also written to JSON (bench/results/ is
git-ignored). See bench/README.md for what each figure means.

How times are taken
  * In-page clocks: an init script in every frame (the page and the
    streamlit-folium iframe) records ``performance.timeOrigin +
    performance.now()`` (or ``+ event.timeStamp`` for input events), so
    times from the iframe and the page are on one clock, free of Playwright's
    round trips. "Painted" means the next animation frame after the DOM change.
  * Network: Chrome DevTools Protocol (Network domain) timestamps and sizes
    of websocket frames and HTTP responses.
  * Server: the streamlit process's VmRSS from /proc/<pid>/status and its CPU
    time from /proc/<pid>/stat.
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_ingest import LINEAR_LIMIT
from tests.browser import zone_click_points, zone_names
from tests.server import CHROMIUM, CHROMIUM_ARGS, app_site, serve

RESULTS = ROOT / "bench" / "results"
BASELINE_SRC = ROOT / "bench" / "baseline_app.py"
BASELINE_SITE = RESULTS / "baseline_site"
ZONE_ORDER = ["idlib", "north-homs", "eastern-ghouta", "south"]
VIEWPORT = {"width": 1600, "height": 1200}
KB = 1024
PANEL_TIMEOUT_S = 20.0
DRAW_TIMEOUT_S = 60.0
HOVER_DWELL_MS = 150      # pointer rests on the zone before the button goes down (a user aims, then clicks)
SETTLE_MS = 400           # quiet time after a run finishes: catches any extra frame (debounce is 250 ms)

# --------------------------------------------------------------------------- in-page instrumentation

INIT_SCRIPT = r"""
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const evTime = (e) => performance.timeOrigin + e.timeStamp;
  const visible = (el) => !!el && (el.checkVisibility ? el.checkVisibility({opacityProperty: true, visibilityProperty: true}) : el.offsetParent !== null);
  const isMapFrame = () => location.pathname.includes('streamlit_folium');

  // The map iframe. Chromium reuses the iframe's initial about:blank window for the component's
  // document, and this script does not run again there; so hook the moment streamlit-folium sets
  // window.map (after Leaflet drew every layer) and set up on the component's document then.
  function mapSetup() {
    let B = window.__bench;
    if (B && B.doc === document) { B.check(); return; }
    B = window.__bench = {doc: document, origin: performance.timeOrigin, isMap: true, drawn: null, target: null,
                          moveAt: null, downAt: null, tipAt: null, tipPaint: null, tipAtDown: null};
    const tipHas = (name) => Array.from(document.querySelectorAll('.leaflet-tooltip')).some(t => visible(t) && (t.textContent || '').includes(name));
    B.check = () => {
      if (B.drawn === null && window.map && document.querySelectorAll('path.leaflet-interactive').length >= 4) B.drawn = now();
      if (B.target && B.tipAt === null && tipHas(B.target)) {
        B.tipAt = now();
        requestAnimationFrame(() => { B.tipPaint = now(); });
      }
    };
    new MutationObserver(B.check).observe(document, {subtree: true, childList: true, characterData: true,
                                                      attributes: true, attributeFilter: ['style', 'class']});
    document.addEventListener('mousemove', (e) => { if (B.target && B.moveAt === null) B.moveAt = evTime(e); }, true);
    document.addEventListener('mousedown', (e) => {
      if (B.target && B.downAt === null) { B.downAt = evTime(e); B.tipAtDown = tipHas(B.target); }
    }, true);
    B.arm = (name) => { B.target = name; B.moveAt = B.downAt = B.tipAt = B.tipPaint = B.tipAtDown = null; };
    B.check();
  }
  if (!Object.getOwnPropertyDescriptor(window, 'map')) {
    let theMap;
    Object.defineProperty(window, 'map', {configurable: true, enumerable: true, get: () => theMap,
                                          set: (v) => { theMap = v; if (isMapFrame()) mapSetup(); }});
  }
  if (location.href === 'about:blank' || isMapFrame() || window.__bench) return;

  // The app's page: websocket sends and the panel's appearance.
  const B = window.__bench = {origin: performance.timeOrigin, isMap: false, panel: null, panelAt: null,
                              panelPaint: null, sends: []};
  const origSend = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) { B.sends.push(now()); return origSend.call(this, data); };
  const check = () => {
    const p = B.panel;
    if (!p || B.panelAt !== null) return;
    for (const el of document.querySelectorAll(p.selector)) {
      if ((el.textContent || '').trim() === p.text && visible(el)) {
        B.panelAt = now();
        requestAnimationFrame(() => { B.panelPaint = now(); });
        return;
      }
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true,
                                                  attributes: true, attributeFilter: ['style', 'class']});
  B.arm = (selector, text) => { B.panel = {selector, text}; B.panelAt = B.panelPaint = null; check(); };
})();
"""

# --------------------------------------------------------------------------- small helpers


def pct(values: list[float], q: float) -> float | None:
    """Percentile by linear interpolation (q in 0..100); None for no data."""
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    if len(vals) == 1:
        return vals[0]
    k = (len(vals) - 1) * q / 100.0
    lo, hi = int(k), min(int(k) + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (k - lo)


def summary(values: list[float | None]) -> dict[str, Any]:
    vals = [v for v in values if v is not None]
    if not vals:
        return {"n": 0, "p50": None, "p95": None, "min": None, "max": None}
    return {"n": len(vals), "p50": round(pct(vals, 50), 2), "p95": round(pct(vals, 95), 2),
            "min": round(min(vals), 2), "max": round(max(vals), 2)}


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of the process (all threads), from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def pkg_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    cpu = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    chromium = None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout
        chromium = next((ln.strip() for ln in out.splitlines() if ln.strip().startswith("Chromium")), out.strip() or None)
    return {
        "nproc": os.cpu_count(), "cpu_model": cpu, "ram_gb": round(mem_kb / 1024 / 1024, 1) if mem_kb else None,
        "kernel": platform.release(), "chromium": chromium, "python": platform.python_version(),
        "streamlit": pkg_version("streamlit"), "streamlit_folium": pkg_version("streamlit-folium"),
        "folium": pkg_version("folium"), "playwright": pkg_version("playwright"),
    }


def git_state() -> dict[str, Any]:
    """Commit and whether the working tree had changes (read-only git commands)."""
    def run(*cmd):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
        return None
    status = run("status", "--porcelain", "--untracked-files=no")
    return {"head": run("rev-parse", "--short", "HEAD"), "modified_files": len(status.splitlines()) if status else 0}


def loadavg() -> list[float] | None:
    with contextlib.suppress(OSError):
        return [round(x, 2) for x in os.getloadavg()]
    return None


# --------------------------------------------------------------------------- server launcher


@dataclass
class Server:
    url: str
    pid: int
    log: Path
    profile: Path | None = None  # the app's own per-run timings (ATLAS_PROFILE), None for the baseline


@contextlib.contextmanager
def launch(script: Path, label: str, profile: bool = False, args: tuple[str, ...] = (),
           cwd: Path = ROOT) -> Iterator[Server]:
    """The app or baseline on a free loopback port (tests.server.serve, run from ``cwd``, whose
    .streamlit/config.toml applies); yields its URL and PID.
    With ``profile`` the app appends its own time per script run to a JSON-lines file (ATLAS_PROFILE)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    profile_path = RESULTS / f"{label}-profile.jsonl" if profile else None
    env = dict(os.environ, ATLAS_TILES="none")
    env.pop("ATLAS_PROFILE", None)
    if profile_path is not None:
        profile_path.unlink(missing_ok=True)
        env["ATLAS_PROFILE"] = str(profile_path)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    log_path = RESULTS / f"{label}-server.log"
    with open(log_path, "w") as log, serve(script, env, log, ("--server.fileWatcherType", "none", *args), timeout=90,
                                           cwd=cwd) as (url, proc):
        yield Server(url=url, pid=proc.pid, log=log_path, profile=profile_path)


def inside_run_times(server: Server, start: float, end: float) -> list[float]:
    """The app's own timings (ms) of the script runs that completed between ``start`` and ``end``
    (``time.time()``), read from its ATLAS_PROFILE file; [] for the baseline. Runs cut short by
    a newer rerun request are left out (they would make the figure look shorter)."""
    if server.profile is None or not server.profile.exists():
        return []
    runs = [json.loads(line) for line in server.profile.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["ms"] for r in runs if start <= r["t"] <= end and r.get("completed", True)]


def set_results(folder: Path) -> None:
    """Write logs, profiles, screenshots and the servers' sites under ``folder``."""
    global RESULTS, BASELINE_SITE
    RESULTS, BASELINE_SITE = folder, folder / "baseline_site"


def prepare_baseline_site() -> Path:
    """Streamlit serves ``static/`` next to the main script: run a copy of the baseline from a
    git-ignored folder whose static/ gets Leaflet (the copy does that itself on start-up)."""
    BASELINE_SITE.mkdir(parents=True, exist_ok=True)
    target = BASELINE_SITE / "baseline_app.py"
    shutil.copyfile(BASELINE_SRC, target)
    return target


# --------------------------------------------------------------------------- websocket / network recording


def _forward_kind(payload: bytes) -> tuple[str, str | None, str]:
    """(ForwardMsg type, element type of a delta, the message's hash) of a frame the server sent.
    A message the browser already holds comes as ``ref_hash``; its element is then ``ref:<hash>``."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    try:
        msg = ForwardMsg.FromString(payload)
    except Exception:
        return "unparsed", None, ""
    kind = msg.WhichOneof("type") or "none"
    if kind == "ref_hash":
        return kind, f"ref:{msg.ref_hash}", ""
    element = None
    if kind == "delta":
        delta_type = msg.delta.WhichOneof("type")
        element = delta_type
        if delta_type == "new_element":
            el = msg.delta.new_element
            element = el.WhichOneof("type")
            if element == "component_instance":
                element = f"component:{el.component_instance.component_name}"
            elif element in ("markdown", "heading"):
                element = f"{element}:{getattr(el, element).body[:32]}".replace("\n", " ")
    return kind, element, msg.hash


def _back_kind(payload: bytes) -> str:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    try:
        return BackMsg.FromString(payload).WhichOneof("type") or "none"
    except Exception:
        return "unparsed"


@dataclass
class WsFrame:
    t: float            # CDP monotonic timestamp, seconds
    size: int           # payload bytes (after any permessage-deflate decompression)
    kind: str
    element: str | None = None


@dataclass
class Recorder:
    """Websocket frames and HTTP responses of one page, from the DevTools protocol."""

    sent: list[WsFrame] = field(default_factory=list)
    received: list[WsFrame] = field(default_factory=list)
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    ws_extensions: str | None = None
    hash_elements: dict[str, str] = field(default_factory=dict)  # message hash → element, to name references
    wire: Callable[[], int] | None = None  # server → browser bytes so far on the wire (bench/wire.py), when relayed

    def attach(self, page) -> None:
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameSent", self._ws_sent)
        cdp.on("Network.webSocketFrameReceived", self._ws_received)
        cdp.on("Network.webSocketHandshakeResponseReceived", self._ws_handshake)
        cdp.send("Network.enable", {"maxTotalBufferSize": 0, "maxResourceBufferSize": 0})
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        self.cdp = cdp

    @staticmethod
    def _payload(event: dict[str, Any]) -> bytes:
        resp = event["response"]
        data = resp.get("payloadData", "")
        return base64.b64decode(data) if resp.get("opcode") == 2 else data.encode("utf-8")

    def _request(self, e: dict[str, Any]) -> None:
        self.requests.setdefault(e["requestId"], {"url": e["request"]["url"], "wire": 0, "body": 0, "done": False,
                                                  "t_start": e.get("timestamp"), "type": e.get("type")})

    def _response(self, e: dict[str, Any]) -> None:
        r = self.requests.setdefault(e["requestId"], {"url": e["response"]["url"], "wire": 0, "body": 0, "done": False})
        r["mime"] = e["response"].get("mimeType")
        r["status"] = e["response"].get("status")
        headers = {k.lower(): v for k, v in (e["response"].get("headers") or {}).items()}
        r["content_encoding"] = headers.get("content-encoding")

    def _data(self, e: dict[str, Any]) -> None:
        r = self.requests.get(e["requestId"])
        if r is not None:
            r["body"] += int(e.get("dataLength", 0))

    def _finished(self, e: dict[str, Any]) -> None:
        r = self.requests.get(e["requestId"])
        if r is not None:
            r["wire"] = int(e.get("encodedDataLength", 0))
            r["t_end"] = e.get("timestamp")
            r["done"] = True

    def _ws_sent(self, e: dict[str, Any]) -> None:
        payload = self._payload(e)
        self.sent.append(WsFrame(t=e["timestamp"], size=len(payload), kind=_back_kind(payload)))

    def _ws_received(self, e: dict[str, Any]) -> None:
        payload = self._payload(e)
        kind, element, msg_hash = _forward_kind(payload)
        if msg_hash and element:
            self.hash_elements[msg_hash] = element
        if kind == "ref_hash" and element:  # "ref:<hash>" → "ref:<the element the browser already has>"
            element = "ref:" + self.hash_elements.get(element.removeprefix("ref:"), "unknown")
        self.received.append(WsFrame(t=e["timestamp"], size=len(payload), kind=kind, element=element))

    def _ws_handshake(self, e: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in (e["response"].get("headers") or {}).items()}
        self.ws_extensions = headers.get("sec-websocket-extensions")


# --------------------------------------------------------------------------- browser helpers


def wait_until(page, predicate: Callable[[], Any], timeout_s: float, what: str, step_ms: int = 20) -> Any:
    """Poll ``predicate`` (pumping Playwright events) until truthy or timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        page.wait_for_timeout(step_ms)
    raise TimeoutError(f"timed out after {timeout_s:.0f}s waiting for {what}")


def map_frame_of(page):
    for frame in page.frames:
        if "streamlit_folium" in frame.url:
            return frame
    return None


def drawn_frame(page, timeout_s: float = DRAW_TIMEOUT_S):
    """The streamlit-folium iframe once its zones are drawn (recorded by the init script)."""
    def probe():
        frame = map_frame_of(page)
        if frame is None:
            return None
        with contextlib.suppress(Exception):
            if frame.evaluate("() => !!(window.__bench && window.__bench.drawn)"):
                return frame
        return None
    return wait_until(page, probe, timeout_s, "the map's zones to be drawn", step_ms=50)


def new_page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    rec = Recorder()
    rec.attach(page)
    return page, rec


def run_finished_after(rec: Recorder, t_sent: float) -> WsFrame | None:
    return next((f for f in rec.received if f.t >= t_sent and f.kind == "script_finished"), None)


def wait_quiet(page, rec: Recorder, quiet_ms: int, timeout_s: float = 30.0) -> None:
    """Wait until every rerun request has its script_finished and no frame came for quiet_ms."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        n_sent, n_recv = len(rec.sent), len(rec.received)
        reruns = [f for f in rec.sent if f.kind == "rerun_script"]
        pending = reruns and run_finished_after(rec, reruns[-1].t) is None
        page.wait_for_timeout(quiet_ms)
        if not pending and n_sent == len(rec.sent) and n_recv == len(rec.received):
            return
    raise TimeoutError("the app did not become quiet")


# --------------------------------------------------------------------------- measurements


def page_load(browser, url: str, panel_wait: bool = True) -> dict[str, Any]:
    """One cold load in a new context: navigation → zones drawn; bytes received."""
    page, rec = new_page(browser)
    try:
        page.goto(url, wait_until="commit", timeout=60_000)
        frame = drawn_frame(page)
        drawn = frame.evaluate("() => window.__bench.drawn")
        origin = page.evaluate("() => window.__bench.origin")
        wait_quiet(page, rec, 800)
        wait_until(page, lambda: all(r["done"] for r in rec.requests.values() if not r["url"].startswith("ws")),
                   15, "requests to finish")
        return {"drawn_ms": drawn - origin, "bytes": traffic_bytes(rec), "frames_sent_on_load": len(rec.sent),
                "sent_kinds": [f.kind for f in rec.sent], "milestones": load_milestones(rec, drawn - origin)}
    finally:
        page.context.close()


def load_milestones(rec: Recorder, drawn_ms: float) -> dict[str, Any]:
    """Where a page load's time goes: CDP timestamps, in ms after the document request was sent
    (navigation start in the page clock is within a millisecond or two of it)."""
    reqs = sorted((r for r in rec.requests.values() if r.get("t_start") is not None), key=lambda r: r["t_start"])
    if not reqs:
        return {}
    t0 = reqs[0]["t_start"]

    def ms(t):
        return None if t is None else round((t - t0) * 1000.0, 1)

    def first(pred, key="t_end"):
        return next((ms(r.get(key)) for r in reqs if pred(r["url"])), None)

    map_delta = next((f.t for f in rec.received if f.element and "st_folium" in f.element), None)
    finished = next((f.t for f in rec.received if f.kind == "script_finished"), None)
    before_map = [r for r in reqs if r.get("t_end") and map_delta and r["t_start"] <= map_delta]
    page_js = [r for r in reqs if r.get("t_end") and "/static/js/" in r["url"] and "/component/" not in r["url"]]
    return {
        "document_loaded": ms(reqs[0].get("t_end")),
        "first_rerun_request": ms(rec.sent[0].t) if rec.sent else None,
        "map_delta_received": ms(map_delta),
        "first_script_finished": ms(finished),
        "component_html_requested": first(lambda u: "/component/streamlit_folium" in u and "index.html" in u, "t_start"),
        "component_js_loaded": first(lambda u: "/component/streamlit_folium" in u and u.split("?")[0].endswith(".js")),
        "leaflet_js_requested": first(lambda u: u.split("?")[0].endswith("/leaflet.js"), "t_start"),
        "leaflet_js_loaded": first(lambda u: u.split("?")[0].endswith("/leaflet.js")),
        "zones_drawn": round(drawn_ms, 1),
        "page_js_files": len(page_js),
        "page_js_body_kb": round(sum(r["body"] for r in page_js) / KB, 1),
        "last_page_js_loaded": ms(max((r["t_end"] for r in page_js), default=None)),
        "http_requests_before_map_delta": len(before_map),
    }


def traffic_bytes(rec: Recorder) -> dict[str, Any]:
    http = [r for r in rec.requests.values() if r.get("done")]

    def group(pred):
        rows = [r for r in http if pred(r["url"])]
        return {"wire": sum(r["wire"] for r in rows), "body": sum(r["body"] for r in rows), "n": len(rows),
                "files": sorted({r["url"].split("?")[0].rsplit("/", 1)[-1] for r in rows})}

    component = group(lambda u: "/component/streamlit_folium" in u)
    leaflet = group(lambda u: "/static/vendor/leaflet/" in u)
    total = group(lambda u: True)
    ws_total = sum(f.size for f in rec.received)
    ws_map = sum(f.size for f in rec.received if f.element and "st_folium" in f.element)
    map_wire = component["wire"] + leaflet["wire"] + ws_map
    return {
        "component_static": component, "leaflet": leaflet, "http_total": total,
        "ws_received_total": ws_total, "ws_received_frames": len(rec.received), "ws_map_delta": ws_map,
        "ws_extensions": rec.ws_extensions,
        "map_payload_wire": map_wire,
        "page_total_wire": total["wire"] + ws_total, "page_total_body": total["body"] + ws_total,
        "encodings": sorted({str(r.get("content_encoding")) for r in http}),
    }


HIT_TEST = r"""
([zid, lat, lon]) => {
  // Nearest pixel to the zone's pole of inaccessibility where the topmost element is an
  // interactive path of that zone (markers or labels drawn over a zone would take the click).
  const map = window.map, box = document.getElementById('map_div').getBoundingClientRect();
  const layerOf = (el) => { for (const k in map._layers) { const l = map._layers[k]; if (l._path === el) return l; } return null; };
  const start = map.latLngToContainerPoint([lat, lon]);
  for (let r = 0; r <= 120; r += 4) {
    const steps = r === 0 ? 1 : Math.ceil(2 * Math.PI * r / 4);
    for (let i = 0; i < steps; i++) {
      const a = 2 * Math.PI * i / steps, x = start.x + r * Math.cos(a), y = start.y + r * Math.sin(a);
      if (x < 60 || y < 90 || x > box.width - 60 || y > box.height - 40) continue;  // keep clear of the controls
      const el = document.elementFromPoint(box.left + x, box.top + y);
      const layer = el && layerOf(el);
      if (layer && layer.options.interactive !== false && layer.feature && layer.feature.properties.id === zid)
        return {x, y, r};
    }
  }
  return null;
}
"""


def click_point(page, frame, rec: Recorder, zid: str, lat: float, lon: float,
                home: dict[str, Any]) -> tuple[tuple[float, float], int]:
    """Page coordinates of a point inside the zone where a click reaches the zone's path, and the
    map zoom used. A zone too small at the opening view (or covered there by markers) is zoomed
    into first, before the measured click; the view goes back home for the next zone."""
    def try_here():
        return frame.evaluate(HIT_TEST, [zid, lat, lon])

    def set_view(center, zoom):
        frame.evaluate("([c, z]) => window.map.setView(c, z, {animate: false})", [center, zoom])
        wait_quiet(page, rec, 400)   # the baseline reruns on view changes; the app should not

    p = try_here()
    if p is None and frame.evaluate("() => window.map.getZoom()") != home["zoom"]:
        set_view(home["center"], home["zoom"])
        p = try_here()
    zoom = home["zoom"]
    while p is None and zoom < home["zoom"] + 5:
        zoom += 1
        set_view([lat, lon], zoom)
        p = try_here()
    if p is None:
        raise RuntimeError(f"no point of zone {zid} near its centre takes a click (covered by other layers?)")
    box = frame.locator("#map_div").bounding_box()
    return (box["x"] + p["x"], box["y"] + p["y"]), frame.evaluate("() => window.map.getZoom()")


def one_click(page, frame, rec: Recorder, zone_id: str, name: str, point: tuple[float, float],
              panel_selector: str, panel_text: str) -> dict[str, Any]:
    """Hover onto the zone, click it, wait for the panel and the end of the run."""
    frame.evaluate("(n) => window.__bench.arm(n)", name)
    page.evaluate("([s, t]) => window.__bench.arm(s, t)", [panel_selector, panel_text])
    n_sent, n_sends_page = len(rec.sent), page.evaluate("() => window.__bench.sends.length")
    wire0 = rec.wire() if rec.wire is not None else None
    x, y = point
    page.mouse.move(x, y)
    page.wait_for_timeout(HOVER_DWELL_MS)
    page.mouse.down()
    page.mouse.up()
    try:
        wait_until(page, lambda: page.evaluate("() => window.__bench.panelPaint"), PANEL_TIMEOUT_S, f"the panel for {name}")
    except TimeoutError:
        # which feature did streamlit-folium report? (a marker drawn over the zone takes the click)
        clicked = frame.evaluate("() => { const d = window.__GLOBAL_DATA__ && window.__GLOBAL_DATA__.last_active_drawing; "
                                 "return d && d.properties ? String(d.properties.id) : null; }")
        with contextlib.suppress(TimeoutError):
            wait_quiet(page, rec, SETTLE_MS)
        return {"zone": zone_id, "missed": True, "clicked_feature": clicked, "frames_sent": len(rec.sent) - n_sent}
    wait_until(page, lambda: any(f.kind == "rerun_script" for f in rec.sent[n_sent:]), PANEL_TIMEOUT_S, "the rerun request")
    t_req = next(f.t for f in rec.sent[n_sent:] if f.kind == "rerun_script")
    wait_until(page, lambda: run_finished_after(rec, t_req), PANEL_TIMEOUT_S, "script_finished")
    wait_quiet(page, rec, SETTLE_MS)
    fm = frame.evaluate("() => { const B = window.__bench; return {moveAt: B.moveAt, downAt: B.downAt, tipAt: B.tipAt, "
                        "tipPaint: B.tipPaint, tipAtDown: B.tipAtDown}; }")
    pm = page.evaluate(f"() => {{ const B = window.__bench; return {{panelAt: B.panelAt, panelPaint: B.panelPaint, "
                       f"sends: B.sends.slice({n_sends_page})}}; }}")
    finished = run_finished_after(rec, t_req)
    frames = rec.sent[n_sent:]
    down = fm["downAt"]
    tip = fm["tipPaint"]
    sends = pm["sends"]
    received = [f for f in rec.received if t_req <= f.t <= finished.t]
    return {
        "zone": zone_id,
        # the tooltip appears on hover; a click only finds it (0) or waits for it
        "click_to_tooltip_ms": 0.0 if fm["tipAtDown"] else (max(0.0, tip - down) if tip and down else None),
        "tooltip_before_click": bool(fm["tipAtDown"]),
        "hover_to_tooltip_ms": (tip - fm["moveAt"]) if tip and fm["moveAt"] else None,
        "hover_to_tooltip_dom_ms": (fm["tipAt"] - fm["moveAt"]) if fm["tipAt"] and fm["moveAt"] else None,
        "click_to_panel_ms": pm["panelPaint"] - down,
        "click_to_panel_dom_ms": pm["panelAt"] - down,
        "click_to_ws_send_ms": (sends[0] - down) if sends else None,
        "ws_send_to_panel_ms": (pm["panelPaint"] - sends[0]) if sends else None,
        "server_run_ms": (finished.t - t_req) * 1000.0,
        "frames_sent": len(frames),
        "frame_kinds": [f.kind for f in frames],
        "ws_bytes_received": sum(f.size for f in received),
        # what the connection carried from the click until quiet (compressed, with framing), when relayed
        "wire_bytes_received": (rec.wire() - wire0) if rec.wire is not None and wire0 is not None else None,
        "ws_frames_received": len(received),
        # what the server sent during the run, in order: [ms after the rerun request, message, element, bytes]
        "timeline": [[round((f.t - t_req) * 1000.0, 1), f.kind, f.element, f.size] for f in received],
    }


def click_series(page, frame, rec: Recorder, n: int, panel: Callable[[str, str], tuple[str, str]],
                 log: Callable[[str], None], label: str) -> list[dict[str, Any]]:
    names = zone_names()
    latlon = zone_click_points()
    home = frame.evaluate("() => { const c = window.map.getCenter(); return {center: [c.lat, c.lng], zoom: window.map.getZoom()}; }")
    results = []
    for i in range(n):
        zid = ZONE_ORDER[i % len(ZONE_ORDER)]
        point, zoom = click_point(page, frame, rec, zid, *latlon[zid], home)
        selector, text = panel(zid, names[zid])
        results.append(one_click(page, frame, rec, zid, names[zid], point, selector, text))
        results[-1]["map_zoom"] = zoom
        if results[-1].get("missed"):
            log(f"  {label}: click {i + 1} on {zid} did not show its panel "
                f"(map reported {results[-1]['clicked_feature']!r})")
            missed = [r for r in results if r.get("missed")]
            if len(missed) > max(2, n // 10):
                raise RuntimeError(f"{len(missed)} of {i + 1} clicks did not show the clicked zone's panel: {missed}")
        if (i + 1) % 20 == 0:
            log(f"  {label}: {i + 1}/{n} clicks")
    return results


def pan_zoom_frames(page, frame, rec: Recorder) -> dict[str, Any]:
    """Drag the map, zoom in and out; count websocket frames the browser sends meanwhile."""
    wait_quiet(page, rec, 1500)
    n0 = len(rec.sent)
    box = frame.locator("#map_div").bounding_box()
    x, y = box["x"] + 60, box["y"] + 60
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 200, y + 120, steps=8)
    page.mouse.up()
    page.wait_for_timeout(600)
    frame.evaluate("() => window.map.zoomIn()")
    page.wait_for_timeout(600)
    frame.evaluate("() => window.map.zoomOut()")
    page.wait_for_timeout(1500)
    with contextlib.suppress(TimeoutError):
        wait_quiet(page, rec, 600, timeout_s=15)
    frames = rec.sent[n0:]
    return {"frames_sent": len(frames), "kinds": [f.kind for f in frames]}


def timeline_summary(clicks: list[dict[str, Any]], top: int = 6) -> dict[str, Any]:
    """Where a run's time goes, seen from the browser: when the map's delta, the panel heading,
    the last delta and script_finished arrive, and the longest gaps between consecutive frames
    (the code between those two elements ran in that gap)."""
    marks: dict[str, list[float]] = {"map_delta": [], "first_delta": [], "last_delta": [], "script_finished": []}
    gaps: dict[str, list[float]] = {}
    for c in clicks:
        tl = c.get("timeline") or []
        deltas = [row for row in tl if row[1] == "delta"]
        if deltas:
            marks["first_delta"].append(deltas[0][0])
            marks["last_delta"].append(deltas[-1][0])
        for row in tl:
            if row[2] and "st_folium" in row[2]:
                marks["map_delta"].append(row[0])
            if row[1] == "script_finished":
                marks["script_finished"].append(row[0])
        prev = (0.0, "rerun request")
        for row in tl:
            label = row[2] or row[1]
            label = label.split(":")[0] if label.startswith(("markdown:<div", "markdown:<p")) else label
            gaps.setdefault(f"{prev[1]} → {label}", []).append(row[0] - prev[0])
            prev = (row[0], label)
    common = [(k, statistics.median(v), len(v)) for k, v in gaps.items() if len(v) >= max(1, len(clicks) // 2)]
    per_gap = sorted(common, key=lambda x: -x[1])
    return {"p50_ms": {k: summary(v)["p50"] for k, v in marks.items()},
            "largest_gaps": [{"between": k, "p50_ms": round(m, 1), "n": n} for k, m, n in per_gap[:top]]}


def series_summary(all_clicks: list[dict[str, Any]]) -> dict[str, Any]:
    clicks = [c for c in all_clicks if not c.get("missed")]
    keys = ["click_to_tooltip_ms", "hover_to_tooltip_ms", "hover_to_tooltip_dom_ms", "click_to_panel_ms",
            "click_to_panel_dom_ms", "click_to_ws_send_ms", "ws_send_to_panel_ms", "server_run_ms",
            "ws_bytes_received"]
    out: dict[str, Any] = {k: summary([c[k] for c in clicks]) for k in keys}
    out["missed_clicks"] = [c for c in all_clicks if c.get("missed")]
    out["frames_sent_per_click"] = summary([c["frames_sent"] for c in clicks])
    out["clicks_with_exactly_one_frame"] = sum(1 for c in clicks if c["frames_sent"] == 1)
    out["tooltip_before_click"] = sum(1 for c in clicks if c["tooltip_before_click"])
    out["server_timeline"] = timeline_summary(clicks)
    out["per_zone"] = {
        z: {"n": len(zc), "map_zoom": sorted({c.get("map_zoom") for c in zc}), "click_to_panel_p50_ms": summary([c["click_to_panel_ms"] for c in zc])["p50"],
            "server_run_p50_ms": summary([c["server_run_ms"] for c in zc])["p50"],
            "hover_to_tooltip_p50_ms": summary([c["hover_to_tooltip_ms"] for c in zc])["p50"]}
        for z in ZONE_ORDER if (zc := [c for c in clicks if c["zone"] == z])
    }
    return out


def bench_server(browser, server: Server, label: str, loads: int, clicks: int, panel, log,
                 memory_clicks: int = 0, sessions: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {"rss_kb": {"after_start": rss_kb(server.pid)}}
    # the first session after start fills the server's caches (st.cache_resource): timed, not counted
    first = page_load(browser, server.url)
    out["first_load_after_start_ms"] = round(first["drawn_ms"], 1)
    log(f"  {label}: first load after start (fills server caches): zones drawn after {first['drawn_ms']:.0f} ms")
    load_runs = []  # cold loads: each in a new browser context (empty cache)
    for i in range(loads):
        load_runs.append(page_load(browser, server.url))
        log(f"  {label}: load {i + 1}/{loads}: zones drawn after {load_runs[-1]['drawn_ms']:.0f} ms")
    out["page_load"] = {"drawn_ms": summary([r["drawn_ms"] for r in load_runs]),
                        "runs_ms": [round(r["drawn_ms"], 1) for r in load_runs],
                        "frames_sent_on_load": [r["frames_sent_on_load"] for r in load_runs],
                        "bytes_first_load": load_runs[0]["bytes"],
                        "milestones": [r["milestones"] for r in load_runs],
                        "milestones_p50": {k: summary([r["milestones"].get(k) for r in load_runs])["p50"]
                                           for k in load_runs[0]["milestones"]}}
    out["rss_kb"]["after_loads"] = rss_kb(server.pid)

    # pan/zoom on its own page (the view changes)
    page, rec = new_page(browser)
    try:
        page.goto(server.url, timeout=60_000)
        frame = drawn_frame(page)
        out["pan_zoom"] = pan_zoom_frames(page, frame, rec)
    finally:
        page.context.close()

    # clicks
    page, rec = new_page(browser)
    try:
        part = _click_part(page, rec, server, label, clicks, panel, log, memory_clicks)
    except Exception:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(RESULTS / f"failure-{label}.png"))
            log(f"  {label}: failed; screenshot in {RESULTS / f'failure-{label}.png'}")
        raise
    finally:
        page.context.close()
    out["rss_kb"].update(part.pop("rss_kb"))
    out.update(part)
    out["rss_kb"].update(_sessions_part(browser, server, sessions, log, label))
    return out


def _click_part(page, rec: Recorder, server: Server, label: str, clicks: int, panel, log,
                memory_clicks: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rss: dict[str, int | None] = {}
    page.goto(server.url, timeout=60_000)
    frame = drawn_frame(page)
    wait_quiet(page, rec, 1000)
    warm = click_series(page, frame, rec, len(ZONE_ORDER) * 2, panel, log, f"{label} warm-up")
    rss["after_warmup_clicks"] = rss_kb(server.pid)
    cpu0, t0, wall0 = cpu_seconds(server.pid), time.monotonic(), time.time()
    measured = click_series(page, frame, rec, clicks, panel, log, label)
    cpu1, t1, wall1 = cpu_seconds(server.pid), time.monotonic(), time.time()
    out["warmup_clicks"] = len(warm)
    out["clicks"] = series_summary(measured)
    out["clicks"]["raw"] = measured
    out["clicks"]["warmup_raw"] = warm
    out["clicks"]["server_cpu_ms_per_click"] = (round((cpu1 - cpu0) * 1000 / clicks, 1)
                                                if cpu0 is not None and cpu1 is not None else None)
    out["clicks"]["wall_s"] = round(t1 - t0, 1)
    inside = inside_run_times(server, wall0, wall1)
    out["clicks"]["server_run_inside_ms"] = summary(inside)
    out["clicks"]["server_run_inside_raw_ms"] = inside
    rss["after_measured_clicks"] = rss_kb(server.pid)
    done = len(warm) + clicks
    if memory_clicks > done:
        extra = click_series(page, frame, rec, memory_clicks - done, panel, log, f"{label} memory")
        ok = [c for c in extra if not c.get("missed")]
        out["memory_extra_clicks"] = {"n": len(extra), "missed": len(extra) - len(ok),
                                      "click_to_panel_ms": summary([c["click_to_panel_ms"] for c in ok]),
                                      "server_run_ms": summary([c["server_run_ms"] for c in ok])}
        page.wait_for_timeout(2000)
        rss[f"after_{memory_clicks}_clicks"] = rss_kb(server.pid)
    out["total_clicks_in_session"] = max(done, memory_clicks)
    out["rss_kb"] = rss
    return out


def _sessions_part(browser, server: Server, sessions: int, log, label: str) -> dict[str, int | None]:
    """RSS with ``sessions`` pages open at once (after the click page was closed)."""
    if not sessions:
        return {}
    pages = []
    try:
        for _ in range(sessions):
            p, r = new_page(browser)
            p.goto(server.url, timeout=60_000)
            pages.append((p, r))
        for p, r in pages:
            drawn_frame(p)
            wait_quiet(p, r, 800)
        value = rss_kb(server.pid)
        log(f"  {label}: {sessions} sessions open: RSS {value} kB")
        return {f"with_{sessions}_sessions": value}
    finally:
        for p, _ in pages:
            with contextlib.suppress(Exception):
                p.context.close()


def ingest_in_fresh_process(sizes: list[float], repeat: int) -> dict[str, Any]:
    """bench/bench_ingest.py in its own interpreter, as the CLI runs the pipeline, so nothing of
    this process (Playwright, its threads, the gazetteer loaded 20 times) is in the figure. Run
    here in-process it gave 0.87-1.08 MB/s where a separate run minutes earlier gave 1.22-1.30."""
    out = RESULTS / "ingest-for-app-bench.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "bench_ingest.py"), "--sizes", *map(str, sizes),
                    "--repeat", str(repeat), "--out", str(out)],
                   check=True, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    return json.loads(out.read_text(encoding="utf-8"))


def gazetteer_times(n: int) -> dict[str, Any]:
    """In-process loads of components.gazetteer.load_gazetteer (not the cached default_gazetteer).
    The first load in a fresh interpreter is timed separately (it also fills the fold table)."""
    code = (f"import time,sys; sys.path.insert(0, {str(ROOT)!r}); t=time.perf_counter(); "
            "from components.gazetteer import load_gazetteer; t1=time.perf_counter(); load_gazetteer(); "
            "t2=time.perf_counter(); print((t1-t)*1000, (t2-t1)*1000)")
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    import_ms, first_ms = (float(x) for x in first.stdout.split())
    from components.gazetteer import load_gazetteer
    times = []
    for _ in range(n):
        t = time.perf_counter()
        g = load_gazetteer()
        times.append((time.perf_counter() - t) * 1000)
        del g
    return {"median_ms": round(statistics.median(times), 2), "n": n, "min_ms": round(min(times), 2),
            "max_ms": round(max(times), 2), "first_in_fresh_process_ms": round(first_ms, 2),
            "import_ms": round(import_ms, 2)}


# --------------------------------------------------------------------------- budgets and report


def budget(name: str, value: float | None, limit: float, unit: str, ok: bool | None, note: str = "") -> dict[str, Any]:
    return {"name": name, "value": None if value is None else round(value, 2), "limit": round(limit, 2), "unit": unit,
            "pass": bool(ok) if ok is not None else None, "note": note}


def budgets(app: dict[str, Any], base: dict[str, Any], gaz: dict[str, Any], memory_clicks: int) -> list[dict[str, Any]]:
    c, bc = app["clicks"], base["clicks"]
    out = []
    tip95 = c["click_to_tooltip_ms"]["p95"]
    out.append(budget("click → tooltip p95", tip95, 50, "ms", tip95 is not None and tip95 <= 50,
                      f"tooltip already shown at mousedown in {c['tooltip_before_click']}/{c['click_to_panel_ms']['n']} clicks"))
    hov95 = c["hover_to_tooltip_ms"]["p95"]
    out.append(budget("hover → tooltip painted p95", hov95, 50, "ms", hov95 is not None and hov95 <= 50,
                      "pointer enters the zone → next frame with the tooltip"))
    p50, b50 = c["click_to_panel_ms"]["p50"], bc["click_to_panel_ms"]["p50"]
    ratio = p50 / b50 if p50 and b50 else None
    out.append(budget("click → panel p50 / baseline", ratio, 1.2, "×", ratio is not None and ratio <= 1.2,
                      f"app {p50} ms vs baseline {b50} ms (both include streamlit-folium's 250 ms debounce)"))
    pz = app["pan_zoom"]["frames_sent"]
    out.append(budget("frames sent on pan + zoom", pz, 0, "frames", pz == 0))
    fpc = c["frames_sent_per_click"]
    out.append(budget("frames sent per click (max)", fpc["max"], 1, "frames",
                      fpc["min"] == 1 and fpc["max"] == 1, f"{c['clicks_with_exactly_one_frame']}/{fpc['n']} clicks sent exactly 1"))
    inside = c["server_run_inside_ms"]
    s50 = inside["p50"]
    out.append(budget("server script run p50 (inside the app)", s50, 50, "ms", s50 is not None and s50 <= 50,
                      f"the app's own timer around the whole script (ATLAS_PROFILE), {inside['n']} runs during the "
                      f"measured clicks; seen from the browser (rerun frame → script_finished): "
                      f"{c['server_run_ms']['p50']} ms p50"))
    d, bd = app["page_load"]["drawn_ms"]["p50"], base["page_load"]["drawn_ms"]["p50"]
    r2 = d / bd if d and bd else None
    out.append(budget("map drawn / baseline (median)", r2, 1.3, "×", r2 is not None and r2 <= 1.3,
                      f"app {d} ms vs baseline {bd} ms"))
    rss = app["rss_kb"]
    after = rss.get(f"after_{memory_clicks}_clicks")
    if after is not None and rss.get("after_warmup_clicks"):
        growth = (after - rss["after_warmup_clicks"]) / 1024
        out.append(budget(f"RSS growth over {memory_clicks} clicks", growth, 10, "MB", growth < 10,
                          "from after 8 warm-up clicks to after the last click"))
    else:
        out.append(budget("RSS growth over clicks", None, 10, "MB", None, "skipped (--quick)"))
    payload = app["page_load"]["bytes_first_load"]["map_payload_wire"] / KB
    out.append(budget("map payload (first load)", payload, 250, "KB", payload <= 250,
                      "component files + Leaflet files (bytes on the wire) + the component's websocket delta"))
    g = gaz["median_ms"]
    out.append(budget("gazetteer load (median)", g, 100, "ms", g <= 100))
    return out


def ingest_budgets(ingest: dict[str, Any]) -> list[dict[str, Any]]:
    rows = ingest["rows"]
    slowest = min(rows, key=lambda r: r["mb_per_s"])
    worst = max(ingest["linearity"])
    sizes = ", ".join(f"{r['size_mb']:g}" for r in rows)
    return [
        budget("ingestion throughput (slowest size)", slowest["mb_per_s"], 1.0, "MB/s", slowest["mb_per_s"] >= 1.0,
               f"{slowest['size_mb']:g} MB in {slowest['seconds']} s; sizes {sizes} MB"),
        budget("ingestion linear: CPU s per MB vs the smallest size (worst)", worst, LINEAR_LIMIT, "×",
               worst <= LINEAR_LIMIT, f"per size: {ingest['linearity']}"),
    ]


def fmt(v: Any, nd: int = 0) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    return str(v)


def report(result: dict[str, Any]) -> str:
    m = result["machine"]
    app, base = result["app"], result["baseline"]
    lines = [
        f"De-escalation Atlas benchmark — {result['date']}  ({'quick' if result['config']['quick'] else 'full'})",
        f"machine: {m['nproc']} CPU × {m['cpu_model']}, {m['ram_gb']} GB RAM, {m['chromium']}",
        f"python {m['python']}, streamlit {m['streamlit']}, streamlit-folium {m['streamlit_folium']}, folium {m['folium']}, "
        f"playwright {m['playwright']}; git {result['git']['head']} (+{result['git']['modified_files']} modified files); "
        f"load average at start {result['loadavg_start']}, at end {result['loadavg_end']}",
        "",
        f"{'figure':46} {'app':>14} {'baseline':>14}",
    ]

    def row(label, a, b=None, nd=0):
        lines.append(f"{label:46} {fmt(a, nd):>14} {fmt(b, nd):>14}")

    pl, bpl = app["page_load"], base["page_load"]
    row(f"map drawn after navigation, median of {pl['drawn_ms']['n']} (ms)", pl["drawn_ms"]["p50"], bpl["drawn_ms"]["p50"])
    c, bc = app["clicks"], base["clicks"]
    for key, label in [("click_to_panel_ms", "click → panel painted"), ("click_to_ws_send_ms", "  click → rerun frame sent (debounce)"),
                       ("server_run_ms", "  server run: frame sent → script_finished"),
                       ("ws_send_to_panel_ms", "  frame sent → panel painted"),
                       ("click_to_tooltip_ms", "click → tooltip (0 = shown before click)"),
                       ("hover_to_tooltip_ms", "hover → tooltip painted")]:
        row(f"{label} p50 (ms)", c[key]["p50"], bc[key]["p50"], 1)
        row(f"{label} p95 (ms)", c[key]["p95"], bc[key]["p95"], 1)
        if key == "server_run_ms":
            ins = c["server_run_inside_ms"]
            row(f"  server run inside the app p50 (n={ins['n']}) (ms)", ins["p50"], None, 1)
            row("  server run inside the app p95 (ms)", ins["p95"], None, 1)
    for z, pz in c["per_zone"].items():
        row(f"  {z}: click → panel p50 (n={pz['n']}) (ms)", pz["click_to_panel_p50_ms"],
            bc["per_zone"].get(z, {}).get("click_to_panel_p50_ms"), 1)
    row("server CPU per click (ms)", c.get("server_cpu_ms_per_click"), bc.get("server_cpu_ms_per_click"), 1)
    row("frames sent on pan + zoom", app["pan_zoom"]["frames_sent"], base["pan_zoom"]["frames_sent"])
    row("frames sent per click (min–max)", f"{c['frames_sent_per_click']['min']}–{c['frames_sent_per_click']['max']}",
        f"{bc['frames_sent_per_click']['min']}–{bc['frames_sent_per_click']['max']}")
    row("websocket bytes received per click p50 (KB)", (c["ws_bytes_received"]["p50"] or 0) / KB,
        (bc["ws_bytes_received"]["p50"] or 0) / KB, 1)
    b, bb = pl["bytes_first_load"], bpl["bytes_first_load"]
    row("first load: component files (KB, wire)", b["component_static"]["wire"] / KB, bb["component_static"]["wire"] / KB, 1)
    row("first load: Leaflet files (KB, wire)", b["leaflet"]["wire"] / KB, bb["leaflet"]["wire"] / KB, 1)
    row("first load: map component ws delta (KB)", b["ws_map_delta"] / KB, bb["ws_map_delta"] / KB, 1)
    row("first load: map payload total (KB)", b["map_payload_wire"] / KB, bb["map_payload_wire"] / KB, 1)
    row("first load: websocket received total (KB)", b["ws_received_total"] / KB, bb["ws_received_total"] / KB, 1)
    row("first load: HTTP total (KB, wire)", b["http_total"]["wire"] / KB, bb["http_total"]["wire"] / KB, 1)
    row("first load: page total HTTP+ws (KB)", b["page_total_wire"] / KB, bb["page_total_wire"] / KB, 1)
    for k in app["rss_kb"]:
        row(f"server RSS {k.replace('_', ' ')} (MB)", (app["rss_kb"][k] or 0) / 1024,
            (base["rss_kb"].get(k) or 0) / 1024 if base["rss_kb"].get(k) else None, 1)
    lines.append("")
    lines.append("where a click's server run goes (app, p50 ms after the rerun request, seen from the browser):")
    st = c["server_timeline"]
    lines.append("  " + ", ".join(f"{k} {fmt(v, 1)}" for k, v in st["p50_ms"].items()))
    lines.append("  longest gaps between consecutive frames (the code in between ran meanwhile):")
    for gp in st["largest_gaps"]:
        lines.append(f"    {gp['p50_ms']:7.1f} ms  {gp['between']}  (n={gp['n']})")
    for name, part in (("app", app), ("baseline", base)):
        ms_ = part["page_load"].get("milestones_p50") or {}
        lines.append(f"where a page load's time goes ({name}, p50 ms after the document request): "
                     + ", ".join(f"{k} {fmt(v, 0)}" for k, v in ms_.items()))
    lines.append("")
    g = result["gazetteer"]
    row(f"gazetteer load, median of {g['n']} in-process (ms)", g["median_ms"], None, 1)
    row("gazetteer load, first in a fresh process (ms)", g["first_in_fresh_process_ms"], None, 1)
    ing = result["ingest"]
    for r, rel in zip(ing["rows"], ing["linearity"], strict=True):
        row(f"ingestion {r['size_mb']:g} MB: MB/s (CPU s/MB ×{rel:.2f} of first)", r["mb_per_s"], None, 2)
    same = result.get("baseline_app_config")
    if same:
        sp, sd = same["clicks"]["click_to_panel_ms"]["p50"], same["page_load"]["drawn_ms"]["p50"]
        ap, ad = c["click_to_panel_ms"]["p50"], pl["drawn_ms"]["p50"]
        lines.append("")
        lines.append(f"for information, the baseline page with the app's own server config (runner.postScriptGC off): "
                     f"click → panel p50 {fmt(sp, 1)} ms (app {fmt(ap / sp if ap and sp else None, 2)} ×), "
                     f"map drawn {fmt(sd, 0)} ms (app {fmt(ad / sd if ad and sd else None, 2)} ×), "
                     f"server run seen from the browser p50 {fmt(same['clicks']['server_run_ms']['p50'], 1)} ms")
    lines += ["", "budgets:"]
    for bud in result["budgets"]:
        status = "PASS" if bud["pass"] else ("SKIP" if bud["pass"] is None else "FAIL")
        lines.append(f"  [{status}] {bud['name']}: {fmt(bud['value'], 2)} {bud['unit']} (limit {fmt(bud['limit'], 2)})"
                     + (f" — {bud['note']}" if bud["note"] else ""))
    lines.append("")
    lines.append("server run inside the app: the app's own timer (ATLAS_PROFILE) around the whole script, "
                 "from set_page_config to the last element; the outside figure adds Streamlit's messaging and the websocket.")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clicks", type=int, default=None, help="measured clicks per app (default 40, --quick 8)")
    ap.add_argument("--loads", type=int, default=None, help="cold page loads per app (default 5, --quick 1)")
    ap.add_argument("--memory-clicks", type=int, default=200, help="clicks in one session before the RSS reading")
    ap.add_argument("--sessions", type=int, default=5, help="pages open at once for the RSS reading")
    ap.add_argument("--quick", action="store_true", help="1 load, 8 clicks, no 200-click / 5-session memory parts")
    ap.add_argument("--ingest-sizes", type=float, nargs="+", default=None,
                    help="ingestion corpus sizes in MB (default 1 2 4 5, --quick 0.25 0.5)")
    ap.add_argument("--ingest-repeat", type=int, default=None, help="ingestion runs per size, best kept (default 2, --quick 1)")
    ap.add_argument("--out", type=Path, default=None, help="JSON result (default RESULTS/app.json)")
    ap.add_argument("--results", type=Path, default=RESULTS,
                    help="folder for logs, profiles and the servers' sites (default bench/results; tests use a temp folder)")
    args = ap.parse_args(argv)
    set_results(args.results)
    args.out = args.out or RESULTS / "app.json"
    quick = args.quick
    clicks = args.clicks if args.clicks is not None else (8 if quick else 40)
    loads = args.loads if args.loads is not None else (1 if quick else 5)
    memory_clicks = 0 if quick else args.memory_clicks
    sessions = 0 if quick else args.sessions
    ingest_sizes = args.ingest_sizes or ([0.25, 0.5] if quick else [1, 2, 4, 5])
    ingest_repeat = args.ingest_repeat or (1 if quick else 2)
    if clicks < len(ZONE_ORDER):
        ap.error(f"--clicks must be at least {len(ZONE_ORDER)}")

    from playwright.sync_api import sync_playwright

    started = time.monotonic()

    def log(msg: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {msg}", file=sys.stderr, flush=True)

    result: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(), "loadavg_start": loadavg(),
        "config": {"quick": quick, "clicks": clicks, "loads": loads, "memory_clicks": memory_clicks,
                   "sessions": sessions, "ingest_sizes_mb": ingest_sizes, "ingest_repeat": ingest_repeat,
                   "hover_dwell_ms": HOVER_DWELL_MS, "settle_ms": SETTLE_MS,
                   "viewport": VIEWPORT, "zone_order": ZONE_ORDER, "kb": KB,
                   "app_env": {"ATLAS_TILES": "none"}},
    }
    result["git"] = git_state()
    log(f"machine: {result['machine']}")
    log("gazetteer load times")
    result["gazetteer"] = gazetteer_times(20)
    log(f"ingestion throughput on {ingest_sizes} MB (before any server or browser starts)")
    result["ingest"] = ingest_in_fresh_process(ingest_sizes, ingest_repeat)

    baseline_script = prepare_baseline_site()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            log("app: starting")
            app_script = app_site(RESULTS / "app_site")  # Leaflet goes to its static/, not the repository's
            with launch(app_script, "app", profile=True, cwd=app_script.parent) as server:
                result["app"] = bench_server(
                    browser, server, "app", loads, clicks, lambda zid, name: ("h3", name), log,
                    memory_clicks=memory_clicks, sessions=sessions)
            log("baseline: starting")
            baseline_panel = lambda zid, name: ('[data-testid="stMarkdownContainer"]', f"clicked: {zid}")  # noqa: E731
            # The budget's baseline: "default settings", so Streamlit's default runner.postScriptGC
            # (the repository's .streamlit/config.toml, which the server reads, turns it off).
            with launch(baseline_script, "baseline", args=("--runner.postScriptGC", "true")) as server:
                result["baseline"] = bench_server(browser, server, "baseline", loads, clicks, baseline_panel, log)
            if not quick:  # for information: the same page with the app's own server settings
                log("baseline with the app's config: starting")
                with launch(baseline_script, "baseline-appconfig") as server:
                    result["baseline_app_config"] = bench_server(
                        browser, server, "baseline-appconfig", loads, clicks, baseline_panel, log)
        finally:
            browser.close()
    result["loadavg_end"] = loadavg()
    result["budgets"] = budgets(result["app"], result["baseline"], result["gazetteer"], memory_clicks)
    result["budgets"] += ingest_budgets(result["ingest"])
    result["elapsed_s"] = round(time.monotonic() - started, 1)
    text = report(result)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=2), encoding="utf-8")
    tmp.replace(args.out)
    (args.out.with_suffix(".txt")).write_text(text + "\n", encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:
        traceback.print_exc()
        sys.exit(1)
