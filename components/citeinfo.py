""""Who said so" for a citation, in words (no Streamlit): the speaker, the document's publisher,
publication date and link, the sentence around the cited span, and a reference to copy.

Everything returned is plain text: escape it before it reaches HTML.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from .documents import Document
from .facts import Citation, Fact

CONTEXT_CHARS = 500  # at most this many characters of the sentence on each side of the cited span
# a sentence ends at . ! ? or … (and any closing quotes or brackets) followed by a space or the line's end
_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*(?=\s|$)")
# words whose full stop ends no sentence ("Maj. Gen. Igor Konashenkov"): titles and single initials
_ABBREVIATIONS = frozenset({"maj", "gen", "col", "lt", "capt", "sgt", "brig", "adm", "dr", "mr", "mrs", "ms", "st", "jr",
                            "sr", "prof", "gov", "sen", "rep", "no", "vs", "etc", "u.s", "u.n", "u.k", "e.g", "i.e"})
PRECISION_WORDS = {
    "day": "",
    "inferred-day": " (date inferred from the text)",
    "month": "",
}
_LAST_WORD = re.compile(r"[\w.]+$")
NO_SPEAKER = "no speaker named (the article's own words)"


def _is_sentence_end(text: str, match: re.Match[str]) -> bool:
    if match.group(0)[0] != ".":
        return True
    word = _LAST_WORD.search(text, max(0, match.start() - 24), match.start())  # a bounded look back
    token = word.group(0).casefold() if word else ""
    return not (token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()))


def sentence_bounds(text: str, start: int, end: int, limit: int = CONTEXT_CHARS) -> tuple[int, int]:
    """Offsets of the sentence(s) around ``text[start:end]``, within its line (a passage), at most ``limit``
    characters on each side (cut at a space). The cited span itself is always whole. O(line length)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    lo = max(line_start, start - limit)
    a = lo
    for match in _SENTENCE_END.finditer(text, lo, start):
        if _is_sentence_end(text, match):
            a = match.end()
    b = min(line_end, end + limit)
    for match in _SENTENCE_END.finditer(text, end, b):
        if _is_sentence_end(text, match):
            b = match.end()
            break
    if a == lo and lo > line_start:  # cut inside a long sentence: start at a word
        space = text.find(" ", a, start)
        a = space + 1 if space >= 0 else a
    if b == min(line_end, end + limit) and b < line_end:
        space = text.rfind(" ", end, b)
        b = space if space >= 0 else b
    while a < start and text[a].isspace():
        a += 1
    while b > end and text[b - 1].isspace():
        b -= 1
    return a, b


def date_text(published: dt.date | str | None, precision: str | None) -> str:
    """'6 August 2017', '6 August 2017 (inferred from the text)', 'August 2017'; '' when not known."""
    if not published:
        return ""
    try:
        day = published if isinstance(published, dt.date) else dt.date.fromisoformat(str(published)[:10])
    except ValueError:
        return str(published)
    if precision == "month":
        return f"{day:%B %Y}"
    return f"{day.day} {day:%B %Y}{PRECISION_WORDS.get(precision or 'day', '')}"


def speaker_text(citation: Citation) -> str:
    """'Igor Konashenkov, Russian Defense Ministry spokesman', or that the article names no speaker."""
    return citation.speaker.label if citation.speaker else NO_SPEAKER


@dataclass(frozen=True)
class CitationInfo:
    """What a reader needs to judge one citation. ``context`` is (start, end) of the sentence around it."""

    speaker: str
    has_speaker: bool
    title: str
    publisher: str
    published: str
    url: str | None
    context: tuple[int, int]


def citation_info(citation: Citation, doc: Document) -> CitationInfo:
    meta = doc.meta
    return CitationInfo(
        speaker=speaker_text(citation), has_speaker=citation.speaker is not None, title=doc.title,
        publisher=meta.publisher, published=date_text(meta.published, meta.date_precision), url=meta.url or None,
        context=sentence_bounds(doc.text, citation.start, citation.end),
    )


def fact_permalink(zone_id: str, fact_id: str, day: dt.date | None = None) -> str:
    """The app-relative link to a fact's card: '?zone=north-homs&date=2017-08-06#fact-north-homs.settlements'."""
    params = {"zone": zone_id, **({"date": day.isoformat()} if day else {})}
    return f"?{urlencode(params)}#{fact_anchor(fact_id)}"


def fact_anchor(fact_id: str) -> str:
    """The id of a fact's card in the page (URL-safe)."""
    return "fact-" + quote(fact_id, safe="")


def formatted_reference(fact: Fact, value_text: str, citation: Citation, info: CitationInfo, permalink: str) -> str:
    """A reference to paste into a story or notes: who, where, when, the exact words and their offsets, the
    fact it supports and the link to it. ``permalink`` may be a placeholder the page fills in."""
    who = info.speaker if info.has_speaker else "Unattributed (the article's own words)"
    where = ", ".join(part for part in (f"“{info.title}”", info.publisher, info.published or "date not known") if part)
    link = f" {info.url}" if info.url else ""
    return (f"{who}, in {where}.{link}\n“{citation.quote}” (characters {citation.start}–{citation.end}).\n"
            f"Supports: {fact.title} — {value_text}. De-escalation Atlas: {permalink}")
