"""Issue 13's "done when", in a real Chromium: a curator signs in, adds a document, confirms a fact,
corrects a place match, rejects a wrong party and signs out; an anonymous visitor then sees the
confirmed fact in the zone panel with its exact citation highlighted and "reviewed by", not the
rejected one, and no write control anywhere."""
from __future__ import annotations

from components.review import fact_target, place_target
from components.ui.review import item_key
from tests.browser import map_frame, open_app, open_tab, wait_idle
from tests.curators import NAME, sign_in_page
from tests.server import run_app
from tests.test_browser import INGEST_TIMEOUT_MS, PANEL_TIMEOUT_MS, browser  # noqa: F401  (the module's Chromium fixture)
from tests.test_review import TALKS, span

WRITE_BUTTONS = ("Remove", "Confirm", "Reject", "Revert", "Save correction", "Sign out")


def item(page, target: str):
    return page.locator(f".st-key-rv-item-{item_key(target)}")


def fact(quote: str, kind: str) -> str:
    return fact_target("talks", *span(TALKS, quote), kind)


def saved(page, words: str) -> None:
    """Wait for the message, and for the run that shows it to be over (the next click is not on a redrawn item)."""
    page.get_by_text(words).first.wait_for(timeout=PANEL_TIMEOUT_MS)
    wait_idle(page)


def choose_document(page, title: str) -> None:
    """Pick a document in the open tab's "Document" select box (typed into its search, as a user can)."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Document")
    box.wait_for(timeout=PANEL_TIMEOUT_MS)
    wait_idle(page)  # the tab's run is over: what is typed is not lost with a redrawn box
    box.click()
    page.keyboard.type(title[:12])
    page.get_by_role("option", name=title).wait_for(timeout=PANEL_TIMEOUT_MS)
    page.get_by_role("option", name=title).click()


def no_write_control(page) -> None:
    assert page.locator('input[type="file"]').count() == 0
    for name in WRITE_BUTTONS:
        assert page.get_by_role("button", name=name, exact=True).count() == 0, name


def test_sign_in_add_review_sign_out_then_anonymous_sees_the_result(browser, tmp_path) -> None:  # noqa: F811
    with run_app({"ATLAS_UPLOADS": str(tmp_path / "uploads")}) as url:
        page, traffic = open_app(browser, url, "/?tab=Add+a+document")
        map_frame(page)
        no_write_control(page)
        sign_in_page(page)
        page.locator('input[type="file"]').set_input_files(
            files=[{"name": "talks.txt", "mimeType": "text/plain", "buffer": TALKS.encode()}])
        page.get_by_text("It is now part of the corpus").wait_for(timeout=INGEST_TIMEOUT_MS)  # ingested by the worker

        open_tab(page, "Review")
        choose_document(page, "Talks on the southern ceasefire")
        settlements = item(page, fact("84 settlements", "settlements"))
        settlements.wait_for(timeout=PANEL_TIMEOUT_MS)
        settlements.get_by_role("button", name="Confirm").click()
        saved(page, "Saved: confirmed: settlements: 84")

        cairo = item(page, place_target("talks", "Cairo"))
        cairo.get_by_text("Correct", exact=True).click()
        cairo.get_by_text("Not a place").click()
        cairo.get_by_role("button", name="Save correction").click()
        saved(page, "Saved: corrected: “Cairo”: not a place")

        egypt = item(page, fact("Cairo", "party"))
        egypt.get_by_role("textbox").first.fill("a capital city, not a party")
        egypt.get_by_role("textbox").first.press("Enter")
        wait_idle(page)  # the reason's own run is over before the button is clicked
        egypt.get_by_role("button", name="Reject").click()
        saved(page, "Saved: rejected")
        page.get_by_role("button", name="Sign out").click()
        saved(page, "Signed out.")
        no_write_control(page)
        page.context.close()

        # a new anonymous visitor
        page, traffic = open_app(browser, url, "/?zone=north-homs")
        map_frame(page)
        reviewed = page.locator('div.atlas-fact[data-fact^="reviewed.talks."]')
        reviewed.first.wait_for(timeout=PANEL_TIMEOUT_MS)
        assert f"reviewed by {NAME} on" in reviewed.first.inner_text()
        marks = page.locator('p.atlas-passage mark').all_inner_texts()
        assert "84 settlements" in marks  # the exact span, highlighted in its passage
        no_write_control(page)
        start, end = span(TALKS, "Cairo")
        open_tab(page, "Read a document")
        choose_document(page, "Talks on the southern ceasefire")
        page.get_by_text("party: Turkey").first.wait_for(timeout=PANEL_TIMEOUT_MS)
        reader = "\n".join(page.locator("div.atlas-reader").all_inner_texts())
        assert f"party: Egypt — “Cairo” characters {start}–{end}" not in reader and "party: Turkey" in reader
        for tab in ("Add a document", "Review"):
            open_tab(page, tab)
            page.get_by_role("button", name="Sign in").wait_for(timeout=PANEL_TIMEOUT_MS)
            no_write_control(page)
        assert traffic.outside_hosts() == []
        page.context.close()
