"""Fact cards in a real Chromium (issue 15): who said so on the card, "Copy citation" puts a reference and
the fact's permalink on the clipboard, the permalink opens at the card, "Show passage" brings the passage
below the sticky header with the keyboard focus on it, and a search hit opens the reader and selects its zone."""
from __future__ import annotations

import pytest

from tests.browser import artifacts_dir, wait_idle, watch
from tests.server import ROOT, run_app
from tests.test_browser import browser  # noqa: F401  (the shared Chromium fixture)

TIMEOUT_MS = 30_000
SEED_TEXT = (ROOT / "seeds" / "000_6a7ef684703209c4.txt").read_bytes().decode("utf-8")
SETTLEMENTS = 'div[data-fact="north-homs.settlements"]'
HEADER_BOTTOM_JS = """() => { const h = document.querySelector('[data-testid="stHeader"]');
    return h ? h.getBoundingClientRect().bottom : 0; }"""


@pytest.fixture(scope="module")
def server():
    artifacts_dir()
    with run_app() as url:
        yield url


DESKTOP, PHONE = (1440, 900), (390, 844)


def open_page(browser, url: str, path: str, size: tuple[int, int] = DESKTOP):  # noqa: F811
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, is_mobile=size == PHONE,
                                  has_touch=size == PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    traffic = watch(page)
    page.goto(url + path)
    return page, traffic


def focused_when(page, condition: str) -> dict:
    """Wait until the focused element meets ``condition`` (JS, on ``el``), then where it is and what it says."""
    page.wait_for_function(f"() => {{ const el = document.activeElement; return !!el && ({condition}); }}", timeout=TIMEOUT_MS)
    return page.evaluate("""() => { const el = document.activeElement; const r = el.getBoundingClientRect();
        return {tag: el.tagName, id: el.id, cls: el.className, top: r.top, bottom: r.bottom, text: el.innerText || ''}; }""")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
