"""End-to-end: the real app in a real Chromium, clicking the real map."""
from __future__ import annotations

import time

import playwright.sync_api as playwright_sync  # in requirements.txt: when missing these tests fail, never skip
import pytest

from tests.browser import artifacts_dir, click_zone, map_frame, open_app, open_tab, wait_idle, wait_settled, zone_names
from tests.curators import sign_in_page
from tests.server import CHROMIUM, CHROMIUM_ARGS, ROOT, run_app

SEED_TEXT = (ROOT / "seeds" / "000_6a7ef684703209c4.txt").read_bytes().decode("utf-8")
PANEL_TIMEOUT_MS = 15_000
INGEST_TIMEOUT_MS = 180_000  # an upload is ingested by a worker process (issue 17): it starts, then runs the pipeline


@pytest.fixture(scope="module")
def server():
    artifacts_dir()
    with run_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def panel_heading(page, name: str):
    return page.get_by_role("heading", name=name, exact=True)


def marks_in_page(page) -> list[str]:
    return page.locator("mark").all_inner_texts()


OUTLINED_JS = """() => Object.values(window.map._layers).filter(l => l.feature && l._path && l.options.interactive !== false
    && l._path.getAttribute('stroke') === '#000000').map(l => l.feature.properties.id).sort()"""


def wait_outlined(frame, zone_ids: list[str]) -> None:
    """Wait until exactly these zones carry the black selection outline on the map."""
    frame.wait_for_function(f"(want) => JSON.stringify(({OUTLINED_JS})()) === JSON.stringify(want)",
                            arg=sorted(zone_ids), timeout=PANEL_TIMEOUT_MS)


@pytest.mark.parametrize("zone_id", ["idlib", "north-homs", "eastern-ghouta", "south"])
def test_click_each_zone_on_the_map_shows_its_facts(server, browser, zone_id: str) -> None:
    page, traffic = open_app(browser, server)
    frame = map_frame(page)
    name = zone_names()[zone_id]
    click_zone(page, frame, zone_id)
    panel_heading(page, name).wait_for(timeout=PANEL_TIMEOUT_MS)
    frame.wait_for_function("""(zoneId) => Object.values(window.map._layers).some(l => l.feature && l.feature.properties.id === zoneId
        && l._path && l.options.interactive !== false && l._path.getAttribute('stroke') === '#000000')""", arg=zone_id, timeout=PANEL_TIMEOUT_MS)
    facts = page.locator("div.atlas-fact, div.atlas-conflict")
    assert facts.count() >= 5
    marks = marks_in_page(page)
    assert marks and all(m in SEED_TEXT for m in marks), [m for m in marks if m not in SEED_TEXT]
    page.wait_for_url(f"**zone={zone_id}", timeout=PANEL_TIMEOUT_MS)
    page.screenshot(path=str(artifacts_dir() / f"zone-{zone_id}.png"), full_page=False)
    assert traffic.outside_hosts() == []
    assert traffic.http_errors == []  # every asset the map needs is served (no 404 for marker images)
    page.context.close()


def test_north_homs_panel_shows_the_numbers_with_citations(server, browser) -> None:
    page, _traffic = open_app(browser, server, "/?zone=north-homs")
    panel_heading(page, zone_names()["north-homs"]).wait_for(timeout=PANEL_TIMEOUT_MS)
    settlements = page.locator('div[data-fact="north-homs.settlements"]')
    assert "84 settlements" in settlements.inner_text()
    assert settlements.locator("mark.atlas-cited").all_inner_texts() == ["84 settlements"]  # the cited span, in its sentence
    population = page.locator('div[data-fact="north-homs.population"]')
    assert "more than 147,000 people" in population.inner_text()
    assert "84 settlements" in marks_in_page(page)
    page.context.close()


