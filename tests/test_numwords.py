"""Counts written in words become candidate figures with exact spans (issue 16, point 6)."""
from __future__ import annotations

import pytest

from components.ingest.numwords import extract_word_counts


@pytest.mark.parametrize(("text", "quote", "kind", "value", "qualifier"), [
    ("Forces took three villages on Monday.", "three villages", "settlements", 3, "exactly"),
    ("Shelling hit dozens of towns in the south.", "dozens of towns", "settlements", 24, "more than"),
    ("They said more than a hundred civilians had left.", "more than a hundred civilians", "population", 100, "more than"),
    ("Some twenty-five people were hurt.", "Some twenty-five people", "population", 25, "about"),
    ("Tens of thousands of people fled.", "Tens of thousands of people", "population", 20_000, "more than"),
    ("Two hundred displaced people arrived.", "Two hundred displaced people", "population", 200, "exactly"),
    ("Военные заявили, что три деревни перешли под контроль.", "три деревни", "settlements", 3, "exactly"),
    ("Погибли более ста человек.", "более ста человек", "population", 100, "more than"),
    ("Тысячи жителей покинули город.", "Тысячи жителей", "population", 2000, "more than"),
    ("قصفت الطائرات ثلاث قرى في الريف.", "ثلاث قرى", "settlements", 3, "exactly"),
    ("ونزح عشرات المدنيين.", "عشرات المدنيين", "population", 20, "more than"),
    ("وقتل أكثر من عشرة أشخاص.", "أكثر من عشرة أشخاص", "population", 10, "more than"),
])
def test_counts_in_words(text: str, quote: str, kind: str, value: int, qualifier: str) -> None:
    base = 1000
    [fact] = extract_word_counts("doc", text, base)
    assert (fact.quote, fact.kind, fact.value, fact.qualifier) == (quote, kind, value, qualifier)
    assert text[fact.start - base:fact.end - base] == quote


@pytest.mark.parametrize("text", [
    "A village was shelled.", "One of the people said so.", "People in three of the towns.", "Они жили в деревне.", "قرية واحدة",
])
def test_no_count_where_there_is_none(text: str) -> None:
    assert extract_word_counts("doc", text, 0) == []
