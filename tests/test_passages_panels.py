"""Passages, highlighting, panel content and permalink parsing."""
from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from components.atlas import load_atlas
from components.panels import document_views, format_value, zone_fact_views, zone_passages
from components.passages import Span, grapheme_bounds, highlight_html, split_passages
from components.urlstate import parse_zone_param
from components.zones import ZONE_IDS

ATLAS = load_atlas()
SEED = "000_6a7ef684703209c4"


def marks(fragment: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r"<mark[^>]*>(.*?)</mark>", fragment, flags=re.S)]


def test_passages_slice_to_their_text() -> None:
    doc = ATLAS.corpus.get(SEED)
    passages = split_passages(SEED, doc.text)
    assert len(passages) >= 20
    for p in passages:
        assert doc.text[p.start:p.end] == p.text and p.text == p.text.strip() and p.text


@given(st.text())
def test_split_passages_any_text(text: str) -> None:
    for p in split_passages("d", text):
        assert text[p.start:p.end] == p.text


@given(st.text(min_size=1), st.data())
def test_highlight_marks_exactly_the_spans(text: str, data) -> None:
    a = data.draw(st.integers(0, len(text) - 1))
    b = data.draw(st.integers(a + 1, len(text)))
    out = highlight_html(text, 0, len(text), [Span(a, b, ("f",))])
    bounds = grapheme_bounds(text, 0, len(text))  # a mark is widened to whole grapheme clusters (issue 17)
    start, end = max(x for x in bounds if x <= a), min(x for x in bounds if x >= b)
    assert "".join(marks(out)) == text[start:end]
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == text


def test_highlight_escapes_hostile_text() -> None:
    text = 'x <script>alert(1)</script> </mark><img src=x onerror=alert(2)> y'
    out = highlight_html(text, 0, len(text), [Span(2, 30, ("f<1>",))])
    assert "<script>" not in out and "<img" not in out and 'title="f&lt;1&gt;"' in out
    assert "".join(marks(out)) == text[2:30]


def test_overlapping_spans_are_split_not_nested() -> None:
    text = "abcdefghij"
    out = highlight_html(text, 0, 10, [Span(1, 6, ("a",)), Span(4, 9, ("b",))])
    assert "<mark" in out and "<mark" not in re.sub(r"<mark[^>]*>[^<]*</mark>", "", out)
    assert "".join(marks(out)) == text[1:9]


def test_typed_values_read_naturally() -> None:
    by_id = ATLAS.facts.by_id()
    assert format_value(by_id["north-homs.settlements"]) == "84 settlements"
    assert format_value(by_id["north-homs.population"]) == "more than 147,000 people"
    assert format_value(by_id["all.in-force"]) == "6 May 2017"
    assert format_value(by_id["north-homs.borders-agreed"]) == "early July 2017"
    assert format_value(by_id["all.observers"]) == "United States, Jordan, United Nations"


def test_zone_panels_have_their_facts() -> None:
    homs = {v.fact.id for v in zone_fact_views(ATLAS, "north-homs")}
    assert {"north-homs.settlements", "north-homs.population", "all.in-force", "all.observers"} <= homs
    assert "idlib.status" not in homs


def test_zone_passages_mark_text_found_verbatim_in_source() -> None:
    doc = ATLAS.corpus.get(SEED)
    for zone in ZONE_IDS:
        views = zone_passages(ATLAS, zone)[SEED]
        assert views
        for view in views:
            found = marks(view.html)
            assert found and all(m in doc.text for m in found)


def test_whole_document_passages_link_back_to_zones() -> None:
    views = document_views(ATLAS, SEED)
    assert sum(len(v.passage.text) for v in views) > 4000
    settlements = next(v for v in views if "84 settlements" in v.passage.text)
    assert settlements.zones == ("north-homs",)
    operating = next(v for v in views if "operating effectively" in v.passage.text)
    assert set(operating.zones) >= {"south", "eastern-ghouta"}


def test_zone_param() -> None:
    assert parse_zone_param("north-homs", ZONE_IDS).zone_id == "north-homs"
    assert parse_zone_param(" North-Homs ", ZONE_IDS).zone_id == "north-homs"
    assert parse_zone_param(None, ZONE_IDS).message is None
    unknown = parse_zone_param("aleppo", ZONE_IDS)
    assert unknown.zone_id is None and "aleppo" in unknown.message
    assert parse_zone_param("", ZONE_IDS).message
    assert "characters long" in parse_zone_param("x" * 500, ZONE_IDS).message
