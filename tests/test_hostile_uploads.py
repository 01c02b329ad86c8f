"""Issue 17's reproductions in the real app and a real Chromium: one upload must not take the atlas down.

The two uploads of the issue -- 100,000 numbered lines naming Idlib (1.19 MB) and one 1 MB line
repeating "Idlib Homs <b>x</b> 84 settlements" -- are added through the app's uploader into a store
of this test's own (ATLAS_DB, ATLAS_UPLOADS under tmp_path). Then a fresh visitor gets the map,
``/?zone=idlib`` renders the panel, and the reader opens each document at a search hit. The timeouts
are generous: the test checks that each step completes (it did not, or took minutes, before), not
how fast; bench/bench_hostile.py measures the time against the same app without the uploads.
"""
from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import playwright.sync_api as playwright_sync  # in requirements.txt: when missing these tests fail, never skip
import pytest

from components.ingest import limits
from tests.browser import artifacts_dir, map_frame, open_app, wait_idle, zone_names
from tests.curators import make_curator, sign_in_page
from tests.server import CHROMIUM, CHROMIUM_ARGS, sealed_app, serve

HOSTILE_SERVER: dict[str, int] = {}
STEP_MS = 240_000  # generous: completion, not speed
LINES = "".join(f"{i} Idlib\n" for i in range(100_000))
ONE_LINE = ("Idlib Homs <b>x</b> 84 settlements " * 40_000)[:1_000_000]


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def hostile_app(browser, tmp_path_factory):
    """The app on a store of its own, with both uploads added through the uploader."""
    artifacts_dir()
    root = tmp_path_factory.mktemp("hostile-app")
    env = dict(os.environ, ATLAS_TILES="none", ATLAS_UPLOADS=str(root / "uploads"), ATLAS_DB=str(root / "atlas.db"))
    script = sealed_app()
    make_curator(db=root / "atlas.db")  # uploads are for curators (issue 13): an account in this app's own store
    with serve(script, env, subprocess.DEVNULL, cwd=script.parent) as (url, proc):
        HOSTILE_SERVER["pid"] = proc.pid
        page, _traffic = open_app(browser, url, "/?tab=Add+a+document")
        map_frame(page, timeout_s=STEP_MS / 1000)
        sign_in_page(page)
        confirmations = []
        for name, text in (("lines.txt", LINES), ("oneline.txt", ONE_LINE)):
            page.locator('input[type="file"]').set_input_files(
                files=[{"name": name, "mimeType": "text/plain", "buffer": text.encode("utf-8")}])
            page.get_by_text(f"Added “{name}”").wait_for(timeout=STEP_MS)
            note = page.get_by_text("Over the per-document limits")
            note.wait_for(timeout=STEP_MS)
            confirmations.append(note.inner_text())
            wait_idle(page, timeout_ms=STEP_MS)  # the full rerun that showed it is over: the uploader is not being redrawn
        page.context.close()
        yield url, confirmations, root


def test_uploads_are_confirmed_with_what_the_limits_dropped(hostile_app) -> None:
    _url, (lines, one_line), root = hostile_app
    assert f"kept the first {limits.MAX_PASSAGES:,} of 100,000 passages" in lines
    assert f"kept the first {limits.MAX_MARKS_PER_PASSAGE:,} in each" in one_line
    stored = sorted(p.name for p in (root / "uploads").iterdir())
    assert stored == ["lines.txt", "oneline.txt"]  # both stored whole
    assert (root / "uploads" / "lines.txt").read_text(encoding="utf-8") == LINES


def test_a_fresh_visitor_gets_the_map_and_the_idlib_panel(hostile_app, browser) -> None:
    url = hostile_app[0]
    page, _traffic = open_app(browser, url)
    map_frame(page, timeout_s=STEP_MS / 1000)
    page.context.close()
    page, _traffic = open_app(browser, url, "/?zone=idlib")
    page.get_by_role("heading", name=zone_names()["idlib"], exact=True).wait_for(timeout=STEP_MS)
    linked = page.get_by_role("heading", name="All passages linked to this zone", exact=False)
    linked.wait_for(timeout=STEP_MS)
    page.get_by_text("more characters (open the document in the reader)").first.wait_for(timeout=STEP_MS)
    heading = linked.inner_text().replace(",", "")
    assert int(heading.split("(")[1].split(" passages")[0]) > limits.MAX_PASSAGES  # the uploads are linked
    shown = page.locator("div.atlas-linked p.atlas-passage").all_inner_texts()
    assert 0 < len(shown) <= 10 and max(len(t) for t in shown) < 2_000  # one page; a 1 MB passage is a prefix
    page.context.close()


@pytest.mark.parametrize(("query", "passage_text"), [("9999 idlib", "9999 Idlib"), ("</b> 84 settlements", "<b>x</b> 84 settlements")])
def test_the_reader_opens_each_document_at_a_hit(hostile_app, browser, query: str, passage_text: str) -> None:
    url = hostile_app[0]
    page, _traffic = open_app(browser, url, "/?tab=Search")
    map_frame(page, timeout_s=STEP_MS / 1000)
    box = page.get_by_role("textbox", name="Search all passages")
    box.wait_for(timeout=STEP_MS)
    wait_idle(page, timeout_ms=STEP_MS)  # words typed while the page's runs redraw the box are lost with it
    box.fill(query)
    box.press("Enter")
    page.get_by_text("results 1–1 of 1").wait_for(timeout=STEP_MS)
    page.get_by_role("button", name="Open in the reader").first.click()
    target = page.locator("p.atlas-target")
    target.wait_for(timeout=STEP_MS)
    assert passage_text in target.inner_text()
    assert page.locator("p.atlas-passage").count() <= 61  # one bounded window, not the whole document
    page.get_by_text(re.compile(r"^characters [\d,]+–[\d,]+ of [\d,]+$")).first.wait_for(timeout=STEP_MS)  # and it pages on
    page.context.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_a_run_whose_browser_left_stops(hostile_app, browser) -> None:
    """The issue's second reproduction: ``/?zone=idlib`` on the 1 MB upload, then the browser leaves.
    Streamlit 1.67 asks the run to stop when its websocket closes (``request_script_stop`` in
    ``WebsocketSessionManager.disconnect_session``), which takes effect at the run's next Streamlit
    call; with every step bounded, the server is idle again within seconds instead of burning CPU."""
    url, pid = hostile_app[0], HOSTILE_SERVER["pid"]
    for _ in range(3):
        page, _traffic = open_app(browser, url, "/?zone=idlib")
        page.wait_for_timeout(400)  # the run has started; leave before it is done
        page.context.close()
    time.sleep(3)
    before = cpu_seconds(pid)
    time.sleep(5)
    assert cpu_seconds(pid) - before < 1.0, "the server kept working after its browsers left"
