"""Search folding: the one text fold (:mod:`components.textfold`), applied per character.

A passage is folded character by character with the text fold (case,
diacritics, ayn/hamza marks dropped, runs of one repeated letter squeezed, so
"Daraa" and "Dar'a" are both "dara"), every other non-alphanumeric character
becomes a space and runs of spaces collapse to one. Each folded character
keeps the start and end of the original characters it stands for
(:func:`fold_with_offsets`), so a hit maps back to exact document offsets,
which highlighting needs. The indexed text is padded with a space at each end
so whole-word matches are `` name ``.
"""
from __future__ import annotations

import unicodedata
from functools import cache

from components.textfold import MARKS
from components.textfold import fold_char as text_fold_char


@cache
def fold_char(char: str) -> str:
    """The search fold of one character: letters/digits folded, ayn/hamza marks dropped, the rest a space."""
    folded = text_fold_char(char)
    if folded:
        return "".join(c if c.isalnum() else " " for c in folded)
    return "" if char in MARKS or unicodedata.combining(char) else " "


def _folded_chars(text: str) -> tuple[list[str], list[int], list[int]]:
    """Folded characters with, for each, the start and end (exclusive) of what it stands for in ``text``.

    A run of one repeated letter, or of spaces, is one character standing for the whole run.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, char in enumerate(text):
        piece = fold_char(char)
        if not piece and ends and ends[-1] == i:  # a dropped mark belongs to the character before it
            ends[-1] = i + 1
        for f in piece:
            if out and out[-1] == f and (f == " " or f.isalpha()):
                ends[-1] = i + 1
            else:
                out.append(f)
                starts.append(i)
                ends.append(i + 1)
    return out, starts, ends


def search_fold(text: str) -> str:
    """Folded text for the index or a query: no leading/trailing space, single spaces."""
    return "".join(_folded_chars(text)[0]).strip()


def indexed_text(text: str) -> str:
    """What the FTS index stores for a passage: `` folded ``."""
    return f" {search_fold(text)} "


def fold_with_offsets(text: str, base: int = 0) -> tuple[str, list[int], list[int]]:
    """``indexed_text(text)`` and, per character, the start and end (plus ``base``) of the characters of
    ``text`` it stands for (the padding spaces stand for nothing at the ends)."""
    chars, starts, ends = _folded_chars(text)
    while chars and chars[0] == " ":
        chars, starts, ends = chars[1:], starts[1:], ends[1:]
    while chars and chars[-1] == " ":
        chars, starts, ends = chars[:-1], starts[:-1], ends[:-1]
    folded = " " + "".join(chars) + " "
    return (folded, [base] + [base + s for s in starts] + [base + len(text)],
            [base] + [base + e for e in ends] + [base + len(text)])


def find_in_folded(folded: str, starts: list[int], ends: list[int], needle: str) -> list[tuple[int, int]]:
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
        spans.append((starts[a], ends[b]))
        pos = folded.find(needle, pos + max(1, len(needle) - 1))
    return spans
