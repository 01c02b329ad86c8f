"""Fast case-insensitive scanning for big regex alternations.

Python's ``re`` cannot use its first-character prefilter when a pattern is
compiled with IGNORECASE or wraps every branch in a named group, so a long
alternation is tried at every position. Scanning the lowercased text with a
lowercased, capture-free pattern is several times faster; offsets carry over
because we only do it when ``text.lower()`` has the same length (it always
does except for a few characters such as "\u0130", for which the slow
IGNORECASE pattern is used instead).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

_ESCAPE_OR_UPPER = re.compile(r"(\\.)|([A-Z])")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def lower_pattern(pattern: str) -> str:
    """The pattern with its literal capitals lowercased (escapes such as \\b, \\S kept)."""
    return _ESCAPE_OR_UPPER.sub(lambda m: m.group(1) or m.group(2).lower(), pattern)


def without_names(pattern: str) -> str:
    """Named groups turned into non-capturing groups."""
    return _NAMED_GROUP.sub("(?:", pattern)


class CaselessScanner:
    """Spans where ``pattern`` matches, ignoring case; no capture groups needed."""

    def __init__(self, pattern: str) -> None:
        plain = without_names(pattern)
        self.fast = re.compile(lower_pattern(plain))
        self.slow = re.compile(plain, re.IGNORECASE)

    def finditer(self, text: str, lowered: str | None = None, endpos: int | None = None) -> Iterator[re.Match[str]]:
        """Matches (in ``lowered`` or ``text``: use only their offsets); pass ``text.lower()`` if you have it.

        ``endpos``: a position in ``lowered`` that no match reaches and whose character no match needs
        to see (scanning stops there); ignored when ``text`` itself is scanned."""
        lowered = text.lower() if lowered is None else lowered
        if len(lowered) == len(text):
            return self.fast.finditer(lowered, 0, len(lowered) if endpos is None else endpos)
        return self.slow.finditer(text)

    def search(self, text: str, lowered: str | None = None) -> bool:
        lowered = text.lower() if lowered is None else lowered
        if len(lowered) == len(text):
            return self.fast.search(lowered) is not None
        return self.slow.search(text) is not None


def top_level_alternatives(pattern: str) -> list[str]:
    """The pattern's alternatives at the outermost level (``a|(?:b|c)|[|]`` -> ``a``, ``(?:b|c)``, ``[|]``)."""
    parts: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":  # a class: "]" right after "[" or "[^" is a literal, escapes are skipped
            i += 2 if pattern[i + 1:i + 2] == "^" else 1
            i += 1 if pattern[i:i + 1] == "]" else 0
            while i < len(pattern) and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def without_leading_boundaries(pattern: str) -> str:
    """The pattern with the ``\\b`` that opens each top-level alternative removed, for use right after a
    ``\\b`` of its own: ``\\b(?:X)`` then matches exactly what it matched before, but each alternative
    starts with a literal, which ``re`` rejects with one character comparison (a leading ``\\b`` or group
    is entered at every word start)."""
    return "|".join(alt.removeprefix("\\b") for alt in top_level_alternatives(pattern))
