"""The ingestion shortcuts (issue 12, ingestion speed) find exactly what the plain scans find.

Each shortcut skips part of a regular-expression scan that cannot match (before a date's first
possible start, after a count's last noun, a passage without a context word) or reaches the
same text another way (ASCII search folding, the zone scanner without redundant ``\\b``). Here
each is compared with the plain scan on hand-picked edge cases and on generated text; the
pipeline digest (tests/test_pipeline_digest.py) compares the stored rows of whole corpora.
"""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from components.ingest import default_zone_linker, extract
from components.ingest.fastre import CaselessScanner, top_level_alternatives, without_leading_boundaries
from components.ingest.zonelink import CONTEXT_PATTERNS, CONTEXT_WORDS, ZONE_TALK
from components.store.folding import _NOT_ALNUM, search_fold
from components.textfold import fold_text

DATE_CASES = (
    "On 6th of May 2017 the talks resumed.", "in mid-July", "Since  May, and by\u00a0late June 2018", "x6 May",
    "6\u00a0May", "Marea said on 5 June that -5 May was wrong", "May", "May 4", "no month at all 2017",
    "the Mayor said On 12 of September, 2017", "early-August 2017 and Sept. 3", "Until \u00a0 Jan. 9th, 2018",
    "\u0130dlib, 3rd of March", "fromMay 5", "On On 5 May", "1 2 3 4 5 June",
    "On 5 May and again on 6 June 2017, then Marea, then early July", "May 4 May 5 May 6", "On May 4On May 5",
    "Maybe in June - - 3 July", "On 3 JulyAugust 4", "since 1 May 2017  Since  2 June",
)
COUNT_CASES = (
    "more than 147,000 people", "some 2.5 million residents fled", "84 settlements and 12 towns and villages",
    "a population of 40,000 and 3 towns", "\u0130dlib had 300 people", "5 peoples", "2017 the people", "people 5",
    "nearly 1,000 of the displaced civilians", "towns", "population of about 3 million",
)
WORDS = st.sampled_from(["On", "of", "6th", "May", "Mayor", "June", "Sept.", "mid-", "early", "in", "Since", "2017",
                         "people", "towns", "and", "villages", "population", "of", "more", "than", "1,000", "5",
                         "Homs", "Hims", "Damascus", "suburbs", "south", "the", "zone", "ceasefire", "Idlib", "Idleb",
                         "northern", "Hama", "countryside", "Ghouta", "Western", "Daraa", "\u0130", "\u00e9", "\u00a0",
                         "-", ",", ".", "  ", "\n"])
TEXTS = st.lists(WORDS, max_size=30).map(" ".join)


def plain_dates(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in extract.DATE_SCAN.finditer(text)] if extract.MONTH_HINT_RE.search(text) else []


def shortcut_dates(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in extract.date_hits(text)]


def plain_counts(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in extract.COUNT_SCAN.finditer(text)]


def shortcut_counts(text: str) -> list[tuple[int, int]]:
    lowered = text.lower()
    end = extract._count_scan_end(lowered)
    if end < 0 and len(lowered) == len(text):
        return []
    return [m.span() for m in extract.COUNT_SCAN.finditer(text, lowered, end)]


def old_zone_scanner() -> CaselessScanner:
    """The zone description scanner as it was built before the shortcut."""
    linker = default_zone_linker()
    everything = "|".join(f"(?:{rx.pattern})" for rx in linker._zone_patterns.values())
    return CaselessScanner(rf"\b(?:{everything})")


def test_top_level_alternatives_respect_groups_classes_and_escapes() -> None:
    assert top_level_alternatives(r"a|(?:b|c)|[|]|\|x|[]|]|[^]|]") == ["a", "(?:b|c)", "[|]", r"\|x", "[]|]", "[^]|]"]
    assert without_leading_boundaries(r"\bRastan\b|\bHoul(?:a|\beh)\b|x") == r"Rastan\b|Houl(?:a|\beh)\b|x"


def test_date_scan_from_its_start_finds_the_same_dates_in_edge_cases() -> None:
    for text in DATE_CASES:
        assert shortcut_dates(text) == plain_dates(text), text
    assert shortcut_dates("On 6th of May 2017") == [(0, 18)]  # the shortcut does not cut the prefix words
    # after a date the scan resumes at the next month name's window, not at the month itself
    assert shortcut_dates("On 5 May, nothing, then on 6 June") == [(0, 8), (24, 33)]


def test_count_scan_up_to_the_last_noun_finds_the_same_counts_in_edge_cases() -> None:
    for text in COUNT_CASES:
        assert shortcut_counts(text) == plain_counts(text), text
    assert [f.value for f in extract.extract_counts("d", "a population of 40,000 and 3 towns", 0)] == [3, 40000]


def test_zone_scanner_without_inner_boundaries_matches_like_the_old_one() -> None:
    new, old = default_zone_linker()._descriptions, old_zone_scanner()
    assert new is not None and new.fast.pattern != old.fast.pattern
    for text in ("Idlib and Idleb", "northern Hama countryside", "the Homs de-escalation zone", "xIdlib",
                 "\u0130dlib north-west Syria", "Western Ghouta, eastern Ghouta", "rural Damascus"):
        assert [m.span() for m in new.finditer(text)] == [m.span() for m in old.finditer(text)], text


def test_every_context_pattern_holds_one_of_its_words() -> None:
    for zone, pattern in CONTEXT_PATTERNS.items():
        words = CONTEXT_WORDS[zone]
        for text in ("Homs", "HIMS", "Damascus suburbs", "outskirts of Damascus", "in the south", "across the South"):
            for match in re.finditer(pattern, text, re.IGNORECASE):
                assert any(w in match.group(0).lower() for w in words), (zone, text)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_shortcuts_equal_the_plain_scans_on_generated_text(text: str) -> None:
    assert shortcut_dates(text) == plain_dates(text)
    assert shortcut_counts(text) == plain_counts(text)
    linker = default_zone_linker()
    assert linker._descriptions is not None
    assert [m.span() for m in linker._descriptions.finditer(text)] == [m.span() for m in old_zone_scanner().finditer(text)]
    assert search_fold(text) == _NOT_ALNUM.sub(" ", fold_text(text)).strip()
    if ZONE_TALK.search(text):  # a skipped context scan would have found nothing
        lowered = text.lower()
        for zone, pattern in CONTEXT_PATTERNS.items():
            if len(lowered) == len(text) and not any(w in lowered for w in CONTEXT_WORDS[zone]):
                assert re.search(pattern, text, re.IGNORECASE) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aAbBzZ _-09\t\n.'\u00e9\u0130\u2019x", max_size=16))
def test_ascii_search_fold_equals_the_regex_fold(text: str) -> None:
    assert search_fold(text) == _NOT_ALNUM.sub(" ", fold_text(text)).strip()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9),
       st.one_of(st.text(max_size=20), st.integers(min_value=-10**18, max_value=10**18), st.booleans(), st.none()))
def test_candidate_json_written_directly_equals_the_encoders(quote: str, start: int, end: int, value: object) -> None:
    """The stored citation and value JSON (``derived_rows``) are the encoder's exact text, quotes, control
    characters, non-ASCII and lone surrogates included."""
    from components.ingest.extract import CandidateFact
    from components.store.ingest import _citation_json, _to_json, _value_json

    fact = CandidateFact(kind="party", value=value, value_type="text", doc=f"d{quote[:3]}", start=start, end=end, quote=quote)
    assert _citation_json(fact) == _to_json(fact.citation.as_dict())
    assert _value_json(value) == _to_json(value)
