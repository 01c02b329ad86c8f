"""Issue 17: the app with the issue's two hostile uploads stored vs the same app without them.

    python bench/bench_hostile.py [--clicks 12] [--visitors 3] [--out bench/results/hostile.json]

Two stores are built in a temporary folder with ``start_up`` (what a server start does): the
bundled seeds only, and the seeds plus the two uploads of issue 17 in the uploads folder
(100,000 lines "N Idlib", 1.19 MB; and one 1 MB line of "Idlib Homs <b>x</b> 84 settlements").
For each, the real app runs on it (ATLAS_DB, ATLAS_UPLOADS, ATLAS_TILES=none, ATLAS_PROFILE) and
Chromium measures, with bench_app.py's instruments: the first visitor's map (server start → zones
drawn, and navigation → zones drawn), the median of ``--visitors`` fresh visitors (navigation →
zones drawn), and zone clicks (mousedown → the zone's h3 painted; the whole script run seen from the
browser, rerun → script_finished) over the four zones after 4 warm-up clicks, Idlib included.
Budget (issue 17): with / without ≤ 1.5 for the first map and for the click p50.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bench_app as ba
from bench.bench_scale import app_env, visit
from components.store import open_store
from components.store.ingest import start_up
from tests.server import ROOT, app_site

UPLOADS = {
    "lines.txt": "".join(f"{i} Idlib\n" for i in range(100_000)),
    "oneline.txt": ("Idlib Homs <b>x</b> 84 settlements " * 40_000)[:1_000_000],
}
BUDGET = 1.5


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def build_store(work: Path, hostile: bool) -> dict[str, Any]:
    uploads = work / "uploads"
    uploads.mkdir(parents=True)
    if hostile:
        for name, text in UPLOADS.items():
            (uploads / name).write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    store = open_store(work / "atlas.db")
    report = start_up(store, ROOT / "seeds", uploads)
    store.close()
    return {"ingest_s": round(time.perf_counter() - t0, 2), "summary": report.summary(),
            "messages": [r.message for r in report.results]}


def bench_one(browser, work: Path, label: str, clicks: int, visitors: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    site = app_site(ba.RESULTS / "app_site")
    with app_env(work):
        t_start = time.time()
        with ba.launch(site, label, profile=True, cwd=site.parent) as server:
            page, rec, frame, first = visit(browser, server.url)
            try:
                out["start_to_map_first_ms"] = round(first["drawn_epoch_ms"] - t_start * 1000, 1)
                out["nav_to_map_first_ms"] = first["drawn_ms"]
                log(f"  {label}: first visitor: start → map {out['start_to_map_first_ms']:.0f} ms, "
                    f"navigation → map {first['drawn_ms']:.0f} ms")
                ba.wait_quiet(page, rec, 800)
                fresh = []
                for _ in range(visitors):
                    p2, _r2, _f2, again = visit(browser, server.url)
                    p2.context.close()
                    fresh.append(again["drawn_ms"])
                out["nav_to_map_fresh_ms"] = {"all": fresh, "p50": statistics.median(fresh)}
                log(f"  {label}: fresh visitors navigation → map {fresh}")
                panel = lambda zid, name: ("h3", name)  # noqa: E731
                ba.click_series(page, frame, rec, len(ba.ZONE_ORDER), panel, log, f"{label} warm-up")
                wall0 = time.time()
                measured = [c for c in ba.click_series(page, frame, rec, clicks, panel, log, label) if not c.get("missed")]
                out["clicks"] = {
                    "n": len(measured),
                    "click_to_panel_ms": ba.summary([c["click_to_panel_ms"] for c in measured]),
                    "server_run_seen_ms": ba.summary([c["server_run_ms"] for c in measured]),
                    "server_run_inside_ms": ba.summary(ba.inside_run_times(server, wall0, time.time())),
                    "ws_bytes_received": ba.summary([c["ws_bytes_received"] for c in measured]),
                    "idlib_click_to_panel_ms": ba.summary([c["click_to_panel_ms"] for c in measured if c["zone"] == "idlib"]),
                }
                log(f"  {label}: click → panel p50 {out['clicks']['click_to_panel_ms']['p50']} ms")
            except Exception:
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(ba.RESULTS / f"failure-hostile-{label}.png"))
                raise
            finally:
                with contextlib.suppress(Exception):
                    page.context.close()
    return out


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=12)
    parser.add_argument("--visitors", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ba.RESULTS / "hostile.json")
    args = parser.parse_args(argv)
    import playwright.sync_api as pw
    result: dict[str, Any] = {"machine": ba.machine(), "git": ba.git_state(), "load_start": ba.loadavg()}
    with tempfile.TemporaryDirectory(prefix="atlas-hostile-") as tmp, pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=ba.CHROMIUM, args=ba.CHROMIUM_ARGS)
        try:
            for label, hostile in (("without", False), ("with", True)):
                work = Path(tmp) / label
                result[f"store_{label}"] = build_store(work, hostile)
                log(f"{label}: store built in {result[f'store_{label}']['ingest_s']} s ({result[f'store_{label}']['summary']})")
                result[label] = bench_one(browser, work, label, args.clicks, args.visitors)
        finally:
            browser.close()
    result["load_end"] = ba.loadavg()
    w, wo = result["with"], result["without"]
    rows = [
        ("first visitor: server start → map", w["start_to_map_first_ms"], wo["start_to_map_first_ms"]),
        ("first visitor: navigation → map", w["nav_to_map_first_ms"], wo["nav_to_map_first_ms"]),
        ("fresh visitor: navigation → map (median)", w["nav_to_map_fresh_ms"]["p50"], wo["nav_to_map_fresh_ms"]["p50"]),
        ("zone click → panel p50", w["clicks"]["click_to_panel_ms"]["p50"], wo["clicks"]["click_to_panel_ms"]["p50"]),
        ("Idlib click → panel p50", w["clicks"]["idlib_click_to_panel_ms"]["p50"], wo["clicks"]["idlib_click_to_panel_ms"]["p50"]),
        ("script run seen from the browser p50", w["clicks"]["server_run_seen_ms"]["p50"], wo["clicks"]["server_run_seen_ms"]["p50"]),
        ("script run inside the app p50", w["clicks"]["server_run_inside_ms"]["p50"], wo["clicks"]["server_run_inside_ms"]["p50"]),
    ]
    judged = {"first visitor: navigation → map", "fresh visitor: navigation → map (median)", "zone click → panel p50"}
    lines = ["| figure | with the two uploads | without | ratio | budget |", "|---|---|---|---|---|"]
    result["budgets"] = []
    for name, a, b in rows:
        r = ratio(a, b)
        verdict = ("PASS" if r is not None and r <= BUDGET else "FAIL") if name in judged else ""
        if verdict:
            result["budgets"].append({"name": name, "ratio": r, "limit": BUDGET, "ok": verdict == "PASS"})
        lines.append(f"| {name} | {ba.fmt(a)} ms | {ba.fmt(b)} ms | {r}× | {'≤ 1.5× ' + verdict if verdict else ''} |")
    table = "\n".join(lines)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    args.out.with_suffix(".txt").write_text(table + "\n", encoding="utf-8")
    return 0 if all(b["ok"] for b in result["budgets"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
