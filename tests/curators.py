"""Test curators: an account in the test's own store (``ATLAS_DB``), signed in through the app's real
sign-in form (AppTest or a real browser) -- the production check is never bypassed."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from components.auth import add_curator, curator_exists
from components.store import open_store
from tests.browser import wait_idle

PASSWORD = "a test curator's passphrase"
NAME = "Tess Curator"


def make_curator(name: str = NAME, db: Path | None = None) -> str:
    """Create the curator in this test's store (once) and return its name."""
    with open_store(Path(db) if db else None) as store:  # the test's store: ATLAS_DATABASE_URL, else ATLAS_DB
        if not curator_exists(store, name):
            add_curator(store, name, PASSWORD)
    return name


def sign_in_app(at: AppTest, name: str = NAME, password: str = PASSWORD) -> AppTest:
    """Fill in and submit the sign-in form of an AppTest on the "Add a document" or "Review" tab."""
    make_curator(name)
    at.text_input(key="atlas_signin_name").input(name)
    at.text_input(key="atlas_signin_password").input(password)
    at.button(key="atlas_signin_submit").click().run()
    assert not at.exception, at.exception
    return at


def sign_in_page(page, name: str = NAME, password: str = PASSWORD, timeout_ms: int = 30_000) -> None:
    """The same in a real browser (the sign-in form must be on screen), once the page's runs are over;
    returns once the run the sign-in started is over too (what is typed next is not lost with a redraw)."""
    make_curator(name)
    wait_idle(page, timeout_ms=timeout_ms)
    page.get_by_label("Curator name").fill(name)
    page.locator("input[type=password]").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for(timeout=timeout_ms)
    wait_idle(page, timeout_ms=timeout_ms)
