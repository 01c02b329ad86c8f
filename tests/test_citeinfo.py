"""'Who said so' in words: the sentence around a citation, dates, speakers, the reference to copy."""
from __future__ import annotations

import datetime as dt

import pytest

from components.atlas import load_atlas
from components.citeinfo import NO_SPEAKER, citation_info, date_text, fact_permalink, formatted_reference, sentence_bounds
from components.panels import boundary_quality, fact_label, format_value

ATLAS = load_atlas()
SEED = ATLAS.corpus.get("000_6a7ef684703209c4")


def context_of(fact_id: str, n: int = 0) -> str:
    c = ATLAS.facts.by_id()[fact_id].citations[n]
    a, b = sentence_bounds(SEED.text, c.start, c.end)
    return SEED.text[a:b]


def test_the_sentence_around_a_two_word_quote_is_whole() -> None:
    assert " ".join(context_of("north-homs.settlements").split()) == (
        "The spokesman added that 84 settlements with a population of more than 147,000 people were included in the zone.")


def test_a_title_abbreviation_does_not_end_the_sentence() -> None:
    """'Maj. Gen. Igor Konashenkov said Thursday.': the sentence runs past 'Maj.' and 'Gen.'."""
    text = context_of("north-homs.status")
    assert text.startswith("On July 31,") and text.endswith("Konashenkov said Thursday.")


def test_every_context_holds_its_span_exactly_and_stays_in_its_line() -> None:
    for fact in ATLAS.facts.facts:
        for c in fact.citations:
            a, b = sentence_bounds(SEED.text, c.start, c.end)
            assert a <= c.start < c.end <= b and "\n" not in SEED.text[a:b]


def test_a_long_line_is_cut_at_words_around_the_span() -> None:
    text = "word " * 400 + "CITED" + " more" * 400
    start = text.index("CITED")
    a, b = sentence_bounds(text, start, start + 5, limit=50)
    assert start - a <= 50 and b - start - 5 <= 50 and text[a:b].startswith("word") and text[a:b].endswith("more")


@pytest.mark.parametrize(("published", "precision", "expected"), [
    (dt.date(2017, 8, 6), "inferred-day", "6 August 2017 (date inferred from the text)"),
    ("2017-08-06", "day", "6 August 2017"), ("2017-08-01", "month", "August 2017"), (None, "unknown", ""),
])
def test_dates_in_words(published, precision, expected) -> None:
    assert date_text(published, precision) == expected


def test_the_reference_to_copy_names_speaker_source_span_fact_and_link() -> None:
    fact = ATLAS.facts.by_id()["north-homs.settlements"]
    c = fact.citations[0]
    info = citation_info(c, SEED)
    ref = formatted_reference(fact, format_value(fact), c, info, fact_permalink("north-homs", fact.id, dt.date(2017, 8, 6)))
    assert ref.startswith("Igor Konashenkov, Russian Defense Ministry spokesman, in “New Agreement on Safe Zone")
    assert "Sputnik (Sputnik-Middle East), 6 August 2017 (date inferred from the text)." in ref and info.url and info.url in ref
    assert "“84 settlements” (characters 489–503)" in ref
    assert ref.endswith("De-escalation Atlas: ?zone=north-homs&date=2017-08-06#fact-north-homs.settlements")


def test_narration_is_said_to_have_no_speaker() -> None:
    fact = ATLAS.facts.by_id()["all.observers"]
    info = citation_info(fact.citations[0], SEED)
    assert (info.speaker, info.has_speaker) == (NO_SPEAKER, False)
    ref = formatted_reference(fact, format_value(fact), fact.citations[0], info, "{permalink}")
    assert ref.startswith("Unattributed (the article's own words), in “")


def test_a_fact_whose_title_is_its_value_is_named_once() -> None:
    assert fact_label(ATLAS.facts.by_id()["north-homs.committee"]).count("Committee of National Justice") == 1
    assert fact_label(ATLAS.facts.by_id()["north-homs.settlements"]) == "Settlements included: 84 settlements"


def test_boundary_quality_in_words() -> None:
    homs = ATLAS.zone("north-homs")
    q = boundary_quality(homs.properties)
    assert (q.confidence, q.precision) == ("medium-low", "±2–4 km") and "±3–4 km" in q.statement and "{" not in q.statement
    restated = next(x for x in ATLAS.life.extents if "see its boundary.method" in x.feature["properties"].get("method", ""))
    assert "boundary.method" not in boundary_quality(ATLAS.zone(restated.zone).properties, restated.feature["properties"]).method


@pytest.mark.parametrize(("url", "shown"), [
    ("https://example.org/a?b=1&c=2", '<a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">'),
    ("javascript:alert(1)", "address (not a web link): javascript:alert(1)"),
    ('data:text/html,<script>alert(1)</script>', "address (not a web link): data:text/html,&lt;script&gt;"),
    (None, "no link recorded"), ("  ", "no link recorded"),
])
def test_only_web_addresses_become_links(url, shown) -> None:
    from components.ui.safe import link_html
    out = link_html(url)
    assert out.startswith(shown) and ("<a " not in out or url.startswith("https://"))
