"""Search folding: the gazetteer's :func:`components.gazetteer.fold`, applied per character.

A passage is folded character by character with the gazetteer's fold (case,
diacritics, ayn/hamza marks), every other non-alphanumeric character becomes a
space and runs of spaces collapse to one. Because each output character comes
from exactly one input character, the folded text maps back to exact document
offsets (:func:`fold_with_offsets`), which highlighting needs. The indexed text
is padded with a space at each end so whole-word matches are `` name ``.
"""
from __future__ import annotations

import re
from functools import cache

from components.gazetteer import fold

_SPACES = re.compile(r" {2,}")


@cache
def fold_char(char: str) -> str:
    """The search fold of one character: letters/digits folded, marks dropped, the rest a space."""
    folded = fold(char)
    if folded:
        return "".join(c if c.isalnum() else " " for c in folded)
    if fold(f"a{char}a") == "aa":  # an ayn/hamza mark the gazetteer drops: "Dar'a" -> "dara"
        return ""
    return " "


class _Table(dict):
    def __missing__(self, codepoint: int) -> str:
        value = fold_char(chr(codepoint))
        self[codepoint] = value
        return value


_TABLE = _Table()


def search_fold(text: str) -> str:
    """Folded text for the index or a query: no leading/trailing space, single spaces."""
    return _SPACES.sub(" ", text.translate(_TABLE)).strip()


def indexed_text(text: str) -> str:
    """What the FTS index stores for a passage: `` folded ``."""
    return f" {search_fold(text)} "


def fold_with_offsets(text: str, base: int = 0) -> tuple[str, list[int]]:
    """``indexed_text(text)`` and, for each of its characters, the offset (plus ``base``) of the
    character of ``text`` it came from (the padding spaces map to the ends)."""
    out: list[str] = [" "]
    offsets: list[int] = [base]
    for i, char in enumerate(text):
        for f in fold_char(char):
            if f == " " and out[-1] == " ":
                continue
            out.append(f)
            offsets.append(base + i)
    if out[-1] != " ":
        out.append(" ")
        offsets.append(base + len(text))
    return "".join(out), offsets


def find_in_folded(folded: str, offsets: list[int], needle: str, text_end: int) -> list[tuple[int, int]]:
    """Every occurrence of ``needle`` in ``folded`` as (start, end) offsets of the original text.

    Padding spaces of a whole-word needle are not part of the span.
    """
    core = needle.strip()
    lead = len(needle) - len(needle.lstrip())
    spans: list[tuple[int, int]] = []
    pos = folded.find(needle)
    while pos >= 0 and core:
        a = pos + lead
        b = a + len(core) - 1
        spans.append((offsets[a], min(offsets[b] + 1, text_end)))
        pos = folded.find(needle, pos + max(1, len(needle) - 1))
    return spans
