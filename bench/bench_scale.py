"""The app at scale (issue 12): the real app on stores of N generated articles, in headless Chromium.

    python bench/bench_scale.py [--sizes 1 100 1000 5000] [--quick] [--clicks 10] [--out bench/results/scale.json]
    python bench/bench_scale.py --sizes 5000 --only-ingest    # the stores only (ingestion, search calls), no browser

For each N (``--quick``: 1 and 100): generate N articles (bench/gen_corpus.py,
seed 1; not timed) into a temporary uploads folder; build the store once with
``start_up`` (seeds + uploads, what a first server start does; wall and CPU
time, MB/s, CPU s/MB) and time ``search`` in-process on it (the server-side
search call); then start the real app (``streamlit run app.py``,
``ATLAS_TILES=none``, ``ATLAS_UPLOADS``/``ATLAS_DB`` on the temporary store,
``ATLAS_PROFILE`` so it times its own runs) and measure with Chromium:

* server start → map drawn for the first visitor (``time.time()`` before the
  server process is started → the page clock's epoch time when the zones are
  drawn), and navigation → map drawn for the first and a second visitor;
* click a zone → panel painted, p50/p95 over ``--clicks`` clicks across the
  four zones after 4 warm-up clicks (bench/bench_app.py's ``click_series``),
  websocket bytes received per click (on the wire, through a counting
  relay, bench/wire.py: the websocket is compressed; and its messages
  decompressed, as DevTools reports them), the app's own run time per click;
* search (Search tab) for a common and a rare word: Enter → result count
  painted (in-page clock) and the app's script run time (ATLAS_PROFILE);
* add one document as a curator does (open the "Add a document" tab, sign
  in, choose the file) → "part of the corpus" message, and → found by the
  Search tab (the app's share, in the page's clock: upload → note painted +
  Search tab pressed → search box painted + Enter → hit painted; and the raw
  wall clock with Playwright's polling waits, as information), with a digest
  of every other document's rows before and after the add (must be equal);
* the server's RSS after start, after the first visitor, after the measured
  clicks, after 100 clicks in all; ingestion CPU includes the worker processes.

Budgets (issue 12) are judged on the largest N against N=1 of the same run.
Every server is on 127.0.0.1 and stopped on exit; every wait is bounded.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CURATOR, CURATOR_PASSWORD = "bench", "bench-scale curator password"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_app as ba
from bench.bench_store import COMMON, RARE, cpu_s, percentile, timed
from bench.gen_corpus import generate
from bench.wire import CountingProxy
from tests.server import CHROMIUM, CHROMIUM_ARGS, app_site

KB = 1024
WAIT_S = 60.0
RSS_CLICKS = 100   # clicks before the RSS figure (latency is summarised over the first --clicks only)
NEW_WORD = "quorvantine"   # in the added document only
NEW_DOC = (f"Aid workers in Douma said on Tuesday that the {NEW_WORD} shipment reached Eastern Ghouta.\n\n"
           "Residents of Harasta reported that the crossing stayed open for a second day.\n")

SEARCH_JS = r"""
(want) => {
  if (window.__search) { window.__search.down = window.__search.at = window.__search.paint = null; window.__search.want = want || ''; return; }
  const S = window.__search = {down: null, at: null, paint: null, want: want || ''};
  const now = () => performance.timeOrigin + performance.now();
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && S.down === null) S.down = performance.timeOrigin + e.timeStamp; }, true);
  const check = () => {
    if (S.down === null || S.at !== null) return;
    const el = document.querySelector('.atlas-search-count');
    if (el && el.offsetParent !== null && el.textContent.includes(S.want)) {
      S.at = now(); S.text = el.textContent; requestAnimationFrame(() => { S.paint = now(); });
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true});
}
"""


def log(msg: str) -> None:
    print(f"[{dt.datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the store


def others_digest(db: Path, exclude_word: str) -> dict[str, Any]:
    """A digest of every document's row and derived rows, leaving out the document containing
    ``exclude_word``: equal before and after an add = every other document untouched."""
    import hashlib
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        new = [r[0] for r in conn.execute("SELECT id FROM documents WHERE instr(text, ?) > 0", (exclude_word,))]
        skip = f"NOT IN ({','.join(str(i) for i in new) or '-1'})"  # NOT IN (NULL) would match nothing
        h = hashlib.sha256()
        n = {}
        for table, order in (("documents", "id"), ("passages", "id"), ("mentions", "id"), ("candidates", "id"),
                             ("zone_links", "zone, passage")):
            key = "id" if table == "documents" else "doc"
            rows = conn.execute(f"SELECT * FROM {table} WHERE {key} {skip} ORDER BY {order}").fetchall()
            n[table] = len(rows)
            h.update(f"{table}:{len(rows)}:{rows!r}".encode())
        return {"sha256": h.hexdigest(), "rows": n, "excluded_documents": len(new)}
    finally:
        conn.close()


def build_store(n: int, work: Path, repeat: int) -> dict[str, Any]:
    """N articles into ``work/uploads``, then the store built from seeds + uploads (timed)."""
    from components.auth import add_curator
    from components.ingest.places import default_place_index
    from components.ingest.zonelink import default_zone_linker
    from components.store import open_store
    from components.store.ingest import start_up
    from components.store.search import search

    uploads, db = work / "uploads", work / "atlas.db"
    total = generate(n, uploads, seed=1)
    seeds_bytes = sum(p.stat().st_size for p in (ROOT / "seeds").glob("*.txt"))
    default_place_index(), default_zone_linker()  # the gazetteer once, as a running server has it
    with open_store(db) as store:
        threads = threading.active_count()  # 1: the bulk ingester may fork its worker pool
        wall, cpu = time.perf_counter(), cpu_s()
        report = start_up(store, ROOT / "seeds", uploads)
        wall, cpu = time.perf_counter() - wall, cpu_s() - cpu
        added = report.count("added")
        again = time.perf_counter()
        second = start_up(store, ROOT / "seeds", uploads)
        again = time.perf_counter() - again
        add_curator(store, CURATOR, CURATOR_PASSWORD, replace=True)  # adding a document needs a signed-in curator
        hits = {w: search(store, w).total for w in (COMMON, RARE)}
        times = {w: timed(lambda w=w: search(store, w), repeat) for w in (COMMON, RARE)}
    mb = (total + seeds_bytes) / 1e6
    return {
        "documents": n, "mb": round(total / 1e6, 3), "mb_with_seeds": round(mb, 3), "added": added,
        "ingest_wall_s": round(wall, 3), "ingest_cpu_s": round(cpu, 3), "mb_per_s": round(mb / wall, 3),
        "cpu_s_per_mb": round(cpu / mb, 3), "threads_at_ingest": threads, "restart_sync_s": round(again, 3),
        "restart_ingested": len(second.results) - second.count("unchanged"),
        "search_store": {w: {"hits": hits[w], "p50_ms": round(statistics.median(times[w]) * 1e3, 2),
                             "p95_ms": round(percentile(times[w], 0.95) * 1e3, 2)} for w in (COMMON, RARE)},
    }


# --------------------------------------------------------------------------- the app


@contextlib.contextmanager
def app_env(work: Path):
    """ATLAS_* for the app on the temporary store (bench_app.launch copies os.environ)."""
    keys = {"ATLAS_UPLOADS": str(work / "uploads"), "ATLAS_DB": str(work / "atlas.db"), "ATLAS_DATA_ROOT": str(ROOT)}
    old = {k: os.environ.get(k) for k in keys}
    os.environ.update(keys)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def visit(browser, url: str) -> tuple[Any, Any, Any, dict[str, float]]:
    """A new visitor: page, recorder, map frame, and the drawn time (epoch ms and after navigation)."""
    page, rec = ba.new_page(browser)
    page.goto(url, wait_until="commit", timeout=int(WAIT_S * 1000))
    frame = ba.drawn_frame(page)
    drawn = frame.evaluate("() => window.__bench.drawn")
    origin = page.evaluate("() => window.__bench.origin")
    return page, rec, frame, {"drawn_epoch_ms": drawn, "drawn_ms": round(drawn - origin, 1)}


def search_once(page, rec, server, word: str) -> dict[str, Any]:
    """Type ``word``, press Enter: → result count painted (page clock); the app's run time."""
    box = page.get_by_role("textbox", name="Search all passages")
    box.fill("")
    box.press("Enter")   # no query: the count disappears (not timed)
    ba.wait_until(page, lambda: page.locator(".atlas-search-count").count() == 0, WAIT_S, "the search to clear")
    ba.wait_quiet(page, rec, 300)
    page.evaluate(SEARCH_JS, "")
    box.fill(word)
    wall0 = time.time()
    box.press("Enter")
    ba.wait_until(page, lambda: page.evaluate("() => window.__search.paint"), WAIT_S, f"results for {word!r}")
    ba.wait_quiet(page, rec, 300)
    s = page.evaluate("() => window.__search")
    runs = ba.inside_run_times(server, wall0, time.time())
    return {"word": word, "enter_to_results_ms": round(s["paint"] - s["down"], 1), "shown": s.get("text"),
            "server_run_ms": runs[-1] if runs else None}