def test_pan_and_zoom_send_no_rerun(server, browser) -> None:
    page, traffic = open_app(browser, server)
    frame = map_frame(page)
    wait_settled(frame)  # the first render and the map's fit to the zones have run
    wait_idle(page)  # ...and the tabs' follow-up rerun: its frame is not the map's
    t0 = time.monotonic()
    box = frame.locator("#map_div").bounding_box()
    x, y = box["x"] + 100, box["y"] + 100  # frame coordinates
    map_div = frame.locator("#map_div")
    map_div.hover(position={"x": 60, "y": 60})
    page.mouse.down()
    page.mouse.move(x + 200, y + 120, steps=8)
    page.mouse.up()
    frame.evaluate("() => window.map.zoomIn()")
    page.wait_for_timeout(400)
    frame.evaluate("() => window.map.zoomOut()")
    page.wait_for_timeout(1200)
    assert traffic.frames_since(t0) == 0
    page.context.close()


def test_zone_click_sends_exactly_one_rerun(server, browser) -> None:
    page, traffic = open_app(browser, server)
    frame = map_frame(page)
    wait_idle(page)  # the page's own reruns (the tabs' follow-up) are over: only the click's is counted
    t0 = time.monotonic()
    click_zone(page, frame, "south")
    panel_heading(page, zone_names()["south"]).wait_for(timeout=PANEL_TIMEOUT_MS)
    page.wait_for_timeout(1000)
    assert traffic.frames_since(t0) == 1
    page.context.close()


def test_unknown_zone_in_link_is_friendly(server, browser) -> None:
    page, _traffic = open_app(browser, server, "/?zone=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E")
    map_frame(page)
    page.get_by_text("No zone called").wait_for(timeout=PANEL_TIMEOUT_MS)
    assert "<script>window.pwned=1</script>" in page.get_by_text("No zone called").inner_text()
    assert page.evaluate("() => window.pwned === undefined")
    page.context.close()


def test_zone_list_selects_without_the_map(server, browser) -> None:
    page, _traffic = open_app(browser, server, "/?zone=idlib")
    frame = map_frame(page)
    wait_outlined(frame, ["idlib"])  # the permalink's zone is outlined when the map is first drawn
    wait_idle(page)
    page.locator('[data-testid="stRadio"] label').filter(has_text=zone_names()["eastern-ghouta"]).click()
    panel_heading(page, zone_names()["eastern-ghouta"]).wait_for(timeout=PANEL_TIMEOUT_MS)
    wait_outlined(frame, ["eastern-ghouta"])  # the map follows a selection made elsewhere, and drops the old one
    page.wait_for_url("**zone=eastern-ghouta", timeout=PANEL_TIMEOUT_MS)
    page.locator('[data-testid="stRadio"] label').filter(has_text="No zone selected").click()
    wait_outlined(frame, [])
    page.context.close()


def test_passage_button_selects_the_zones_it_supports(server, browser) -> None:
    page, _traffic = open_app(browser, server)
    map_frame(page)
    open_tab(page, "Read a document")
    page.wait_for_url("**tab=Read+a+document**", timeout=PANEL_TIMEOUT_MS)  # the open tab is in the permalink
    button = page.get_by_role("button", name=f"Select the zones this passage supports: {zone_names()['north-homs']}", exact=True).first
    button.click()
    panel_heading(page, zone_names()["north-homs"]).wait_for(timeout=PANEL_TIMEOUT_MS)
    # the permalink keeps the open tab next to the new zone
    page.wait_for_url(lambda u: "tab=Read+a+document" in u and "zone=north-homs" in u, timeout=PANEL_TIMEOUT_MS)
    page.context.close()


def test_zone_list_works_from_the_keyboard(server, browser) -> None:
    page, _traffic = open_app(browser, server)
    map_frame(page)
    wait_idle(page)  # focus given to a radio a run then redraws is lost with it
    first = page.get_by_role("radio", name="No zone selected")
    first.focus()
    page.keyboard.press("ArrowDown")  # radio groups move selection with the arrow keys
    panel_heading(page, zone_names()["idlib"]).wait_for(timeout=PANEL_TIMEOUT_MS)
    page.context.close()


