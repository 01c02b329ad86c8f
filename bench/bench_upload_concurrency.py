"""Issue 17: other sessions' click latency with and without a concurrent 2 MB upload.

    python bench/bench_upload_concurrency.py [--sessions 10] [--uploads 3] [--quiet 30]
    python bench/bench_upload_concurrency.py --protocol [--think 0.5 1.5]   # the server only, no browser

One app (ATLAS_TILES=none, ATLAS_PROFILE) on a temporary store holding the bundled seeds and one
curator. One headless Chromium runs ``--sessions`` browsing sessions that click the four zones in
turn without pause (bench/load_test.py's sessions: a real mouse click on the zone's shape, timed
until the zone's panel heading shows) and one uploader session, signed in through the real form.
After every session's map is drawn and a warm-up, for each of ``--uploads`` different 2 MB articles
(news text from bench/gen_corpus.py, ~600 articles each): ``--quiet`` seconds without an upload (the
"without" sample), then the uploader adds the article through the file uploader and waits for its
"Added … It is now part of the corpus" note, plus a 3 s tail (the other sessions' first run on the
new dataset version) -- the "with" sample. Interleaving the two samples keeps the drift of a
shared machine's load out of the ratio. Reported: browser click
→ panel p50/p95 and the server's own script-run times (ATLAS_PROFILE: every completed run of every
session in the windows, the uploader's included) for both samples, their p95 ratio (issue 17's
budget: ≤ 1.3), the upload's time to its "queued" note and to "done", the CPU seconds of the server
and of the ingest worker, and the load average (other processes share the 2 cores).

``--protocol``: the same windows, but the ``--sessions`` readers are bench/load_protocol.py's websocket
clients (Streamlit's own protocol, no browser; each clicks a zone, waits for ``script_finished``, thinks
``--think`` seconds, clicks again), so the ratio measures the server and not 10 Chromium pages on the same
2 cores. The upload is recorded through the app's own ``queue_upload`` (the file stored, its row pending)
and the ingest worker started with the app's command (``components.worker.start_worker``); what is left
out is only the 2 MB HTTP transfer into the uploader's page. "Done" = the document's status ``ok``.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_app as ba
import load_protocol as lp
from bench_scale import app_env
from gen_corpus import article, place_pools
from load_test import ZONES, Tally, session
from playwright.async_api import async_playwright

from components.store import open_store
from components.store.ingest import queue_upload, start_up
from components.store.queue import upload_progress
from components.worker import start_worker
from tests.browser import zone_candidate_points, zone_names
from tests.curators import NAME, PASSWORD, make_curator
from tests.server import CHROMIUM, CHROMIUM_ARGS, app_site

BUDGET = 1.3
UPLOAD_BYTES = 2_000_000
TAIL_S = 3.0
WAIT_MS = 600_000


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def two_mb_article(seed: int) -> str:
    """About 2 MB of news-like text (bench/gen_corpus.py's articles one after another); different per seed."""
    rng, (inside, outside) = random.Random(seed), place_pools()
    parts, size, n = [f"News digest {seed}\n\n"], 0, 0
    while size < UPLOAD_BYTES - 10_000:
        text, _meta = article(rng, n, inside, outside)
        parts.append(text + "\n")
        size += len(text.encode("utf-8")) + 1
        n += 1
    return "".join(parts)


def worker_pids(db: Path) -> list[int]:
    """The ingest worker processes on this store (python -m components worker --db DB)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"worker" in cmd and str(db).encode() in cmd:
                found.append(int(proc.name))
    return found


async def uploader(browser, url: str, texts: list[str], signed_in: asyncio.Event, start: asyncio.Event,
                   windows: list[dict], quiet: list[tuple[float, float]], quiet_s: float, server_pid: int) -> None:
    """Sign in, then (once told) for each text: ``quiet_s`` without an upload, then add it and wait for its
    "Added" note (+ a tail); record both windows."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        await page.goto(url + "/?tab=Add+a+document", timeout=WAIT_MS)
        await page.get_by_label("Curator name").fill(NAME)
        await page.locator("input[type=password]").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_text("Signed in as").wait_for(timeout=WAIT_MS)
        signed_in.set()
        await start.wait()
        for i, text in enumerate(texts):
            name = f"digest-{i}.txt"
            q0, c0 = time.time(), ba.cpu_seconds(server_pid)
            await asyncio.sleep(quiet_s)  # the "without" sample: the same sessions just before this upload
            quiet.append((q0, time.time()))
            t0, c1 = time.time(), ba.cpu_seconds(server_pid)
            await page.locator('input[type="file"]').set_input_files(
                files=[{"name": name, "mimeType": "text/plain", "buffer": text.encode("utf-8")}])
            await page.get_by_text(f"“{name}” is stored as").or_(page.get_by_text(f"Ingesting “{name}”")).first.wait_for(timeout=WAIT_MS)
            t_queued = time.time()
            await page.get_by_text(f"Added “{name}”").wait_for(timeout=WAIT_MS)
            t_done = time.time()
            await asyncio.sleep(TAIL_S)
            c2 = ba.cpu_seconds(server_pid)
            windows.append({"server_cpu_s_per_s": {"without": round((c1 - c0) / (t0 - q0), 3) if c0 and c1 else None,
                                                   "with": round((c2 - c1) / (time.time() - t0), 3) if c1 and c2 else None},
                            "name": name, "start": t0, "queued_s": round(t_queued - t0, 2), "done_s": round(t_done - t0, 2),
                            "end": t_done + TAIL_S})
            log(f"  upload {name}: queued note after {t_queued - t0:.1f} s, done after {t_done - t0:.1f} s")
    finally:
        await context.close()


def inside(t: float, windows: list[tuple[float, float]]) -> bool:
    return any(a <= t <= b for a, b in windows)


def sample(tally: Tally, server: ba.Server, windows: list[tuple[float, float]]) -> dict:
    clicks = [ms for ms, at in zip(tally.clicks_ms, tally.clicks_at, strict=True) if inside(at, windows)]
    runs = [ms for a, b in windows for ms in ba.inside_run_times(server, a, b)]
    return {"clicks": len(clicks), "click_to_panel_ms": {"p50": ba.pct(clicks, 50), "p95": ba.pct(clicks, 95)},
            "script_runs": len(runs), "script_run_ms": {"p50": ba.pct(runs, 50), "p95": ba.pct(runs, 95)},
            "seconds": round(sum(b - a for a, b in windows), 1)}


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


async def run(work: Path, sessions: int, uploads: int, quiet_s: float) -> dict:
    names, candidates = zone_names(), {z: zone_candidate_points(z) for z in ZONES}
    texts = [two_mb_article(seed) for seed in range(uploads)]
    tally, windows, quiet, signed_in, start = Tally(), [], [], asyncio.Event(), asyncio.Event()
    site = app_site(ba.RESULTS / "upload_site")
    with ba.launch(site, "upload-concurrency", profile=True, cwd=site.parent) as server:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            up = asyncio.create_task(uploader(browser, server.url, texts, signed_in, start, windows, quiet, quiet_s,
                                              server.pid))
            await asyncio.wait([up, asyncio.create_task(signed_in.wait())], return_when=asyncio.FIRST_COMPLETED)
            if up.done():
                await up  # the sign-in failed: its error
            clickers = [asyncio.create_task(session(browser, server.url, 10**6, tally, candidates, names, i))
                        for i in range(sessions)]
            try:
                while len(tally.loads_ms) < sessions and not tally.errors:
                    await asyncio.sleep(0.5)
                log(f"{sessions} sessions have drawn their maps; warm-up 10 s")
                await asyncio.sleep(10)
                load_start = os.getloadavg()
                cpu0 = ba.cpu_seconds(server.pid)
                log(f"{uploads} × ({quiet_s:g} s without an upload, then a {len(texts[0].encode()) / 1e6:.2f} MB upload)")
                start.set()
                worker_cpu: dict[int, float] = {}
                while not up.done():
                    for pid in worker_pids(work / "atlas.db"):
                        worker_cpu[pid] = ba.cpu_seconds(pid) or worker_cpu.get(pid, 0.0)
                    await asyncio.sleep(0.5)
                await up
                cpu1 = ba.cpu_seconds(server.pid)
                load_end = os.getloadavg()
            finally:
                for task in (*clickers, up):
                    task.cancel()
                await asyncio.gather(*clickers, up, return_exceptions=True)
                await browser.close()
    without = sample(tally, server, quiet)
    with_upload = sample(tally, server, [(w["start"], w["end"]) for w in windows])
    return {
        "sessions": sessions, "upload_mb": round(len(texts[0].encode()) / 1e6, 2), "uploads": windows,
        "without": without, "with_upload": with_upload,
        "ratio_click_p95": ratio(with_upload["click_to_panel_ms"]["p95"], without["click_to_panel_ms"]["p95"]),
        "ratio_script_run_p95": ratio(with_upload["script_run_ms"]["p95"], without["script_run_ms"]["p95"]),
        "budget": BUDGET, "errors": tally.errors[:10], "error_count": len(tally.errors),
        "server_cpu_s": round(cpu1 - cpu0, 2) if cpu0 is not None and cpu1 is not None else None,
        "worker_cpu_s": round(sum(worker_cpu.values()), 2),
        "load_average": {"start": [round(x, 2) for x in load_start], "end": [round(x, 2) for x in load_end]},
    }


class TimedTally(lp.Tally):
    """load_protocol's tally, with when each run started (epoch seconds) to split the windows."""

    def __init__(self) -> None:
        super().__init__()
        self.at: dict[str, list[float]] = {}

    def add(self, kind: str, ms: float) -> None:
        super().add(kind, ms)
        self.at.setdefault(kind, []).append(time.time() - ms / 1000)


async def protocol_reader(url: str, n: int, tally: TimedTally, think: tuple[float, float], stop: asyncio.Event,
                          ready: list[int]) -> None:
    """One reading session: load, then click a zone, think, click another ... until ``stop``."""
    s = lp.Session(url, n, random.Random(n), tally, lp.zone_features(), lp.zone_names(), 120.0)
    try:
        await s.connect()
        await s.load()
        ready.append(n)
        while not stop.is_set():
            await s.click_zone()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), s.rng.uniform(*think))
    except Exception as exc:  # recorded, never hidden
        tally.errors.append(f"session {n}: {type(exc).__name__}: {exc}"[:300])
    finally:
        await s.close()


