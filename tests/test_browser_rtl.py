"""Issue 16 in the real app: an Arabic (right-to-left) document in the reader. The passage takes its
direction from its text (dir="auto", computed rtl), each place mark covers exactly the characters of the
mention (a clitic "و" stays outside the mark of "القنيطرة"), and the extracted figure's quote is the text
at its offsets. The document is ours (tests/data/rtl, written for the tests), added to a copy of the data."""
from __future__ import annotations

import re
import shutil
import time

import pytest

from tests.browser import wait_idle
from tests.server import ROOT, run_app
from tests.test_browser import browser  # the module-scoped Chromium fixture

__all__ = ["browser"]

DOC_ID = "900_rtl_daraa"
SOURCE = ROOT / "tests" / "data" / "rtl"
INGEST_TIMEOUT_S = 240  # the seed is ingested by a worker process after start-up (slow under load)
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def rtl_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("rtl-data")
    shutil.copytree(ROOT / "geodata", root / "geodata")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    for name in (f"{DOC_ID}.txt", f"{DOC_ID}.meta.json"):
        shutil.copy(SOURCE / name, root / "seeds" / name)
    (root / "uploads").mkdir()
    env = {"ATLAS_DATA_ROOT": str(root), "ATLAS_DB": str(root / "atlas.db"), "ATLAS_UPLOADS": str(root / "uploads")}
    with run_app(env) as url:
        yield url


def open_reader_at_the_document(page, base: str) -> None:
    """The reader with the Arabic document chosen (reloading until the worker has ingested it)."""
    deadline = time.monotonic() + INGEST_TIMEOUT_S
    while True:
        page.goto(f"{base}/?tab=Read+a+document")
        picker = page.get_by_role("combobox", name="Document")
        picker.wait_for(timeout=TIMEOUT_MS)
        wait_idle(page, timeout_ms=TIMEOUT_MS)  # a list opened while a run redraws the picker closes with it
        picker.click()
        option = page.get_by_role("option", name=re.compile("هدنة في ريف درعا"))
        try:
            option.wait_for(timeout=5_000)
            option.click()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            page.keyboard.press("Escape")
            page.wait_for_timeout(3_000)


def test_an_arabic_document_reads_right_to_left_with_exact_marks(rtl_server, browser) -> None:
    text = (SOURCE / f"{DOC_ID}.txt").read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_reader_at_the_document(page, rtl_server)
    passage = page.locator("[data-reader-passage]").filter(has_text="القنيطرة")
    passage.wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("Language: ar (detected)").first.wait_for(timeout=TIMEOUT_MS)
    assert passage.get_attribute("dir") == "auto"
    assert passage.evaluate("e => getComputedStyle(e).direction") == "rtl"  # the browser reads it right to left
    # each place mark covers exactly the mention: "والقنيطرة" is marked from after its "و"
    qun = text.index("والقنيطرة") + 1
    daraa = text.index("درعا", text.index("\n\n"))  # the second paragraph's "درعا"
    marks = passage.locator("mark").evaluate_all(
        "ms => ms.map(m => ({text: m.textContent, start: +m.dataset.start, end: +m.dataset.end}))")
    spans = {(m["start"], m["end"]) for m in marks}
    assert spans == {(daraa, daraa + len("درعا")), (qun, qun + len("القنيطرة"))}, marks
    for mark in marks:
        assert mark["text"] == text[mark["start"]:mark["end"]]
    assert passage.evaluate("e => e.textContent").count("والقنيطرة") == 1  # the clitic is still shown, outside the mark
    # the extracted figure: its quote is the document's text at the offsets it gives
    item = page.locator(".atlas-reader .atlas-extracted li").filter(has_text="ثلاث قرى")
    item.wait_for(timeout=TIMEOUT_MS)
    found = re.search(r"“(.+?)” characters (\d+)–(\d+)", item.inner_text())
    assert found, item.inner_text()
    quote, start, end = found.group(1), int(found.group(2)), int(found.group(3))
    assert quote == "ثلاث قرى" and text[start:end] == quote
    page.close()
