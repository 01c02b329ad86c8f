"""Issue 15 end to end, at 1440×900 and on a phone (390×844, 360 px): the map stays in view, fits the
selection, labels its zones; Back/Forward; axe-core (axe-playwright-python) on every view and tab,
inside the map's frame too; keyboard paths; one tap selects; no sideways scroll; a screenshot of
every view at both sizes in artifacts/."""
from __future__ import annotations

import json
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from shapely.geometry import Point, box, shape

from components.mapbuild import MAX_BOUNDS, MIN_ZOOM, STATUS_STYLE
from components.panels import STATUS_LABELS
from tests.browser import artifacts_dir, map_frame, wait_idle, wait_settled, watch, zone_names, zone_point
from tests.server import ROOT
from tests.test_browser import browser, server  # the same module-scoped fixtures: a server and a Chromium for this module

__all__ = ["browser", "server"]

TIMEOUT_MS = 30_000
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 360, "height": 740}
TABS = ["All zones", "Timeline", "Where the sources disagree", "Search", "Read a document", "Add a document",
        "Review", "Sources and downloads"]
AXE = Axe()
SERIOUS = ("serious", "critical")


def new_page(browser, size: dict[str, int]):
    phone = size["width"] < 600
    context = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    return page, watch(page)


def settled(page) -> None:
    """The map drawn and the page's script runs over, the tabs' follow-up rerun included (no element left
    stale from a previous run, none about to be redrawn)."""
    map_frame(page)
    wait_idle(page, timeout_ms=TIMEOUT_MS)


def open_view(page, base: str, query: str) -> None:
    page.goto(f"{base}/{query}")
    settled(page)


def axe_problems(page) -> tuple[list[str], list[str]]:
    """axe-core in the page and in every frame (the map's too): serious or critical violations, and the
    frames it ran in."""
    problems, checked = [], []
    for frame in page.frames:
        if frame.url in ("", "about:blank"):
            continue
        frame.evaluate(AXE.axe_script)
        found = frame.evaluate("axe.run(document, {resultTypes: ['violations'], iframes: false})"
                               ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, "
                               "nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))")
        checked.append(frame.url)
        problems += [f"{frame.url}: {v['id']} ({v['impact']}) {v['nodes']}" for v in found if v["impact"] in SERIOUS]
    return problems, checked


def views() -> list[tuple[str, str]]:
    """(name, query): the opening view, each zone selected, and each tab (with a zone selected, the longest panel)."""
    out = [("start", ""), *[(f"zone-{z}", f"?zone={z}") for z in zone_names()]]
    out += [(f"tab-{t.lower().replace(' ', '-')}", f"?zone=north-homs&tab={t.replace(' ', '+')}") for t in TABS]
    return out


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
def test_axe_finds_nothing_serious_on_any_view_and_a_screenshot_of_each(server, browser, size) -> None:
    page, traffic = new_page(browser, size)
    problems: dict[str, list[str]] = {}
    for name, query in views():
        open_view(page, server, query)
        if "tab=" in query:
            tab = query.split("tab=")[1].replace("+", " ")
            assert page.get_by_role("tab", name=tab, exact=True).get_attribute("aria-selected") == "true", name
        found, checked = axe_problems(page)
        assert any("streamlit_folium" in url for url in checked), checked  # the map's own document was checked
        if found:
            problems[name] = found
        if "tab=" in query:  # the open tab in the picture (the page scrolls inside Streamlit's main element)
            page.get_by_role("tab", name=tab, exact=True).evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(300)
        page.screenshot(path=str(artifacts_dir() / f"view-{name}-{size['width']}x{size['height']}.png"))
    assert problems == {}
    assert traffic.http_errors == []
    page.context.close()