def protocol_upload(work: Path, text: str, name: str) -> tuple[float, float]:
    """Record ``text`` as the app's upload page does and start the app's worker (the server may start its own
    too, as a replica would: one claims the document); seconds to queued and to done."""
    t0 = time.time()
    with open_store(work / "atlas.db") as store:
        result = queue_upload(store, text.encode("utf-8"), name, work / "uploads", added_by=NAME)
        assert result.status == "queued", result.message
        t_queued = time.time()
        worker = start_worker(work / "atlas.db")
        try:
            while (stage := upload_progress(store, result.doc_id).stage) in ("queued", "ingesting"):
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(30)
        assert stage == "done", stage
    return t_queued - t0, time.time() - t0


async def run_protocol(work: Path, sessions: int, uploads: int, quiet_s: float, think: tuple[float, float]) -> dict:
    texts = [two_mb_article(seed) for seed in range(uploads)]
    tally, windows, quiet, stop, ready = TimedTally(), [], [], asyncio.Event(), []
    site = app_site(ba.RESULTS / "upload_site")
    with ba.launch(site, "upload-concurrency-protocol", profile=True, cwd=site.parent) as server:
        await lp.warm_up(server.url)
        readers = [asyncio.create_task(protocol_reader(server.url, i, tally, think, stop, ready)) for i in range(sessions)]
        try:
            while len(ready) < sessions and not tally.errors:
                await asyncio.sleep(0.5)
            log(f"{sessions} protocol sessions loaded; warm-up 10 s")
            await asyncio.sleep(10)
            load_start, cpu0, worker_cpu = os.getloadavg(), ba.cpu_seconds(server.pid), 0.0
            for i, text in enumerate(texts):
                q0, c0 = time.time(), ba.cpu_seconds(server.pid)
                await asyncio.sleep(quiet_s)
                quiet.append((q0, time.time()))
                t0, c1 = time.time(), ba.cpu_seconds(server.pid)
                name = f"digest-{i}.txt"
                task = asyncio.create_task(asyncio.to_thread(protocol_upload, work, text, name))
                before = {pid: ba.cpu_seconds(pid) or 0.0 for pid in worker_pids(work / "atlas.db")}  # a worker kept from
                cpu_by_pid: dict[int, float] = {}                                                     # the last upload
                while not task.done():
                    for pid in worker_pids(work / "atlas.db"):
                        cpu_by_pid[pid] = ba.cpu_seconds(pid) or cpu_by_pid.get(pid, 0.0)
                    await asyncio.sleep(0.25)
                queued_s, done_s = await task
                cpu_w = sum(cpu - before.get(pid, 0.0) for pid, cpu in cpu_by_pid.items())
                worker_cpu += cpu_w
                await asyncio.sleep(TAIL_S)
                c2 = ba.cpu_seconds(server.pid)
                windows.append({"name": name, "start": t0, "end": t0 + done_s + TAIL_S, "queued_s": round(queued_s, 2),
                                "done_s": round(done_s, 2), "worker_cpu_s": round(cpu_w, 2),
                                "server_cpu_s_per_s": {"without": round((c1 - c0) / (t0 - q0), 3),
                                                       "with": round((c2 - c1) / (time.time() - t0), 3)}})
                log(f"  upload {name}: queued after {queued_s:.2f} s, done after {done_s:.1f} s")
            cpu1, load_end = ba.cpu_seconds(server.pid), os.getloadavg()
        finally:
            stop.set()
            await asyncio.gather(*readers, return_exceptions=True)

    def clicks(spans: list[tuple[float, float]]) -> dict:
        ms = [m for m, at in zip(tally.latencies.get("click", []), tally.at.get("click", []), strict=True)
              if inside(at, spans)]
        runs = [r for a, b in spans for r in ba.inside_run_times(server, a, b)]
        return {"clicks": len(ms), "click_ms": {"p50": ba.pct(ms, 50), "p95": ba.pct(ms, 95)},
                "script_runs": len(runs), "script_run_ms": {"p50": ba.pct(runs, 50), "p95": ba.pct(runs, 95)},
                "seconds": round(sum(b - a for a, b in spans), 1)}

    without, with_upload = clicks(quiet), clicks([(w["start"], w["end"]) for w in windows])
    return {
        "mode": "protocol", "sessions": sessions, "think_s": list(think), "upload_mb": round(len(texts[0].encode()) / 1e6, 2),
        "uploads": windows, "without": without, "with_upload": with_upload,
        "ratio_click_p95": ratio(with_upload["click_ms"]["p95"], without["click_ms"]["p95"]),
        "ratio_script_run_p95": ratio(with_upload["script_run_ms"]["p95"], without["script_run_ms"]["p95"]),
        "budget": BUDGET, "errors": tally.errors[:10], "error_count": len(tally.errors),
        "server_cpu_s": round(cpu1 - cpu0, 2) if cpu0 is not None and cpu1 is not None else None,
        "worker_cpu_s": round(worker_cpu, 2),
        "load_average": {"start": [round(x, 2) for x in load_start], "end": [round(x, 2) for x in load_end]},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--uploads", type=int, default=3)
    parser.add_argument("--quiet", type=float, default=30.0, help="seconds without an upload before each upload")
    parser.add_argument("--protocol", action="store_true",
                        help="the reading sessions speak Streamlit's protocol (bench/load_protocol.py), no browser")
    parser.add_argument("--think", type=float, nargs=2, default=[0.5, 1.5], metavar=("MIN", "MAX"),
                        help="--protocol: seconds between a session's clicks")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    args.out = args.out or ROOT / "bench" / "results" / f"upload_concurrency{'_protocol' if args.protocol else ''}.json"
    with tempfile.TemporaryDirectory(prefix="atlas-upload-bench-") as tmp:
        work = Path(tmp)
        (work / "uploads").mkdir()
        with app_env(work):
            with open_store(work / "atlas.db") as store:
                start_up(store, ROOT / "seeds", work / "uploads")
            make_curator(db=work / "atlas.db")
            result = asyncio.run(run_protocol(work, args.sessions, args.uploads, args.quiet, tuple(args.think))
                                 if args.protocol else run(work, args.sessions, args.uploads, args.quiet))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))
    ok = result["error_count"] == 0 and result["ratio_click_p95"] is not None and result["ratio_click_p95"] <= BUDGET
    print(f"click p95 with / without a concurrent upload: {result['ratio_click_p95']}× (budget ≤ {BUDGET}×) "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
