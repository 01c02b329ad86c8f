"""Nothing internal on screen (issue 15): every tab, for no zone and for every zone (and the curator's
views), is scanned for ids, Python values, build notes, raw precision codes, "(s)" plurals, labels cut
with "…" and labels repeated as their own value. The real app script, through Streamlit's AppTest."""
from __future__ import annotations

import html
import re

import pytest
from streamlit.testing.v1 import AppTest

from components.atlas import load_atlas
from tests.curators import sign_in_app
from tests.server import sealed_app

TIMEOUT = 120
TABS = ("All zones", "Timeline", "Where the sources disagree", "Search", "Read a document", "Add a document", "Review",
        "Sources and downloads")
ATLAS = load_atlas()
ZONES = [z.id for z in ATLAS.zones.zones]
FACT_IDS = sorted({f.id for f in ATLAS.facts.facts} | {f"life:{e.id}" for e in ATLAS.life.events}, key=len, reverse=True)
LEAKS: dict[str, re.Pattern[str]] = {
    "a fact or event id": re.compile(r"(?<![\w#/.-])(?:" + "|".join(map(re.escape, FACT_IDS)) + r"|life:[a-z0-9-]+)(?![\w-])"),
    "a Python dict or list": re.compile(r"\{'|'\}|\['|'\]"),
    "a Python value": re.compile(r"\b(?:None|True|False|nan)\b"),
    "a raw date precision": re.compile(r"\((?:unknown|inferred-day|day|month|early-month)\)"),
    "a '(s)' plural": re.compile(r"\w\(s\)"),
    "a build note": re.compile(r"build machine|no internet|re-checked|search tool|\.geojson|\.json\b|boundary\.method"),
    "a label repeated as its value": re.compile(r"(?<![\w])([A-Z][^:<>\n]{3,80}): \1(?![\w])"),
}


def visible_text(at: AppTest) -> list[str]:
    """Every text the page shows: Markdown, captions, headings, alerts, our HTML (tags, styles and scripts
    removed, entities decoded), metrics, and widget labels, options and help."""
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "warning", "info", "error", "success"):
        texts += [str(e.value) for e in at.get(kind)]
    for block in at.get("html"):
        body = re.sub(r"<(style|script)\b.*?</\1>", " ", str(block.proto.body), flags=re.S)
        texts.append(html.unescape(re.sub(r"<[^>]+>", " ", body)))
    for metric in at.get("metric"):
        texts += [metric.proto.label, metric.proto.body, metric.proto.help]
    for kind in ("button", "radio", "selectbox", "text_input", "date_input", "slider", "checkbox", "tab", "expander",
                 "download_button", "multiselect", "text_area", "file_uploader"):
        for widget in at.get(kind):
            proto = widget.proto
            texts += [str(getattr(proto, "label", "")), str(getattr(proto, "help", ""))]
            texts += [str(o) for o in getattr(proto, "options", [])]
    return [t for t in texts if t]


def labels(at: AppTest) -> list[str]:
    """Short texts that must never be cut: headings, widget labels and options, metric labels, tabs."""
    out = [str(e.value) for kind in ("subheader", "header") for e in at.get(kind)]
    out += [m.proto.label for m in at.get("metric")]
    for kind in ("button", "radio", "selectbox", "tab", "expander", "download_button"):
        for widget in at.get(kind):
            out += [str(getattr(widget.proto, "label", "")), *(str(o) for o in getattr(widget.proto, "options", []))]
    return [label for label in out if label]


def leaks(at: AppTest) -> list[str]:
    found = []
    for text in visible_text(at):
        for what, pattern in LEAKS.items():
            for m in pattern.finditer(text):
                found.append(f"{what}: {m.group(0)!r} in …{text[max(0, m.start() - 60):m.end() + 60]!r}…")
    found += [f"a label cut with an ellipsis: {label!r}" for label in labels(at)
              if label.rstrip().endswith(("…", "..."))]
    return found


def visit(at: AppTest, zone: str | None, tab: str) -> AppTest:
    at.radio(key="atlas_zone_radio").set_value(zone or "(none)")
    at.query_params["tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("zone", [None, *ZONES])
def test_every_tab_shows_only_text_for_people(zone: str | None) -> None:
    at = AppTest.from_file(str(sealed_app()), default_timeout=TIMEOUT)
    at.run()
    found: dict[str, list[str]] = {}
    for tab in TABS:
        visit(at, zone, tab)
        if tab == "Search":  # results too
            at.text_input(key="atlas_search").input("Homs").run()
            assert "results 1–" in "".join(str(h.proto.body) for h in at.get("html"))
        if problems := leaks(at):
            found[tab] = problems
    assert not found, found


@pytest.mark.parametrize("tab", ["Add a document", "Review"])
def test_a_curators_views_show_only_text_for_people(tab: str) -> None:
    at = AppTest.from_file(str(sealed_app()), default_timeout=TIMEOUT)
    at.query_params["tab"] = tab
    at.run()
    sign_in_app(at)
    assert not leaks(visit(at, "north-homs", tab)), leaks(at)


@pytest.mark.parametrize("text", [
    "Confidence: {'level': 'medium'}", "2017-08-06 (inferred-day)", "· date unknown (unknown)", "from “Status” (idlib.status)",
    "Committee of National Justice: Committee of National Justice", "3 passage(s)",
    "could not be re-checked from the build machine (no internet)", "status: None",
])
def test_the_scan_catches_each_leak_the_issue_names(text: str) -> None:
    """The patterns are not vacuous: each leak issue 15 quotes is caught."""
    assert any(p.search(text) for p in LEAKS.values()), text