def test_side_panel_scrolls_while_the_map_and_tabs_stay_near(server, browser) -> None:
    page, _ = new_page(browser, DESKTOP)
    open_view(page, server, "?zone=north-homs")
    panel = page.locator(".st-key-atlas-side-panel")
    sizes = panel.evaluate("e => ({scroll: e.scrollHeight, client: e.clientHeight})")
    assert sizes["scroll"] > sizes["client"] and sizes["client"] <= DESKTOP["height"]  # the long panel scrolls inside itself
    frame_box = page.locator('iframe[src*="streamlit_folium"]').bounding_box()
    assert frame_box and frame_box["y"] >= 0 and frame_box["y"] + frame_box["height"] <= DESKTOP["height"]
    panel.evaluate("e => { e.scrollTop = e.scrollHeight; }")  # read to the end of the panel
    page.wait_for_timeout(200)
    assert page.locator('iframe[src*="streamlit_folium"]').bounding_box() == frame_box  # the map did not move
    # the open tab starts within about one screen of the top (it was ~9,300 px down, after the whole panel)
    tab = page.get_by_role("tab", name="All zones", exact=True)
    tab_top = tab.evaluate("e => e.getBoundingClientRect().top + document.querySelector('.stMain').scrollTop")
    assert tab_top < 1.5 * DESKTOP["height"], tab_top
    page.context.close()


def test_a_permalink_to_a_tab_opens_with_the_tab_in_view(server, browser) -> None:
    page, _ = new_page(browser, DESKTOP)
    open_view(page, server, "?zone=north-homs&tab=Timeline")
    tab = page.get_by_role("tab", name="Timeline", exact=True)
    page.wait_for_function("(e) => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }",
                           arg=tab.element_handle(), timeout=TIMEOUT_MS)
    assert page.evaluate("document.querySelector('.stMain').scrollTop") > 0
    page.context.close()


VISIBLE_BOUNDS_JS = """(ids) => { const view = window.map.getBounds(); let zones = null;
  Object.values(window.map._layers).forEach(l => { const p = l.feature && l.feature.properties;
    if (p && ids.includes(p.id) && l._path && l._path.style.pointerEvents !== 'none' && l.getBounds)
      zones = zones ? zones.extend(l.getBounds()) : L.latLngBounds(l.getBounds().getSouthWest(), l.getBounds().getNorthEast()); });
  const share = Math.max((zones.getEast() - zones.getWest()) / (view.getEast() - view.getWest()),
                         (zones.getNorth() - zones.getSouth()) / (view.getNorth() - view.getSouth()));
  return {contained: view.contains(zones), share: share, zoom: window.map.getZoom()}; }"""


def choose_zone(page, label: str) -> None:
    page.get_by_role("radiogroup").get_by_text(label, exact=True).click()


def test_the_map_fits_the_selection_and_all_zones_when_none(server, browser) -> None:
    page, _ = new_page(browser, DESKTOP)
    open_view(page, server, "")
    frame = map_frame(page)
    everything = list(zone_names())
    start = frame.evaluate(VISIBLE_BOUNDS_JS, everything)
    assert start["contained"] and start["share"] > 0.5, start  # the four zones fill the view (at a whole zoom level)
    speck = frame.evaluate(VISIBLE_BOUNDS_JS, ["eastern-ghouta"])["share"]
    choose_zone(page, zone_names()["eastern-ghouta"])
    page.get_by_role("heading", name=zone_names()["eastern-ghouta"], exact=True).wait_for(timeout=TIMEOUT_MS)
    frame.wait_for_function(f"() => ({VISIBLE_BOUNDS_JS})(['eastern-ghouta']).zoom > {start['zoom']}", timeout=TIMEOUT_MS)
    ghouta = frame.evaluate(VISIBLE_BOUNDS_JS, ["eastern-ghouta"])
    assert ghouta["contained"] and ghouta["share"] > max(0.15, 5 * speck), (ghouta, speck)  # no longer a speck
    choose_zone(page, "No zone selected")
    frame.wait_for_function(f"(ids) => ({VISIBLE_BOUNDS_JS})(ids).contained", arg=everything, timeout=TIMEOUT_MS)
    assert frame.evaluate(VISIBLE_BOUNDS_JS, everything)["zoom"] == start["zoom"]
    page.context.close()


