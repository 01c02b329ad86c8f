"""Passages (paragraphs) with exact offsets, and citation highlighting as escaped HTML.

Invariant: for every passage ``text[p.start:p.end] == p.text``.
"""
from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise


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

    Leading/trailing whitespace of a line is left outside the passage.
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


def highlight_html(text: str, start: int, end: int, spans: Iterable[Span], mark_attrs: str = "") -> str:
    """Escaped HTML of ``text[start:end]`` with every span inside wrapped in ``<mark>``.

    Overlapping spans are split at their boundaries, so each character is
    marked at most once and the marks' text concatenates to the cited text.
    Everything from the document is escaped; only our own tags are HTML.
    """
    clipped = [(max(s.start, start), min(s.end, end), s.labels) for s in spans if s.start < end and start < s.end]
    cuts = sorted({start, end, *[a for a, _, _ in clipped], *[b for _, b, _ in clipped]})
    parts: list[str] = []
    for a, b in pairwise(cuts):
        labels = sorted({label for s, e, ls in clipped if s <= a and b <= e for label in ls})
        chunk = html.escape(text[a:b])
        if labels:
            title = html.escape(", ".join(labels), quote=True)
            parts.append(f'<mark data-start="{a}" data-end="{b}" title="{title}"{mark_attrs}>{chunk}</mark>')
        else:
            parts.append(chunk)
    return "".join(parts)
