"""Sentences with exact offsets (passages come from :func:`components.passages.split_passages`).

Invariant: for every sentence ``text[s.start:s.end] == s.text``.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (plus closing quotes or
brackets) followed by whitespace and a capital letter, digit or opening
quote -- unless the word before the full stop is a known abbreviation
("Maj.", "Gen.", "Col.", "Dr.", "Jan.") or an initial ("U.S.", "J.").
After "U.S." / "U.N." a new sentence starts only before a common sentence
opener ("The", "It", ...), because "the U.S. Army" is far more common in
news than a sentence ending in "U.S.".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from components.passages import Passage, split_passages

__all__ = ["ABBREVIATIONS", "Passage", "Sentence", "split_passages", "split_sentences"]

ABBREVIATIONS: frozenset[str] = frozenset({
    # ranks and titles
    "maj", "gen", "col", "lt", "ltc", "capt", "cpt", "sgt", "cpl", "pvt", "adm", "brig", "cmdr", "cdr",
    "gov", "sen", "rep", "pres", "amb", "dr", "mr", "mrs", "ms", "prof", "rev", "st", "jr", "sr", "hon",
    # months
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    # others
    "no", "nos", "vs", "etc", "approx", "est", "dept", "govt", "min", "max", "fig", "vol", "inc", "ltd",
    "co", "corp", "mt", "ft", "km", "sq", "e.g", "i.e", "cf", "al",
})
# After an initialism ("U.S.") these words start a new sentence.
SENTENCE_OPENERS: frozenset[str] = frozenset({
    "The", "This", "That", "These", "Those", "It", "Its", "He", "She", "They", "We", "I", "But", "And",
    "In", "On", "At", "A", "An", "Earlier", "Meanwhile", "However", "According", "There",
})

_BOUNDARY_RE = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[0-9A-Z\u0600-\u06ff])")
_WORD_BEFORE_RE = re.compile(r"([A-Za-z]+(?:\.[A-Za-z]+)*)\.$")
_NEXT_WORD_RE = re.compile(r"\s+[\"'\u201c\u2018(\[]?([^\s]+)")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def _is_abbreviation_stop(text: str, stop: int) -> bool:
    """True when the '.' ending at ``stop`` belongs to an abbreviation or initial."""
    window = text[max(0, stop - 20):stop]
    match = _WORD_BEFORE_RE.search(window)
    if not match:
        return False
    word = match.group(1)
    if word.lower() in ABBREVIATIONS:
        return True
    if "." in word or (len(word) == 1 and word.isupper()):
        # "U.S." or an initial "J." -- a boundary only before a sentence opener.
        following = _NEXT_WORD_RE.match(text, stop)
        return not (following and following.group(1).rstrip(",;:") in SENTENCE_OPENERS)
    return False


def _trimmed(text: str, start: int, end: int) -> Sentence | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(start, end, text[start:end]) if start < end else None


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Sentences of ``text[start:end]`` with offsets into ``text``; none crosses a line break."""
    end = len(text) if end is None else end
    sentences: list[Sentence] = []
    for passage in split_passages("", text[start:end]):
        sentences += _sentences_in_line(text, start + passage.start, start + passage.end)
    return sentences


def _sentences_in_line(text: str, start: int, end: int) -> list[Sentence]:
    sentences: list[Sentence] = []
    cursor = start
    for match in _BOUNDARY_RE.finditer(text, start, end):
        stop = match.end()
        if text[match.start()] == "." and match.end() - match.start() == 1 and _is_abbreviation_stop(text, match.start() + 1):
            continue
        sentence = _trimmed(text, cursor, stop)
        if sentence:
            sentences.append(sentence)
        cursor = stop
    last = _trimmed(text, cursor, end)
    if last:
        sentences.append(last)
    return sentences