def test_choosing_a_fact_brings_its_passage_into_view(server, browser) -> None:
    page, _traffic = open_app(browser, server, "/?zone=north-homs")
    panel_heading(page, zone_names()["north-homs"]).wait_for(timeout=PANEL_TIMEOUT_MS)
    fact = page.locator('div[data-fact="north-homs.military-police"]')
    link = fact.get_by_role("link", name="show passage")
    target_id = link.get_attribute("href").lstrip("#")
    passage = page.locator(f'[id="{target_id}"]')
    assert "military police" in passage.inner_text()
    pages_before = len(page.context.pages)
    playwright_sync.expect(passage).not_to_be_in_viewport()  # far below the facts list at first
    link.click()
    playwright_sync.expect(passage).to_be_in_viewport(timeout=5_000)
    assert len(page.context.pages) == pages_before  # same tab, no navigation away
    assert passage.locator("mark").count() >= 1
    page.context.close()


def fill_colours(frame) -> list[str]:
    return frame.evaluate("() => Array.from(document.querySelectorAll('path')).map(p => (p.getAttribute('fill') || '').toUpperCase())")


def test_moving_the_date_restyles_zones_and_the_as_of_text(server, browser) -> None:
    page, _traffic = open_app(browser, server, "/?zone=south")
    frame = map_frame(page)
    page.get_by_text("As of 6 August 2017").first.wait_for(timeout=PANEL_TIMEOUT_MS)
    operating = "#009E73"
    operating_paths = f"Array.from(document.querySelectorAll('path')).filter(p => (p.getAttribute('fill')||'').toUpperCase() === '{operating}')"
    frame.wait_for_function(f"() => {operating_paths}.length >= 2")
    wait_idle(page)
    slider = page.get_by_role("slider")
    slider.focus()
    page.keyboard.press("Home")  # move to the first day of the timeline: 1 May 2017
    page.get_by_text("As of 1 May 2017").first.wait_for(timeout=PANEL_TIMEOUT_MS)
    frame.wait_for_function(f"() => {operating_paths}.length === 0", timeout=PANEL_TIMEOUT_MS)
    assert "#999999" in fill_colours(frame)  # not yet agreed
    page.wait_for_url("**date=2017-05-01**", timeout=PANEL_TIMEOUT_MS)
    page.context.close()


PLACE_POINT_JS = """(placeId) => {
  const l = Object.values(window.map._layers).find(l => l.feature && l.feature.properties && l.feature.properties.id === placeId && l.getLatLng);
  if (!l) return null;
  const p = window.map.latLngToContainerPoint(l.getLatLng());
  return {x: p.x, y: p.y};
}"""


def test_clicking_a_place_marker_lists_the_passages_that_mention_it(server, browser) -> None:
    page, _traffic = open_app(browser, server)
    frame = map_frame(page)
    frame.wait_for_function("() => Object.values(window.map._layers).some(l => l.feature && String(l.feature.properties.id).startsWith('place:'))")
    wait_settled(frame)
    point = frame.evaluate(PLACE_POINT_JS, "place:geonames:169577")  # Homs
    assert point is not None
    frame.locator("#map_div").click(position=point)
    page.get_by_role("heading", name="Passages mentioning Homs").wait_for(timeout=PANEL_TIMEOUT_MS)
    hits = page.locator("div.atlas-place-hits mark").all_inner_texts()
    assert hits and all("Homs" in h for h in hits)
    page.context.close()


HOSTILE = """Hostile test article about Idlib province
<script>window.__pwned_script = 1</script> in Idlib province.
<img src=x onerror="window.__pwned_img = 1"> near Douma in East Ghouta.
<a href="javascript:window.__pwned_link = 1">click</a> and </mark><b>bold</b> after a broken mark.
\u202eRTL override\u202c text about Daraa and Quneitra provinces.
<div title="Eastern Ghouta"><svg onload="window.__pwned_svg = 1"></svg></div>
"""


