"""Search folding: the one text fold (:mod:`components.textfold`) with word boundaries made plain.

The text fold (case, diacritics, ayn/hamza marks dropped, runs of one repeated
letter squeezed, so "Daraa" and "Dar'a" are both "dara") is applied first; then
every character that is not a letter or digit becomes a space and runs of spaces
collapse to one. :func:`fold_with_offsets` builds on
:func:`components.textfold.fold_with_offsets`, so each folded character keeps the
start and end of the original characters it stands for and a hit maps back to
exact document offsets, which highlighting needs. The indexed text is padded with
a space at each end so whole-word matches are `` name ``.
"""
from __future__ import annotations

import re

from components.textfold import fold_chars, squeeze
from components.textfold import fold_with_offsets as text_fold_with_offsets

_NOT_ALNUM = re.compile(r"[\W_]+")  # \w is str.isalnum() plus "_"


_ASCII_NOT_ALNUM = {c: " " for c in range(128) if not chr(c).isalnum()}  # for str.translate


class _SqueezedWords(dict[str, str]):
    """word -> ``squeeze(word)``, filled as words are met (a corpus repeats a few thousand words)."""

    def __missing__(self, word: str) -> str:
        squeezed = squeeze(word)
        if len(self) < 200_000:
            self[word] = squeezed
        return squeezed


_SQUEEZED = _SqueezedWords()


def search_fold(text: str) -> str:
    """Folded text for the index or a query: no leading/trailing space, single spaces.

    ASCII (after the per-character fold) takes a shortcut with the same result: the characters
    that are not letters or digits become spaces first and the words are squeezed one by one
    (cached); squeezing cannot join or split words, which only letters and digits make up."""
    chars = fold_chars(text)
    if chars.isascii():
        return " ".join(map(_SQUEEZED.__getitem__, chars.translate(_ASCII_NOT_ALNUM).split()))
    return _NOT_ALNUM.sub(" ", squeeze(chars)).strip()


def indexed_text(text: str) -> str:
    """What the FTS index stores for a passage: `` folded ``."""
    return f" {search_fold(text)} "


def fold_with_offsets(text: str, base: int = 0) -> tuple[str, list[int], list[int]]:
    """``indexed_text(text)`` and, per character, the start and end (plus ``base``) of the characters of
    ``text`` it stands for (the padding spaces stand for nothing at the ends)."""
    folded, text_starts, text_ends = text_fold_with_offsets(text)
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for folded_char, a, b in zip(folded, text_starts, text_ends, strict=True):
        char = folded_char if folded_char.isalnum() else " "
        if char == " " and (not chars or chars[-1] == " "):  # leading, or a run of spaces: one space
            if chars:
                ends[-1] = b
            continue
        chars.append(char)
        starts.append(a)
        ends.append(b)
    if chars and chars[-1] == " ":
        chars, starts, ends = chars[:-1], starts[:-1], ends[:-1]
    return (" " + "".join(chars) + " ", [base] + [base + s for s in starts] + [base + len(text)],
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
