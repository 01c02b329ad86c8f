"""Regenerate docs/screenshot.png: the app with the northern Homs zone selected, tiles off."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright

from tests.browser import map_frame, zone_names
from tests.server import CHROMIUM, CHROMIUM_ARGS, run_app


def main(out: Path = ROOT / "docs" / "screenshot.png") -> None:
    with run_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url + "/?zone=north-homs")
        map_frame(page)
        page.get_by_role("heading", name=zone_names()["north-homs"], exact=True).wait_for()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(out))
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
