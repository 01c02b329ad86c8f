"""Issue 14 end to end: each zone at three dates of its life (2017, during its end, after it),
in the real app and a real Chromium: the extent drawn, the status, the evidence age and the citations."""
from __future__ import annotations

import pytest

from tests.browser import artifacts_dir, map_frame, open_app, zone_names
from tests.test_browser import browser, server  # the same module-scoped fixtures: a server and a Chromium for this module

__all__ = ["browser", "server"]

TIMEOUT_MS = 20_000

SHOWN_EXTENT_JS = """(zoneId) => Object.values(window.map._layers).filter(l => l.feature && l.feature.properties
    && l.feature.properties.id === zoneId && l._path && l._path.style.pointerEvents !== 'none'
    && l._path.getAttribute('stroke-opacity') !== '0').map(l => l.feature.properties.extent)"""


# zone, date, status label, extent drawn, latest source, kind of evidence ("quoted from" / "reported by"), ended
CASES = [
    ("idlib", "2017-10-01", "Borders agreed", "idlib@2017-09-15", "15 Sep 2017", "reported by", False),
    ("idlib", "2020-03-10", "Ceasefire protocol", "idlib@2020-03-06", "5 Mar 2020", "reported by", False),
    ("idlib", "2025-01-01", "Framework ended", "idlib@2020-03-06", "8 Dec 2024", "reported by", True),
    ("north-homs", "2017-08-10", "Agreement on the zone reached", "north-homs@2017-05-04", "3 Aug 2017", "quoted from", False),
    ("north-homs", "2018-05-10", "Ended by evacuation agreement", "north-homs@2018-04-16", "2 May 2018", "reported by", False),
    ("north-homs", "2019-01-01", "Retaken (zone ended)", "north-homs@2018-04-16", "16 May 2018", "reported by", True),
    ("eastern-ghouta", "2017-08-01", "Borders agreed", "eastern-ghouta@2017-05-04", "24 Jul 2017", "quoted from", False),
    ("eastern-ghouta", "2018-03-20", "Under offensive", "eastern-ghouta@2018-03-12", "12 Mar 2018", "reported by", False),
    ("eastern-ghouta", "2018-06-01", "Retaken (zone ended)", "eastern-ghouta@2018-04-02", "14 Apr 2018", "reported by", True),
    ("south", "2017-07-20", "Ceasefire in force", "south@2017-05-04", "9 Jul 2017", "reported by", False),
    ("south", "2018-07-20", "Under offensive", "south@2018-07-16", "19 Jul 2018", "reported by", False),
    ("south", "2018-09-01", "Retaken (zone ended)", "south@2018-07-16", "31 Jul 2018", "reported by", True),
]


@pytest.mark.parametrize(("zone", "day", "label", "extent", "latest", "evidence", "ended"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_zone_on_a_date_of_its_life(server, browser, zone, day, label, extent, latest, evidence, ended) -> None:
    page, traffic = open_app(browser, server, f"/?zone={zone}&date={day}")
    page.get_by_role("heading", name=zone_names()[zone], exact=True).wait_for(timeout=TIMEOUT_MS)
    status = page.locator("div.atlas-status, .atlas-status").first
    status.wait_for(timeout=TIMEOUT_MS)
    text = status.inner_text()
    assert label in text, text
    assert evidence in text, text
    if latest:
        assert f"latest source: {latest}" in text, text
    assert ("had ended by this date" in text) is ended, text
    if evidence == "reported by":
        link = status.locator("a[href^='http']").first
        assert link.get_attribute("rel") == "noopener noreferrer"
        assert "(in our words)" in text
    frame = map_frame(page)
    frame.wait_for_function(f"(z) => JSON.stringify(({SHOWN_EXTENT_JS})(z)) === JSON.stringify([{extent!r}])".replace("'", '"'),
                            arg=zone, timeout=TIMEOUT_MS)
    later = page.locator("div.atlas-life-event:has(small.atlas-later)")
    known = page.locator("div.atlas-life-event:not(:has(small.atlas-later))")
    for i in range(later.count()):  # every event marked later is dated after the day, and listed after the known ones
        assert later.nth(i).get_attribute("data-event").rsplit("-", 3)[-3:] > day.split("-")
    if known.count() and later.count():
        assert known.last.evaluate("(a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)",
                                   later.first.element_handle())
    page.screenshot(path=str(artifacts_dir() / f"life-{zone}-{day}.png"), full_page=False)
    assert traffic.http_errors == []
    page.context.close()
