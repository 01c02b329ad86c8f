"""Load test: N concurrent browser sessions loading the app and clicking zones for a while.

    python bench/load_test.py [--sessions 20] [--seconds 60]

One Streamlit server on loopback (ATLAS_TILES=none), one headless Chromium with
N contexts (sessions). Each session loads the page, then for the given seconds
(counted from when its map is drawn) clicks the four zones in turn (a real mouse click on a point of the zone's shape) and waits for the
zone's panel, until the time is up. Reports requests, errors (failed requests,
HTTP >= 400, panel timeouts, page errors), click -> panel p50/p95 and the
server's RSS before and after. Loopback only; bounded in time; stops the server.
Not part of the test run (it takes minutes and loads both cores).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_app import launch, pct, rss_kb
from playwright.async_api import async_playwright

from tests.browser import FIND_ZONE_POINT_JS, SETTLED_JS, zone_candidate_points, zone_names
from tests.server import CHROMIUM, CHROMIUM_ARGS

ZONES = ("idlib", "north-homs", "eastern-ghouta", "south")
PANEL_TIMEOUT_MS = 30_000
# The map fits itself to a selected zone ~300 ms after the new styles arrive: a point computed
# before that lands elsewhere. A user aims at what is on screen once it stops moving; the map
# marks that moment (window.__atlasFitDone, components/mapbuild.py).


async def settled(frame, timeout_s: float = 15.0) -> None:
    """Wait until the map has made its fit to the current selection."""
    await frame.wait_for_function(SETTLED_JS, timeout=timeout_s * 1000)


class Tally:
    def __init__(self) -> None:
        self.requests = 0
        self.errors: list[str] = []
        self.clicks_ms: list[float] = []
        self.clicks_at: list[float] = []  # when each measured click started (epoch seconds), same order
        self.loads_ms: list[float] = []


async def map_frame(page, timeout_s: float = 90.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "streamlit_folium" in frame.url:
                try:
                    if await frame.evaluate("() => !!(window.map && document.querySelectorAll('path.leaflet-interactive').length >= 4)"):
                        return frame
                except Exception:
                    pass
        await asyncio.sleep(0.2)
    raise TimeoutError("map not drawn")


async def session(browser, url: str, seconds: float, tally: Tally, candidates: dict, names: dict, n: int) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    context.on("request", lambda _r: setattr(tally, "requests", tally.requests + 1))
    context.on("requestfailed", lambda r: tally.errors.append(f"session {n}: request failed {r.url}"))
    context.on("response", lambda r: r.status >= 400 and tally.errors.append(f"session {n}: HTTP {r.status} {r.url}"))
    page.on("pageerror", lambda e: tally.errors.append(f"session {n}: page error {e}"))
    try:
        t_load = time.monotonic()
        await page.goto(url, timeout=180_000)
        frame = await map_frame(page, timeout_s=180.0)
        tally.loads_ms.append((time.monotonic() - t_load) * 1000)
        deadline = time.monotonic() + seconds  # each session clicks for `seconds` once its map is drawn
        k = n
        while time.monotonic() < deadline:
            zone = ZONES[k % 4]
            k += 1
            await settled(frame)
            point = await frame.evaluate(FIND_ZONE_POINT_JS, [zone, candidates[zone]])
            if point is None:
                await asyncio.sleep(0.5)
                continue
            t0, at = time.monotonic(), time.time()
            await frame.locator("#map_div").click(position=point)
            try:
                await page.get_by_role("heading", name=names[zone], exact=True).wait_for(timeout=PANEL_TIMEOUT_MS)
                tally.clicks_ms.append((time.monotonic() - t0) * 1000)
                tally.clicks_at.append(at)
            except Exception:
                tally.errors.append(f"session {n}: panel for {zone} not shown within {PANEL_TIMEOUT_MS} ms")
    except Exception as exc:  # recorded, never hidden
        tally.errors.append(f"session {n}: {type(exc).__name__}: {exc}")
    finally:
        await context.close()


async def run(sessions: int, seconds: float) -> dict:
    names = zone_names()
    candidates = {z: zone_candidate_points(z) for z in ZONES}
    tally = Tally()
    with launch(ROOT / "app.py", "load") as server:
        rss_before = rss_kb(server.pid)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            await asyncio.gather(*(session(browser, server.url, seconds, tally, candidates, names, i) for i in range(sessions)))
            await browser.close()
        rss_after = rss_kb(server.pid)
    clicks = tally.clicks_ms
    return {
        "sessions": sessions, "seconds": seconds, "requests": tally.requests, "errors": len(tally.errors),
        "error_samples": tally.errors[:10], "clicks": len(clicks),
        "page_load_to_map_ms": {"p50": pct(tally.loads_ms, 50) if tally.loads_ms else None,
                                "max": max(tally.loads_ms) if tally.loads_ms else None},
        "click_to_panel_ms": {"p50": pct(clicks, 50) if clicks else None, "p95": pct(clicks, 95) if clicks else None},
        "server_rss_mb": {"before": round(rss_before / 1024, 1) if rss_before else None,
                          "after": round(rss_after / 1024, 1) if rss_after else None},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load.json")
    args = parser.parse_args()
    result = asyncio.run(run(args.sessions, args.seconds))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