def test_back_and_forward_move_between_selections(server, browser) -> None:
    page, _ = new_page(browser, DESKTOP)
    open_view(page, server, "")
    names = zone_names()
    for zone in ("idlib", "south"):
        choose_zone(page, names[zone])
        page.wait_for_url(f"**zone={zone}", timeout=TIMEOUT_MS)
        settled(page)
    radio = page.get_by_role("radiogroup")

    def shows(zone: str | None) -> None:
        if zone:
            page.get_by_role("heading", name=names[zone], exact=True).wait_for(timeout=TIMEOUT_MS)
            assert radio.get_by_role("radio", name=names[zone]).is_checked()
        else:
            radio.get_by_role("radio", name="No zone selected").wait_for(timeout=TIMEOUT_MS)
            page.wait_for_function("() => [...document.querySelectorAll('input[type=radio]')][0].checked", timeout=TIMEOUT_MS)
            assert not any(page.get_by_role("heading", name=n, exact=True).count() for n in names.values())

    page.go_back()
    shows("idlib")
    assert "zone=idlib" in page.url
    page.go_back()
    shows(None)
    assert "zone=" not in page.url
    page.go_forward()
    shows("idlib")
    page.go_forward()
    shows("south")
    assert "zone=south" in page.url
    page.context.close()


RECTS_JS = """() => {
  const rect = e => e.getBoundingClientRect();
  const rings = Object.values(window.map._layers).filter(l => l.feature && String(l.feature.properties.id || '').startsWith('place:') && l._path)
      .map(l => rect(l._path));
  const labels = [...document.querySelectorAll('.atlas-city')].map(e => ({name: e.textContent, r: rect(e)}));
  const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  return {rings: rings.length, labels: labels.length,
          overlaps: labels.filter(l => rings.some(r => hit(l.r, r))).map(l => l.name),
          zoneLabels: [...document.querySelectorAll('.atlas-zone-label')].map(e => e.innerText.replace(/\\s+/g, ' ').trim())};
}"""


def test_zone_labels_with_status_and_no_marker_ring_over_a_city_label(server, browser) -> None:
    page, _ = new_page(browser, DESKTOP)
    open_view(page, server, "?zone=north-homs")
    frame = map_frame(page)
    frame.wait_for_function("() => Object.values(window.map._layers).some(l => l.feature && String(l.feature.properties.id).startsWith('place:'))",
                            timeout=TIMEOUT_MS)
    for zoom in (7, 8, 9):
        frame.evaluate("(z) => window.map.setView([34.9, 36.7], z, {animate: false})", zoom)
        page.wait_for_timeout(150)
        found = frame.evaluate(RECTS_JS)
        assert found["rings"] > 0 and found["labels"] > 0, found
        assert found["overlaps"] == [], (zoom, found["overlaps"])
    labels = frame.evaluate(RECTS_JS)["zoneLabels"]
    assert any(text.startswith("Northern Homs") and "Agreement on the zone reached" in text for text in labels), labels
    assert len(labels) == len(zone_names())
    page.context.close()


def test_the_basemap_covers_every_view_and_draws_neighbouring_land() -> None:
    basemap = json.loads((ROOT / "geodata" / "basemap.geojson").read_text(encoding="utf-8"))
    west, south, east, north = basemap["metadata"]["clip_bbox"]
    (min_lat, min_lon), (max_lat, max_lon) = MAX_BOUNDS
    # what the map may show (max bounds, and a map 1,300 px wide, the map column of a 2,200 px screen, at the lowest
    # zoom, centred on them) lies inside the basemap
    widest_deg = 1300 / (256 * 2 ** MIN_ZOOM / 360)
    centre = (min_lon + max_lon) / 2
    assert box(min_lon, min_lat, max_lon, max_lat).within(box(west, south, east, north))
    assert west <= centre - widest_deg / 2 and centre + widest_deg / 2 <= east
    land = [shape(f["geometry"]) for f in basemap["features"] if f["properties"]["layer"] == "country"]
    for name, lon, lat in [("West Bank", 35.25, 31.95), ("Sinai", 33.8, 29.5), ("Cyprus", 33.0, 35.0),
                           ("Saudi Arabia", 40.0, 29.5), ("Iran", 46.0, 36.0)]:
        assert any(g.contains(Point(lon, lat)) for g in land), name


