"""The downloads as a reader gets them: the real app in a real Chromium, a click on each button, the file
read back with the library made for its format."""
from __future__ import annotations

import codecs
import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from tests.browser import open_app, wait_idle
from tests.test_browser import browser, server  # the same module-scoped fixtures: a server and a Chromium for this module

__all__ = ["browser", "server"]

DOWNLOAD_TIMEOUT_MS = 120_000  # the map image is drawn on the click; the machine may be busy
SVG = "{http://www.w3.org/2000/svg}"


def download(page, label: str, folder: Path) -> Path:
    button = page.get_by_role("button", name=label, exact=True)
    button.wait_for(timeout=DOWNLOAD_TIMEOUT_MS)
    wait_idle(page, timeout_ms=DOWNLOAD_TIMEOUT_MS)  # a click reruns the app: the next click waits for that run to end
    # (a button it redraws is not the one clicked, nor its file the one asked for)
    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as caught:
        button.click()
    path = folder / caught.value.suggested_filename
    caught.value.save_as(path)
    return path


def test_the_downloads_of_the_selected_view_open_in_their_tools(server, browser, tmp_path: Path) -> None:
    page, traffic = open_app(browser, server, "/?zone=north-homs&date=2017-08-01&tab=Sources+and+downloads")
    png = download(page, "Map image (PNG)", tmp_path)
    assert png.name == "deescalation-map-north-homs-2017-08-01.png"  # the view on screen: its zone and date
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size[0] >= 1000
    svg = download(page, "Map image (SVG)", tmp_path)
    texts = [t.text for t in ET.parse(svg).getroot().iter(SVG + "text")]
    assert "Northern Homs de-escalation zone as of 1 August 2017" in texts
    data = download(page, "Facts and sources (CSV)", tmp_path).read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), dialect="excel"))
    assert rows and all(r["document_title"] and r["publisher"] for r in rows)
    annotations = json.loads(download(page, "Citations (Web Annotations)", tmp_path).read_text(encoding="utf-8"))
    assert annotations["type"] == "AnnotationCollection" and annotations["total"] == len(rows)
    assert traffic.outside_hosts() == []
    page.context.close()