def test_hostile_upload_is_shown_literally_and_runs_nothing(browser, tmp_path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    with run_app({"ATLAS_UPLOADS": str(uploads)}) as url:
        page, traffic = open_app(browser, url)
        map_frame(page)
        open_tab(page, "Add a document")
        sign_in_page(page)
        page.locator('input[type="file"]').set_input_files(
            files=[{"name": "../../evil<script>.txt", "mimeType": "text/plain", "buffer": HOSTILE.encode("utf-8")}])
        page.get_by_text("It is now part of the corpus").wait_for(timeout=INGEST_TIMEOUT_MS)
        stored = list(uploads.iterdir())
        assert [p.name for p in stored] == ["evil-script.txt"] and stored[0].read_text(encoding="utf-8") == HOSTILE
        # the map drawn for the new corpus still gets its status colours from the page
        map_frame(page).wait_for_function(
            "() => Array.from(document.querySelectorAll('path')).some(p => (p.getAttribute('fill') || '').toUpperCase() === '#009E73')",
            timeout=PANEL_TIMEOUT_MS)
        open_tab(page, "Search")
        page.get_by_role("textbox", name="Search all passages").wait_for(timeout=PANEL_TIMEOUT_MS)
        wait_idle(page)  # the tab's run is over: the words typed are not lost with a redrawn box
        page.get_by_role("textbox", name="Search all passages").fill("pwned")
        page.get_by_role("textbox", name="Search all passages").press("Enter")
        page.get_by_text("results 1–").wait_for(timeout=PANEL_TIMEOUT_MS)
        shown = page.locator("div.atlas-search-hits").all_inner_texts()
        joined = "\n".join(shown)
        assert "<script>window.__pwned_script = 1</script>" in joined
        assert '<img src=x onerror="window.__pwned_img = 1">' in joined
        marks = page.locator("div.atlas-search-hits mark").all_inner_texts()
        assert marks and all(m.lower() == "pwned" for m in marks)
        page.wait_for_timeout(500)
        flags = page.evaluate("() => [window.__pwned_script, window.__pwned_img, window.__pwned_link, window.__pwned_svg]")
        assert flags == [None, None, None, None]
        assert page.locator("div.atlas-search-hits script, div.atlas-search-hits img, div.atlas-search-hits svg").count() == 0
        assert traffic.outside_hosts() == []
        page.context.close()


ARTICLE = ("Quzzlewick convoy report\n\nShelling hit Nawa in the southern de-escalation zone on Thursday, residents said. "
           "The Quzzlewick convoy reached the town.")


def add_file(page, name: str, data: bytes) -> None:
    page.locator('input[type="file"]').set_input_files(files=[{"name": name, "mimeType": "text/plain", "buffer": data}])


def test_add_duplicate_search_reader_and_remove_in_the_browser(browser, tmp_path) -> None:
    """The corpus store end to end: an added article is found by search and opens in the reader at the
    hit; the same bytes again are refused; removing (after confirming) takes it out of search."""
    uploads = tmp_path / "uploads"
    with run_app({"ATLAS_UPLOADS": str(uploads)}) as url:
        page, _traffic = open_app(browser, url, "/?tab=Add+a+document")
        map_frame(page)
        sign_in_page(page)
        page.get_by_role("textbox", name="Publisher").fill("Test Wire")
        add_file(page, "quzzlewick.txt", ARTICLE.encode())
        page.get_by_text("It is now part of the corpus").wait_for(timeout=INGEST_TIMEOUT_MS)
        page.get_by_text("zones: Southern de-escalation zone").wait_for(timeout=PANEL_TIMEOUT_MS)
        wait_idle(page)  # the full rerun that showed it is over: the uploader is not being redrawn
        add_file(page, "again.txt", ARTICLE.encode())
        page.get_by_text("already in the corpus as quzzlewick").wait_for(timeout=PANEL_TIMEOUT_MS)
        assert sorted(p.name for p in uploads.iterdir()) == ["quzzlewick.txt"]

        open_tab(page, "Search")
        box = page.get_by_role("textbox", name="Search all passages")
        box.wait_for(timeout=PANEL_TIMEOUT_MS)
        wait_idle(page)
        box.fill("quzzlewick")
        box.press("Enter")
        page.get_by_text("results 1–2 of 2").wait_for(timeout=PANEL_TIMEOUT_MS)
        marks = page.locator("div.atlas-search-hits mark").all_inner_texts()
        assert marks and all(m.lower() == "quzzlewick" for m in marks)
        page.get_by_role("button", name="Open in the reader").last.click()
        target = page.locator("p.atlas-target")
        target.wait_for(timeout=PANEL_TIMEOUT_MS)
        assert "Quzzlewick" in target.inner_text()
        assert "tab=Read" in page.url

        open_tab(page, "Add a document")
        remove = page.get_by_role("button", name="Remove")
        remove.wait_for(timeout=PANEL_TIMEOUT_MS)
        assert remove.is_disabled()
        page.get_by_text("Yes, remove this document and its file").click()
        page.wait_for_function("() => Array.from(document.querySelectorAll('button')).some("
                               "b => b.innerText.trim() === 'Remove' && !b.disabled)", timeout=PANEL_TIMEOUT_MS)
        page.get_by_role("button", name="Remove").click()
        page.get_by_text("Removed: removed quzzlewick").wait_for(timeout=PANEL_TIMEOUT_MS)
        assert list(uploads.iterdir()) == []
        open_tab(page, "Search")
        page.get_by_text("no results").wait_for(timeout=PANEL_TIMEOUT_MS)
        page.context.close()


DROP_JS = """(name) => {
  const data = new DataTransfer();
  data.items.add(new File(["Shelling near Idlib.\\n"], name, {type: "text/plain"}));
  const zone = document.querySelector('[data-testid="stFileUploaderDropzone"]');
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
  }
}"""


def test_a_file_name_too_long_to_upload_gets_a_clear_message(browser, tmp_path) -> None:
    """Issue 17: a 5,000-character name broke Streamlit's upload endpoint (python-multipart's header limit:
    HTTP 400, "AxiosError: Request failed with status code 400"). It is refused in the page, by picker or by
    drag and drop, with its length; nothing is sent or stored; a normal name afterwards is added."""
    uploads = tmp_path / "uploads"
    with run_app({"ATLAS_UPLOADS": str(uploads)}) as url:
        page, traffic = open_app(browser, url, "/?tab=Add+a+document")
        sign_in_page(page)  # uploads are for curators (issue 13)
        page.get_by_text("Documents added here").wait_for(timeout=PANEL_TIMEOUT_MS)
        alert = page.locator(".atlas-upload-name-error")
        add_file(page, "a" * 5000 + ".txt", b"Shelling near Idlib.\n")
        alert.wait_for(timeout=PANEL_TIMEOUT_MS)
        assert alert.inner_text() == ("Not added: the file name is 5,004 characters long; at most 255 are accepted. "
                                      "Rename the file and choose it again.")
        page.evaluate(DROP_JS, "é" * 300 + ".txt")
        page.wait_for_function("() => document.querySelector('.atlas-upload-name-error').textContent.includes('304 characters')",
                               timeout=PANEL_TIMEOUT_MS)
        page.wait_for_timeout(1500)  # an upload, had one started, would have answered by now
        assert not [u for u in traffic.urls if "/_stcore/upload_file/" in u]
        assert "AxiosError" not in page.locator("body").inner_text() and not traffic.http_errors
        assert not uploads.exists() or list(uploads.iterdir()) == []
        add_file(page, "b" * 250 + ".txt", ARTICLE.encode())  # long, but a name a file system allows
        page.get_by_text("It is now part of the corpus").wait_for(timeout=INGEST_TIMEOUT_MS)
        assert alert.count() == 0
        assert [p.name for p in uploads.iterdir()] == ["b" * 80 + ".txt"]
        page.context.close()


def test_the_websocket_is_compressed_for_readers_on_slow_connections(server, browser) -> None:
    """.streamlit/config.toml turns on permessage-deflate: the page's websocket negotiates it, so a zone
    click's panel (~95 KB of HTML messages) crosses the network as ~25 KB (bench/bench_scale.py counts both)."""
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    handshakes: list[str] = []
    cdp.on("Network.webSocketHandshakeResponseReceived", lambda e: handshakes.append(
        {k.lower(): v for k, v in e["response"]["headers"].items()}.get("sec-websocket-extensions", "")))
    cdp.send("Network.enable")
    try:
        page.goto(server)
        deadline = time.monotonic() + PANEL_TIMEOUT_MS / 1000
        while not handshakes and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert handshakes, "the page opened no websocket"
        assert "permessage-deflate" in handshakes[0], handshakes
    finally:
        context.close()