def test_the_map_is_not_a_maze_of_tab_stops(server, browser) -> None:
    """Keyboard only: Tab from the page into the map's frame and out; the zones and labels are not stops
    (the zone list is the keyboard path), and the frame has a meaningful title."""
    page, _ = new_page(browser, DESKTOP)
    open_view(page, server, "")
    frame = map_frame(page)
    title = page.locator('iframe[src*="streamlit_folium"]').get_attribute("title")
    assert title and "streamlit" not in title.lower() and "zones" in title
    page.locator("h1").click()
    stops_in_map = []
    for _ in range(40):
        page.keyboard.press("Tab")
        in_frame = page.evaluate("() => document.activeElement && document.activeElement.tagName === 'IFRAME' "
                                 "&& document.activeElement.src.includes('streamlit_folium')")
        if in_frame:
            stops_in_map.append(frame.evaluate("() => { const e = document.activeElement; return e.tagName + '.' + "
                                               "(e.getAttribute('class') || '') + ' ' + (e.getAttribute('aria-label') || e.textContent || '').slice(0, 30); }"))
        elif stops_in_map:
            break
    assert stops_in_map, "Tab never reached the map"
    assert len(stops_in_map) <= 6, stops_in_map  # the map, its zoom buttons, the attribution link
    assert not [s for s in stops_in_map if s.startswith("path") or "atlas-city" in s or "marker-icon" in s], stops_in_map
    page.context.close()


def test_statuses_are_told_by_pattern_and_words_not_colour_alone(server, browser) -> None:
    patterns = [s["dashArray"] for s in STATUS_STYLE.values()]
    assert len(set(patterns)) == len(patterns)  # every status has its own outline
    page, _ = new_page(browser, DESKTOP)
    open_view(page, server, "?date=2018-03-20")
    legend = page.locator(".atlas-legend")
    assert STATUS_LABELS["under-offensive"] in legend.inner_text()
    dash = STATUS_STYLE["under-offensive"]["dashArray"]
    assert legend.locator(f'img.atlas-swatch[data-dash="{dash}"]').count() == 1
    legend.get_by_text("The map as a table").click()
    rows = legend.locator("tbody tr")
    assert rows.count() == len(zone_names())
    ghouta = rows.filter(has_text=zone_names()["eastern-ghouta"]).inner_text()
    assert STATUS_LABELS["under-offensive"] in ghouta and STATUS_STYLE["under-offensive"]["dashArray"] in ghouta
    page.context.close()


def test_timeline_events_are_reachable_by_keyboard_and_as_a_table(server, browser) -> None:
    page, _ = new_page(browser, DESKTOP)
    open_view(page, server, "?tab=Timeline")
    table = page.locator(".atlas-events")
    table.get_by_text("The events as a table").click()
    assert table.locator("tbody tr").count() >= 10
    picker = page.get_by_role("combobox", name="Read the words of an event")
    picker.focus()
    page.keyboard.type("Agreement on the zone reached")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    event = page.locator(".atlas-event").first
    event.wait_for(timeout=TIMEOUT_MS)
    assert "Agreement" in event.inner_text() or event.locator("mark").count() >= 1
    page.context.close()


def test_one_tap_selects_a_zone_on_a_phone_and_the_page_stays_put(server, browser) -> None:
    page, _ = new_page(browser, PHONE)
    open_view(page, server, "")
    frame = map_frame(page)
    page.locator('iframe[src*="streamlit_folium"]').scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    before = page.evaluate("document.querySelector('.stMain').scrollTop")
    wait_settled(frame)
    point = zone_point(frame, "idlib")
    frame.locator("#map_div").tap(position=point)
    page.get_by_role("heading", name=zone_names()["idlib"], exact=True).wait_for(timeout=TIMEOUT_MS)
    assert frame.evaluate("() => [document.scrollingElement.scrollTop, document.body.scrollTop]") == [0, 0]
    assert abs(page.evaluate("document.querySelector('.stMain').scrollTop") - before) < 5
    page.context.close()


def test_on_a_phone_the_map_leaves_room_to_scroll_and_one_finger_scrolls_the_page(server, browser) -> None:
    page, _ = new_page(browser, PHONE)
    open_view(page, server, "?zone=south")
    frame = map_frame(page)
    frame_box = page.locator('iframe[src*="streamlit_folium"]').bounding_box()
    assert frame_box and frame_box["height"] <= 0.5 * PHONE["height"], frame_box
    assert frame.evaluate("() => window.map.dragging.enabled()") is False  # one finger is the page's
    assert frame.evaluate("() => window.map.touchZoom.enabled()") is True  # two fingers pan and zoom the map
    # a one-finger swipe that starts on the map scrolls the page
    scroller = ".stMain"
    before = page.evaluate(f"document.querySelector('{scroller}').scrollTop")
    cdp = page.context.new_cdp_session(page)
    x = frame_box["x"] + frame_box["width"] / 2
    y = frame_box["y"] + frame_box["height"] * 0.8
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 16):  # a finger moving 300 px up over a quarter of a second
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 20 * step}]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and page.evaluate(f"document.querySelector('{scroller}').scrollTop") - before < 100:
        page.wait_for_timeout(100)
    assert page.evaluate(f"document.querySelector('{scroller}').scrollTop") - before >= 100
    page.context.close()


