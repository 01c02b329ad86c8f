"""Passages (paragraphs) with exact offsets, and citation highlighting as escaped HTML.

Invariant: for every passage ``text[p.start:p.end] == p.text``.
"""
from __future__ import annotations

import bisect
import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

import regex

_CLUSTER = regex.compile(r"\X")


@dataclass(frozen=True)
class Passage:
    doc: str
    index: int
    start: int
    end: int
    text: str

    def overlaps(self, start: int, end: int) -> bool:
        return start < self.end and self.start < end


@dataclass(frozen=True)
class Span:
    """A highlighted range in document offsets, with the fact ids it supports."""

    start: int
    end: int
    labels: tuple[str, ...]


def split_passages(doc_id: str, text: str) -> list[Passage]:
    """One passage per non-blank line (news copy puts a paragraph on a line).

    Leading/trailing whitespace of a line is left outside the passage. O(L) for L characters.
    """
    passages: list[Passage] = []
    position = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            start = position + (len(line) - len(line.lstrip()))
            end = start + len(stripped)
            passages.append(Passage(doc=doc_id, index=len(passages), start=start, end=end, text=text[start:end]))
        position += len(line)
    return passages


def grapheme_bounds(text: str, start: int, end: int) -> list[int]:
    """Offsets (document offsets) where a grapheme cluster of ``text[start:end]`` begins, plus ``end``.

    Uses the ``regex`` package's ``\\X`` (Unicode extended grapheme clusters, UAX #29), so a
    combining accent or a joined emoji is never separated from its base. O(end - start).
    """
    bounds = [m.start() for m in _CLUSTER.finditer(text, start, end)]
    bounds.append(end)
    return bounds


def shown_length(text: str, limit: int) -> int:
    """The length of the longest prefix of ``text`` of at most ``limit`` characters that ends on a
    grapheme cluster boundary (``len(text)`` if it is shorter). O(limit)."""
    if len(text) <= limit:
        return len(text)
    bounds = grapheme_bounds(text, 0, min(len(text), limit + 1))
    return max((b for b in bounds if b <= limit), default=0)


def _snap(offset: int, bounds: list[int], outward_right: bool) -> int:
    """``offset`` moved to a cluster boundary: left for a mark's start, right for its end. O(log n)."""
    i = bisect.bisect_left(bounds, offset)
    if i < len(bounds) and bounds[i] == offset:
        return offset
    return bounds[min(i, len(bounds) - 1)] if outward_right else bounds[max(i - 1, 0)]


def highlight_html(text: str, start: int, end: int, spans: Iterable[Span], mark_attrs: str = "", base: int = 0,
                   title_prefix: str = "", title_join: str = ", ") -> str:
    """Escaped HTML of ``text[start:end]`` with every span inside wrapped in ``<mark>``.

    Overlapping spans are split at their boundaries, so each character is
    marked at most once and the marks' text concatenates to the cited text.
    A span's ends are widened to grapheme cluster boundaries (a mark never
    splits a letter from its combining accent). Everything from the document
    is escaped; only our own tags are HTML. ``base`` is added to the offsets
    written in ``data-start``/``data-end`` (when ``text`` is a window of a
    longer document). A mark's ``title`` (its tooltip) is ``title_prefix`` and
    its labels joined by ``title_join``: labels are what a reader sees.

    Cost: O(L + m log m + output) for L = ``end - start`` characters and m
    spans -- one sweep over the sorted cut points with a running count of the
    active labels (it was O(m²): every segment scanned every span).
    """
    clipped = [(max(s.start, start), min(s.end, end), s.labels) for s in spans if s.start < end and start < s.end]
    if clipped and not text.isascii():
        bounds = grapheme_bounds(text, start, end)
        clipped = [(_snap(a, bounds, False), _snap(b, bounds, True), ls) for a, b, ls in clipped]
    opening = sorted(clipped, key=lambda c: c[0])
    closing = sorted(clipped, key=lambda c: c[1])
    cuts = sorted({start, end, *(a for a, _, _ in clipped), *(b for _, b, _ in clipped)})
    active: Counter[str] = Counter()
    i = j = 0
    parts: list[str] = []
    for a, b in pairwise(cuts):
        while j < len(closing) and closing[j][1] <= a:
            active.subtract(closing[j][2])
            j += 1
        while i < len(opening) and opening[i][0] <= a:
            active.update(opening[i][2])
            i += 1
        chunk = html.escape(text[a:b])
        labels = sorted(label for label, n in active.items() if n > 0)
        if labels:
            title = html.escape(title_prefix + title_join.join(labels), quote=True)
            parts.append(f'<mark data-start="{base + a}" data-end="{base + b}" title="{title}"{mark_attrs}>{chunk}</mark>')
        else:
            parts.append(chunk)
        if len(active) > 4 * len(labels) + 16:  # drop spent labels so the sweep stays linear
            active = Counter({k: n for k, n in active.items() if n > 0})
    return "".join(parts)