def open_tab(page, rec, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    ba.wait_quiet(page, rec, 400)


ADD_JS = r"""
() => {
  // page clock (epoch ms): when "It is now part of the corpus" is first in the page and painted; when the
  // Search tab is pressed and its box is first shown and painted
  const A = window.__add = {added: null, added_paint: null, tab_down: null, box: null, box_paint: null};
  const now = () => performance.timeOrigin + performance.now();
  document.addEventListener('pointerdown', (e) => {
    const tab = e.target.closest && e.target.closest('[role="tab"]');
    if (tab && tab.textContent.includes('Search') && A.tab_down === null) A.tab_down = performance.timeOrigin + e.timeStamp;
  }, true);
  const check = () => {
    if (A.added === null && document.body.innerText.includes('It is now part of the corpus')) {
      A.added = now(); requestAnimationFrame(() => { A.added_paint = now(); });
    }
    if (A.tab_down !== null && A.box === null) {
      const box = document.querySelector('input[aria-label="Search all passages"]');
      if (box && box.offsetParent !== null) { A.box = now(); requestAnimationFrame(() => { A.box_paint = now(); }); }
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
}
"""


def add_document(page, rec, db: Path) -> dict[str, Any]:
    """Upload one article in the app, then find it in the Search tab.

    As a curator does it: open the "Add a document" tab, sign in, choose the file (not timed until
    here), then -- timed -- wait for "It is now part of the corpus", open the Search tab, search a
    word only the new article has. The app's share is measured in the page's clock: upload → that
    note painted, Search tab pressed → search box painted, Enter → "1 of 1" painted (Playwright's
    own waits poll every 100-500 ms, so the raw wall clock, kept as information, adds up to ~1 s
    that is not the app's). A digest of every other document's rows before and after says whether
    the add left them untouched."""
    before = others_digest(db, NEW_WORD)
    open_tab(page, rec, "Add a document")
    page.get_by_label("Curator name").fill(CURATOR)  # sign in (not timed)
    page.locator("input[type=password]").fill(CURATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for(timeout=int(WAIT_S * 1000))
    ba.wait_quiet(page, rec, 400)
    page.evaluate(ADD_JS)
    t0_ms = time.time() * 1000
    t0 = time.perf_counter()
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": f"{NEW_WORD}.txt", "mimeType": "text/plain", "buffer": NEW_DOC.encode()}])
    page.get_by_text("It is now part of the corpus").wait_for(timeout=int(WAIT_S * 1000))
    ba.wait_until(page, lambda: page.evaluate("() => window.__add.added_paint"), WAIT_S, "the note painted")
    page.get_by_role("tab", name="Search").click()
    box = page.get_by_role("textbox", name="Search all passages")
    box.wait_for(state="visible", timeout=int(WAIT_S * 1000))
    ba.wait_until(page, lambda: page.evaluate("() => window.__add.box_paint"), WAIT_S, "the search box painted")
    ba.wait_quiet(page, rec, 400)
    page.evaluate(SEARCH_JS, "of 1")
    box.fill(NEW_WORD)
    box.press("Enter")
    page.locator(".atlas-search-count", has_text="of 1").wait_for(timeout=int(WAIT_S * 1000))
    t_found = time.perf_counter()
    ba.wait_until(page, lambda: page.evaluate("() => window.__search.paint"), WAIT_S, "the new document's hit painted")
    s = page.evaluate("() => window.__search")
    a = page.evaluate("() => window.__add")
    after = others_digest(db, NEW_WORD)
    added_s = (a["added_paint"] - t0_ms) / 1000
    tab_s = (a["box_paint"] - a["tab_down"]) / 1000
    enter_s = (s["paint"] - s["down"]) / 1000
    return {"upload_to_added_s": round(added_s, 2), "tab_to_search_box_s": round(tab_s, 2),
            "enter_to_hit_ms": round(enter_s * 1000, 1),
            "upload_to_found_s": round(added_s + tab_s + enter_s, 2),
            "upload_to_found_wall_s": round(t_found - t0, 2),
            "others_unchanged": before["sha256"] == after["sha256"] and before["rows"] == after["rows"],
            "others_rows": after["rows"], "new_documents": after["excluded_documents"]}


def bench_app_on(browser, work: Path, clicks: int, searches: int, label: str) -> dict[str, Any]:
    out: dict[str, Any] = {"rss_kb": {}}
    site = app_site(ba.RESULTS / "app_site")
    with app_env(work):
        t_start = time.time()
        with ba.launch(site, label, profile=True, cwd=site.parent) as server, CountingProxy(server.url) as relay:
            out["server_healthy_s"] = round(time.time() - t_start, 2)
            out["rss_kb"]["after_start"] = ba.rss_kb(server.pid)
            page, rec, frame, first = visit(browser, relay.url)  # through the relay: bytes on the wire are counted
            rec.wire = lambda: relay.down
            try:
                out["start_to_map_first_ms"] = round(first["drawn_epoch_ms"] - t_start * 1000, 1)
                out["nav_to_map_first_ms"] = first["drawn_ms"]
                log(f"  {label}: start → map {out['start_to_map_first_ms']:.0f} ms (first visitor)")
                ba.wait_quiet(page, rec, 800)
                out["rss_kb"]["after_first_visitor"] = ba.rss_kb(server.pid)
                page2, _rec2, _f2, second = visit(browser, relay.url)
                page2.context.close()
                out["nav_to_map_second_ms"] = second["drawn_ms"]
                log(f"  {label}: second visitor: map after {second['drawn_ms']:.0f} ms")

                panel = lambda zid, name: ("h3", name)  # noqa: E731
                ba.click_series(page, frame, rec, len(ba.ZONE_ORDER), panel, log, f"{label} warm-up")
                wall0 = time.time()
                measured = ba.click_series(page, frame, rec, clicks, panel, log, label)
                ok = [c for c in measured if not c.get("missed")]
                out["clicks"] = {
                    "n": len(measured), "missed": len(measured) - len(ok),
                    "click_to_panel_ms": ba.summary([c["click_to_panel_ms"] for c in ok]),
                    "ws_bytes_received": ba.summary([c["ws_bytes_received"] for c in ok]),
                    "wire_bytes_received": ba.summary([c["wire_bytes_received"] for c in ok]),
                    "server_run_inside_ms": ba.summary(ba.inside_run_times(server, wall0, time.time())),
                    "raw": [{k: c.get(k) for k in ("zone", "click_to_panel_ms", "ws_bytes_received", "wire_bytes_received", "server_run_ms",
                                                   "map_zoom", "missed")} for c in measured],
                }
                c = out["clicks"]
                log(f"  {label}: click → panel p50 {c['click_to_panel_ms']['p50']} ms, "
                    f"bytes p50 {c['wire_bytes_received']['p50']} on the wire, {c['ws_bytes_received']['p50']} decompressed")
                out["rss_kb"]["after_clicks"] = ba.rss_kb(server.pid)
                more = max(0, RSS_CLICKS - len(ba.ZONE_ORDER) - clicks)
                extra = ba.click_series(page, frame, rec, more, panel, lambda *_: None, f"{label} RSS") if more else []
                out["rss_clicks"] = len(ba.ZONE_ORDER) + clicks + len(extra)
                out["rss_kb"]["after_100_clicks"] = ba.rss_kb(server.pid)
                log(f"  {label}: RSS after {out['rss_clicks']} clicks {out['rss_kb']['after_100_clicks'] / 1024:.0f} MB")

                open_tab(page, rec, "Search")
                runs = [search_once(page, rec, server, w) for _ in range(searches) for w in (COMMON, RARE)]
                out["search_app"] = {w: {"enter_to_results_ms": ba.summary([r["enter_to_results_ms"] for r in runs if r["word"] == w]),
                                         "server_run_ms": ba.summary([r["server_run_ms"] for r in runs if r["word"] == w]),
                                         "shown": next(r["shown"] for r in runs if r["word"] == w)}
                                     for w in (COMMON, RARE)}
                log(f"  {label}: search {out['search_app']}")
                out["add"] = add_document(page, rec, work / "atlas.db")
                log(f"  {label}: add {out['add']}")
                out["rss_kb"]["at_end"] = ba.rss_kb(server.pid)
            except Exception:
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(ba.RESULTS / f"failure-scale-{label}.png"))
                raise
            finally:
                with contextlib.suppress(Exception):
                    page.context.close()
    return out


# --------------------------------------------------------------------------- budgets and report


def _get(d: dict[str, Any], *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict) or d.get(p) is None:
            return None
        d = d[p]
    return d


def budgets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue 12's budgets, on the largest N against N=1 of this run."""
    base = next((r for r in rows if r["documents"] == 1 and "app" in r), None)
    big = max((r for r in rows if "app" in r), key=lambda r: r["documents"], default=None)
    if big is None:
        return []
    out = []

    def add(name, value, limit, unit, ok, note=""):
        out.append({"budget": name, "value": value, "limit": limit, "unit": unit,
                    "result": "info" if ok is None else ("PASS" if ok else "FAIL"), "note": note})

    def ratio(*path):
        v, b = _get(big, "app", *path), _get(base, "app", *path) if base else None
        return round(v / b, 2) if v is not None and b else None

    n = big["documents"]
    r = ratio("clicks", "click_to_panel_ms", "p50")
    add(f"click → panel p50 at N={n} vs N=1", r, 1.2, "×", None if r is None else r <= 1.2)
    r = ratio("start_to_map_first_ms")
    add(f"server start → map (first visitor) at N={n} vs N=1", r, 1.5, "×", None if r is None else r <= 1.5)
    v = _get(big, "app", "clicks", "wire_bytes_received", "max")
    add(f"bytes per click (max) on the wire at N={n}", None if v is None else round(v / KB, 1), 100, "KB",
        None if v is None else v <= 100 * KB)
    v = _get(big, "app", "clicks", "ws_bytes_received", "max")
    add(f"bytes per click (max), messages decompressed (info) at N={n}", None if v is None else round(v / KB, 1), 100,
        "KB", None)
    for w in (COMMON, RARE):
        v = _get(big, "store", "search_store", w, "p95_ms")
        add(f"search '{w}' p95, server-side search call, N={n}", v, 50, "ms", None if v is None else v <= 50)
    for w in (COMMON, RARE):
        v = _get(big, "app", "search_app", w, "server_run_ms", "p95")
        add(f"search '{w}' p95, whole app script run (info, not the budget), N={n}", v, 50, "ms", None,
            "the script run includes the map and panels")
    v = _get(big, "app", "add", "upload_to_found_s")
    add(f"upload → found in search at N={n} (app's share)", v, 2, "s", None if v is None else v <= 2)
    v = _get(big, "app", "add", "upload_to_found_wall_s")
    add(f"upload → found in search at N={n}, wall clock with Playwright's steps (info)", v, 2, "s", None)
    v = _get(big, "app", "add", "others_unchanged")
    add(f"every other document's rows unchanged by the add at N={n}", None if v is None else ("yes" if v else "no"), "yes", "", None if v is None else bool(v))
    rss = [x for x in (_get(big, "app", "rss_kb") or {}).values() if x]
    v = round(max(rss) / 1024, 1) if rss else None
    add(f"server RSS (max seen) at N={n}", v, 500, "MB", None if v is None else v <= 500)
    v = big["store"]["mb_per_s"]
    add(f"ingest throughput at N={n}", v, 1, "MB/s", v >= 1)
    cpus = [r["store"]["cpu_s_per_mb"] for r in rows if r["documents"] >= 100]
    if len(cpus) >= 2:
        v = round(max(cpus) / min(cpus), 2)
        add("ingest linear: CPU s/MB max/min over N ≥ 100", v, 1.5, "×", v <= 1.5)
    return out


def fmt(v: Any, nd: int = 0) -> str:
    if v is None:
        return "—"
    return f"{v:,.{nd}f}" if isinstance(v, (int, float)) else str(v)


def table(result: dict[str, Any]) -> str:
    head = ("| documents (MB) | ingest s (MB/s, CPU s/MB) | start → map, 1st visitor ms | 2nd visitor nav → map ms "
            "| click → panel p50/p95 ms | KB per click p50/max wire (decompressed) | search server call p95 ms common/rare "
            "| search app run p50 ms common/rare | Enter → results p50 ms common/rare | upload → added / found (wall) s "
            "| RSS MB start/14 clicks/100 clicks/end |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in result["rows"]:
        s, a = r["store"], r.get("app") or {}
        c = a.get("clicks") or {}
        sa = a.get("search_app") or {}
        rss = a.get("rss_kb") or {}
        mb = lambda k, rss=rss: fmt(rss[k] / 1024, 0) if rss.get(k) else "—"  # noqa: E731
        lines.append(
            f"| {r['documents']:,} ({s['mb']:.1f}) | {s['ingest_wall_s']:.1f} ({s['mb_per_s']:.2f}, {s['cpu_s_per_mb']:.2f}) "
            f"| {fmt(a.get('start_to_map_first_ms'))} | {fmt(a.get('nav_to_map_second_ms'))} "
            f"| {fmt(_get(c, 'click_to_panel_ms', 'p50'))} / {fmt(_get(c, 'click_to_panel_ms', 'p95'))} "
            f"| {fmt((_get(c, 'wire_bytes_received', 'p50') or 0) / KB, 1)} / {fmt((_get(c, 'wire_bytes_received', 'max') or 0) / KB, 1)} "
            f"({fmt((_get(c, 'ws_bytes_received', 'p50') or 0) / KB, 1)} / {fmt((_get(c, 'ws_bytes_received', 'max') or 0) / KB, 1)}) "
            f"| {fmt(s['search_store'][COMMON]['p95_ms'], 1)} / {fmt(s['search_store'][RARE]['p95_ms'], 1)} "
            f"| {fmt(_get(sa, COMMON, 'server_run_ms', 'p50'))} / {fmt(_get(sa, RARE, 'server_run_ms', 'p50'))} "
            f"| {fmt(_get(sa, COMMON, 'enter_to_results_ms', 'p50'))} / {fmt(_get(sa, RARE, 'enter_to_results_ms', 'p50'))} "
            f"| {fmt(_get(a, 'add', 'upload_to_added_s'), 2)} / {fmt(_get(a, 'add', 'upload_to_found_s'), 2)} "
            f"({fmt(_get(a, 'add', 'upload_to_found_wall_s'), 2)}) "
            f"| {mb('after_start')} / {mb('after_clicks')} / {mb('after_100_clicks')} / {mb('at_end')} |")
    lines.append("")
    lines.append("| budget | value | limit | result |")
    lines.append("|---|---|---|---|")
    for b in result["budgets"]:
        lines.append(f"| {b['budget']} | {fmt(b['value'], 2)} {b['unit']} | {b['limit']} {b['unit']} | {b['result']} |")
    g = result.get("git") or {}
    lines.append("")
    lines.append(f"commit {g.get('head')} ({g.get('modified_files')} modified files), load average "
                 f"{result.get('loadavg_start')} at start, {result.get('loadavg_end')} at end, "
                 f"{result.get('elapsed_s')} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1000, 5000])
    ap.add_argument("--quick", action="store_true", help="N = 1 and 100 only")
    ap.add_argument("--clicks", type=int, default=10, help="measured clicks per N (after 4 warm-up clicks)")
    ap.add_argument("--searches", type=int, default=3, help="searches per word per N")
    ap.add_argument("--repeat", type=int, default=20, help="in-process search calls per word per N")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    ap.add_argument("--keep", type=Path, help="keep corpora and stores in this folder (default: a temporary one)")
    ap.add_argument("--only-ingest", action="store_true", help="build the stores (ingestion, search calls) only; no app, no browser")
    args = ap.parse_args(argv)
    sizes = [1, 100] if args.quick else sorted(set(args.sizes))
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    result: dict[str, Any] = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                              "machine": ba.machine(), "git": ba.git_state(), "loadavg_start": ba.loadavg(),
                              "config": {"sizes": sizes, "clicks": args.clicks, "searches": args.searches,
                                         "repeat": args.repeat, "words": [COMMON, RARE]},
                              "rows": []}
    base = args.keep or Path(tempfile.mkdtemp(prefix="atlas-scale-"))
    try:
        # Every store is built before Playwright starts: its sync API runs an asyncio child watcher thread
        # ("asyncio-waitpid-0"), and the bulk ingester forks its worker pool only from a single-threaded
        # process -- built inside ``sync_playwright()`` the pipeline ran in this process alone (half the speed).
        for n in sizes:
            work = base / f"n{n}"
            shutil.rmtree(work, ignore_errors=True)
            log(f"N={n}: generating and building the store")
            row: dict[str, Any] = {"documents": n, "loadavg": ba.loadavg()}
            row["store"] = build_store(n, work, args.repeat)
            row["loadavg_after_ingest"] = ba.loadavg()
            log(f"N={n}: ingest {row['store']['ingest_wall_s']} s, {row['store']['mb_per_s']} MB/s, "
                f"{row['store']['cpu_s_per_mb']} CPU s/MB, {row['store']['threads_at_ingest']} thread(s)")
            result["rows"].append(row)
        if not args.only_ingest:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    for row in result["rows"]:
                        n = row["documents"]
                        try:
                            row["app"] = bench_app_on(browser, base / f"n{n}", args.clicks, args.searches, f"scale-{n}")
                        except Exception as exc:  # keep the other sizes' figures
                            row["app_error"] = f"{type(exc).__name__}: {exc}"
                            log(f"N={n}: app part failed: {row['app_error']}")
                finally:
                    browser.close()
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    result["loadavg_end"] = ba.loadavg()
    result["elapsed_s"] = round(time.monotonic() - started, 1)
    result["budgets"] = budgets(result["rows"])
    text = table(result)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".txt").write_text(text + "\n", encoding="utf-8")
    partial = args.out.with_name(args.out.name + ".part")  # never a half-written JSON
    partial.write_text(json.dumps(result, indent=2), encoding="utf-8")
    partial.replace(args.out)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    except Exception:  # a traceback is the useful output of a failed benchmark
        traceback.print_exc()
        code = 1
    sys.exit(code)