NO_SIDEWAYS_JS = """() => [document.documentElement, document.body, document.querySelector('.stMain'),
    document.querySelector('.stAppViewContainer')].filter(Boolean).map(e => e.scrollWidth - e.clientWidth)"""


def test_no_sideways_scroll_at_360_px_on_any_view(server, browser) -> None:
    page, _ = new_page(browser, NARROW)
    wide = {}
    for name, query in views():
        open_view(page, server, query)
        overflow = page.evaluate(NO_SIDEWAYS_JS)
        if max(overflow) > 1:
            wide[name] = overflow
    assert wide == {}
    page.context.close()


def test_the_timeline_is_readable_on_a_phone(server, browser) -> None:
    page, _ = new_page(browser, PHONE)
    open_view(page, server, "?tab=Timeline")
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.wait_for(timeout=TIMEOUT_MS)
    width = chart.evaluate("e => e.getBoundingClientRect().width")
    marks = chart.locator("svg .mark-symbol path, canvas").first
    marks.wait_for(timeout=TIMEOUT_MS)
    plot = chart.evaluate("""e => { const g = e.querySelector('svg .mark-rect, svg .mark-symbol');
        return g ? g.getBoundingClientRect().width : e.querySelector('canvas').getBoundingClientRect().width; }""")
    assert plot >= 0.7 * width, (plot, width)  # the dates get the width, not the legend (it was 170 of 358 px)
    page.context.close()


def chosen_entry(page, typed: str):
    """Choose an entry in the timeline's event list with the keyboard (type to filter, Enter) and return it."""
    picker = page.get_by_role("combobox", name="Read the words of an event")
    picker.focus()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")
    entry = page.locator(".atlas-event").first
    entry.wait_for(timeout=TIMEOUT_MS)
    return entry


def test_timeline_shows_one_entry_per_event_with_every_source_cited(server, browser) -> None:
    """Issue 14: the Cairo agreement (an event, the status it set, and the date the pipeline found in the same
    sentence) is one mark and one entry listing its three sources, each quoting the document's own characters."""
    from components.atlas import load_atlas
    atlas = load_atlas()
    page, _ = new_page(browser, DESKTOP)
    open_view(page, server, "?tab=Timeline")
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.locator("svg .mark-symbol path").first.wait_for(timeout=TIMEOUT_MS)
    marks = chart.evaluate("""e => [...e.querySelectorAll('svg .mark-symbol.role-mark path')].map(p => {
        const r = p.getBoundingClientRect();
        return {label: p.getAttribute('aria-label') || '', spot: `${Math.round(r.x + r.width / 2)},${Math.round(r.y + r.height / 2)}`}; })""")
    cairo = [m for m in marks if "event: Agreement on the zone reached in Cairo;" in m["label"]]
    assert len(cairo) == 1 and "sources: 3 sources" in cairo[0]["label"]  # one mark, not one per source
    assert not [m for m in marks if "Jul 31, 2017" in m["label"] and "event: Status;" in m["label"]]
    # an entry only extracted never sits on a curated one (its own lane in the zone's row)
    curated = {m["spot"] for m in marks if "reviewed: curated" in m["label"]}
    extracted = [m for m in marks if "reviewed: extracted" in m["label"]]
    assert extracted and not [m for m in extracted if m["spot"] in curated]
    entry = chosen_entry(page, "Agreement on the zone reached in Cairo")
    assert "3 sources" in entry.inner_text()
    sources = entry.locator("li.atlas-source")
    assert sources.count() == 3
    assert [sources.nth(i).get_attribute("data-kind") for i in range(3)] == ["curated", "curated", "extracted"]
    citations = entry.locator(".atlas-citation")
    assert citations.count() == 4  # the event's two quotes, the status's, the extracted date's
    for i in range(citations.count()):
        cite = citations.nth(i)
        doc, start, end = cite.get_attribute("data-doc"), int(cite.get_attribute("data-start")), int(cite.get_attribute("data-end"))
        marked = "".join(cite.locator("mark").all_text_contents())
        assert marked == atlas.corpus.get(doc).text[start:end], (doc, start, end)
        assert f"characters {start}–{end}" in cite.inner_text()
    page.context.close()