def test_a_card_says_who_said_it_where_and_when(server, browser, size: tuple[int, int]) -> None:  # noqa: F811
    page, traffic = open_page(browser, server, "/?zone=north-homs", size)
    card = page.locator(SETTLEMENTS)
    card.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)  # the run is over: the passages below the cards are drawn too (read at once, not waited for)
    text = card.inner_text()
    assert "Said by Igor Konashenkov, Russian Defense Ministry spokesman" in text
    assert "Sputnik (Sputnik-Middle East), 6 August 2017 (date inferred from the text)" in text
    # the quote in its sentence, the exact span marked
    start = SEED_TEXT.index("The spokesman added")
    sentence = SEED_TEXT[start:SEED_TEXT.index("zone.", start) + 5]
    assert sentence in text  # the document's characters, no-break spaces and all
    assert card.locator("mark.atlas-cited").all_inner_texts() == ["84 settlements"]
    assert card.locator("a", has_text="source link").get_attribute("href").startswith("https://syria360.wordpress.com/2017/08/06/")
    narrated = page.locator('div[data-fact="all.observers"]').inner_text()
    assert "No speaker named (the article's own words)" in narrated
    # marks in passages say which fact they support, in words
    titles = page.locator("div.atlas-passages mark").evaluate_all("ms => ms.map(m => m.title)")
    assert titles and all(t.startswith("Supports: ") for t in titles), titles
    assert "Supports: Settlements included: 84 settlements" in titles
    assert not [t for t in titles if "north-homs." in t or "all." in t]
    assert all(m in SEED_TEXT for m in page.locator("mark").all_inner_texts())
    # no label cut short: the measurements' labels, the buttons and the card's source line fit their boxes
    cut = page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] *, button p, .atlas-source, .atlas-actions'))
        .filter(el => el.offsetWidth > 0 && el.scrollWidth > el.clientWidth + 1).map(el => el.innerText)""")
    assert cut == [], cut
    assert "Approximate boundary — confidence medium-low, precision ±2–4 km" in page.locator("div.atlas-measure-note").inner_text()
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir() / f"card-north-homs-{size[0]}.png"), full_page=False)
    assert traffic.outside_hosts() == []
    page.context.close()


def test_copy_citation_puts_a_reference_and_the_permalink_on_the_clipboard(server, browser) -> None:  # noqa: F811
    page, traffic = open_page(browser, server, "/?zone=north-homs")
    card = page.locator(SETTLEMENTS)
    card.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)  # a card the tabs' follow-up rerun redraws loses the click's "copied" mark with it
    button = card.get_by_role("button", name="Copy citation for Settlements included")
    button.click()
    page.wait_for_function("(b) => b.dataset.copied === 'yes'", arg=button.element_handle(), timeout=TIMEOUT_MS)
    assert card.get_by_role("status").inner_text() == "Citation copied"
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("Igor Konashenkov, Russian Defense Ministry spokesman, in “New Agreement on Safe Zone")
    assert "“84 settlements” (characters 489–503)" in copied
    assert "Supports: Settlements included — 84 settlements." in copied
    permalink = copied.rsplit("De-escalation Atlas: ", 1)[1].strip()
    assert permalink.startswith(server + "/?zone=north-homs") and permalink.endswith("#fact-north-homs.settlements")
    assert "{permalink}" not in copied
    page.context.close()

    # the permalink opens the app at that card, in view and focused
    page, traffic = open_page(browser, server, permalink.removeprefix(server))
    page.locator(SETTLEMENTS).wait_for(timeout=TIMEOUT_MS)
    where = focused_when(page, "el.id === 'fact-north-homs.settlements'")
    header = page.evaluate(HEADER_BOTTOM_JS)
    assert header <= where["top"] < 900, where
    # and still there once the page has finished drawing: its CSS can arrive after the card (the side panel
    # then becomes its own scroll box), the map and the tabs' follow-up run come later (style.ARRIVE_JS)
    wait_idle(page)
    after = focused_when(page, f"el.id === 'fact-north-homs.settlements' && el.getBoundingClientRect().top >= {header}")
    assert after["top"] < 900, after
    assert traffic.outside_hosts() == []
    page.context.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
def test_show_passage_brings_it_below_the_header_with_the_focus(server, browser, size: tuple[int, int]) -> None:  # noqa: F811
    page, _ = open_page(browser, server, "/?zone=north-homs", size)
    card = page.locator(SETTLEMENTS)
    card.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)  # the focus given to a passage a run then redraws is lost with it
    link = card.get_by_role("link", name="Show passage")
    (link.tap if size == PHONE else link.click)()  # a finger on the phone
    where = focused_when(page, "el.classList.contains('atlas-passage')")
    assert where["tag"] == "P" and where["id"].startswith("passage-") and "84 settlements" in where["text"]
    assert "atlas-flash" in where["cls"]  # highlighted briefly
    header = page.evaluate(HEADER_BOTTOM_JS)
    assert header > 0 and header <= where["top"] < size[1], (header, where)  # below the sticky header, on screen
    page.screenshot(path=str(artifacts_dir() / f"show-passage-{size[0]}.png"), full_page=False)
    page.context.close()


def test_a_search_hit_opens_the_reader_at_its_passage_and_selects_its_zone(server, browser) -> None:  # noqa: F811
    page, _ = open_page(browser, server, "/?tab=Search")
    box = page.get_by_role("textbox", name="Search all passages")
    box.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)  # words typed while the page's runs redraw the box are lost with it
    box.fill("Konashenkov stressed")
    box.press("Enter")
    page.get_by_text("results 1–1 of 1").wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Open in the reader").click()
    target = page.locator("p.atlas-target")
    target.wait_for(timeout=TIMEOUT_MS)
    assert "Konashenkov stressed" in target.inner_text()
    page.wait_for_url("**zone=north-homs**", timeout=TIMEOUT_MS)
    assert "tab=Read" in page.url
    page.get_by_role("heading", name="Northern Homs de-escalation zone", exact=True).wait_for(timeout=TIMEOUT_MS)
    where = focused_when(page, "el.classList.contains('atlas-target')")
    assert page.evaluate(HEADER_BOTTOM_JS) <= where["top"] < 900, where
    page.context.close()
