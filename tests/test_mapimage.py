"""The map image export (PNG and SVG), read back with the libraries made for each: Pillow and an XML parser."""
from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from components.atlas import DataPaths, load_atlas
from components.basemap import read_basemap
from components.cli import main
from components.mapbuild import STATUS_STYLE
from components.mapimage import map_image, nice_length_km
from components.zonetime import zones_on

ROOT = Path(__file__).resolve().parent.parent
ATLAS = load_atlas()
BASEMAP, _ = read_basemap(DataPaths.default().basemap)
SVG = "{http://www.w3.org/2000/svg}"
MADE = dt.date(2026, 11, 26)


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    assert root.tag == SVG + "svg"
    return [t.text or "" for t in root.iter(SVG + "text")]


def test_svg_has_title_with_date_legend_scale_labels_and_source_line() -> None:
    day = dt.date(2020, 3, 10)
    data = map_image(ATLAS, "svg", day=day, basemap=BASEMAP, made_on=MADE)
    texts = svg_texts(data)
    assert "Syrian de-escalation zones as of 10 March 2020" in texts
    states = zones_on(ATLAS, day)
    assert {"Idlib", "Northern Homs", "Eastern Ghouta", "Southern"} <= set(texts)  # zone labels
    legend = texts[texts.index("Status") + 1:texts.index("Status") + 1 + len({s.label for s in states.values()})]
    assert sorted(legend) == sorted({s.label for s in states.values()})
    assert any(t.endswith(" km") and float(t.removesuffix(" km")) > 0 for t in texts)  # scale bar
    assert any("Natural Earth" in t and "GeoNames" in t and "Made 2026-11-26" in t for t in texts)
    assert "Damascus" in texts  # the bundled basemap's cities
    assert len(list(ET.fromstring(data).iter(SVG + "pattern"))) >= 1  # hatching: status not by colour alone
    assert map_image(ATLAS, "svg", day=day, basemap=BASEMAP, made_on=MADE) == data  # the same view, the same file


def colour_pixels(image: Image.Image, hex_colour: str, tolerance: int = 40) -> int:
    """Pixels close to the status colour as drawn half-transparent over the land colour."""
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
    want = (rgb + np.array([0xF4, 0xF1, 0xEA])) / 2
    return int((np.abs(pixels(image) - want).sum(axis=2) < tolerance).sum())


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=float)


def test_png_of_a_selected_zone_is_framed_on_it_and_outlined() -> None:
    day = dt.date(2017, 8, 1)
    whole = Image.open(io.BytesIO(map_image(ATLAS, "png", day=day, basemap=BASEMAP)))
    homs = Image.open(io.BytesIO(map_image(ATLAS, "png", day=day, zone_id="north-homs", basemap=BASEMAP)))
    assert whole.format == homs.format == "PNG" and homs.size == (1200, 1200)
    colour = STATUS_STYLE[zones_on(ATLAS, day)["north-homs"].status]["color"]
    # framed on the zone: its colour covers far more of the image than in the view of all four zones
    assert colour_pixels(homs, colour) > 20 * max(1, colour_pixels(whole, colour))
    black = int((pixels(homs).max(axis=2) < 30).sum())
    assert black > 2000  # the selection outline (and text)


def test_scale_bar_lengths_are_round() -> None:
    assert [nice_length_km(km) for km in (7, 60, 260, 900)] == [1, 10, 50, 100]


def test_cli_writes_png_and_svg(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    run = subprocess.run([sys.executable, "-m", "components", "export", "--zone", "eastern-ghouta",
                          "--as-of", "2018-03-20", "--out", str(out)], cwd=ROOT, capture_output=True, text=True)  # the format from --out
    assert run.returncode == 0, run.stderr
    with Image.open(out) as image:
        image.verify()
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "svg"], cwd=ROOT, capture_output=True)
    assert run.returncode == 0, run.stderr
    assert any(t.startswith("Syrian de-escalation zones as of 15 July 2017") for t in svg_texts(run.stdout))


@pytest.mark.parametrize(("args", "words"), [
    (["--format", "csv", "--zone", "idlib"], "--zone applies to the map image"),
    (["--format", "lpf", "--as-of", "2018-01-01"], "--as-of applies to --format geojson, png and svg"),
    (["--format", "png", "--zone", "atlantis"], "invalid choice: 'atlantis'"),
    (["--as", "pdf"], "invalid choice: 'pdf'"),
    ([], "export: give --format (geojson, csv, lpf, annotations, png, svg), or an --out file ending in .csv"),
])
def test_cli_refuses_options_that_do_not_fit_the_format(args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(["export", *args])
    except SystemExit as exc:  # argparse's own one-line error
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1, err