def focus_ring(page) -> str:
    """The focused element's (or its select container's) outline, as computed: 'none' when focus is invisible."""
    return page.evaluate("""() => { let e = document.activeElement;
        const box = e.closest('.react-aria-ComboBox') || e;
        const s = getComputedStyle(box); return s.outlineStyle === 'none' ? 'none' : s.outlineStyle + ' ' + s.outlineWidth; }""")


def tab_to(page, test_js: str, limit: int = 60) -> int:
    """Press Tab until the focused element passes ``test_js`` (a function of the element); the presses taken."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => ({test_js})(document.activeElement)"):
            return presses
    raise AssertionError(f"not reached with {limit} Tab presses: {test_js}")


def test_the_timeline_is_usable_with_the_keyboard_only(server, browser) -> None:
    from components.atlas import load_atlas
    from components.ui.timeview import period_rows
    """Issue 15: every action of the chart by keyboard alone, with visible focus: choose an event (Tab to the list,
    arrow keys, Enter), move the date to it (the chart's orange marker follows), read every event and every status
    band (the chart's tooltips) in tables."""
    page, _ = new_page(browser, DESKTOP)
    open_view(page, server, "?tab=Timeline")
    page.get_by_role("tab", name="Timeline", exact=True).focus()  # where Tab from the page's top arrives at the tabs
    tab_to(page, "e => e.getAttribute('aria-label') === 'Read the words of an event' || "
                 "(e.getAttribute('role') === 'combobox' && (e.closest('[data-testid=\"stSelectbox\"]')?.innerText || '')"
                 ".includes('Read the words of an event'))")
    assert focus_ring(page) != "none"
    page.keyboard.press("ArrowDown")  # opens the list
    options = page.get_by_role("option")
    options.first.wait_for(timeout=TIMEOUT_MS)
    wanted = next(i for i, text in enumerate(options.all_inner_texts()) if "Agreement on the zone reached in Cairo" in text)
    for _ in range(wanted):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    entry = page.locator(".atlas-event").first
    entry.wait_for(timeout=TIMEOUT_MS)
    assert "Agreement on the zone reached in Cairo" in entry.inner_text() and entry.locator("mark").count() >= 1
    # the chart's date marker, by keyboard: "Show the map on 31 July 2017"
    tab_to(page, "e => e.tagName === 'BUTTON' && e.innerText.includes('Show the map on 31 July 2017')")
    assert focus_ring(page) != "none"
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('date') === '2017-07-31'", timeout=TIMEOUT_MS)
    settled(page)
    assert page.get_by_role("slider").first.get_attribute("aria-valuetext") == "31 Jul 2017"
    # every event as text: Tab to the table's summary, Enter opens it
    tab_to(page, "e => e.tagName === 'SUMMARY' && e.innerText.startsWith('The events as a table')")
    assert focus_ring(page) != "none"
    page.keyboard.press("Enter")
    rows = page.locator(".atlas-events tbody tr")
    rows.first.wait_for(timeout=TIMEOUT_MS)
    assert rows.count() >= 10 and any("Agreement on the zone reached in Cairo" in t for t in rows.all_inner_texts())
    # the status bands as text: the next summary
    tab_to(page, "e => e.tagName === 'SUMMARY' && e.innerText.startsWith('The statuses over time as a table')")
    assert focus_ring(page) != "none"
    page.keyboard.press("Enter")
    bands = page.locator(".atlas-periods tbody tr")
    bands.first.wait_for(timeout=TIMEOUT_MS)
    texts = bands.all_inner_texts()
    assert len(texts) == len(period_rows(load_atlas()))  # every band of the chart
    assert any("Northern Homs" in t and STATUS_LABELS["agreement-reached"] in t and "31 July 2017" in t for t in texts), texts
    page.context.close()
