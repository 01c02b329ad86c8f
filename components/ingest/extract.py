"""Candidate facts in a passage: counts, dates and parties, each with an exact citation.

Every candidate is unreviewed (``reviewed: False``): a curator confirms it
before it becomes a fact in ``geodata/facts.json``. Kinds:

* ``settlements`` / ``population`` -- integer counts ("84 settlements",
  "more than 147,000 people", "some 2.5 million residents") with a qualifier
  from :data:`components.facts.QUALIFIERS`;
* ``date`` -- absolute dates ("On July 31", "6 May 2017", "in early July",
  "In May") and relative weekdays ("said Thursday"), resolved against the
  document's publication date (the year too, when the text gives none);
* ``party`` -- a named party (Russia, Turkey, the opposition, Daesh ...),
  the first mention of each party in the passage.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from components.facts import Citation, RelativeDate, resolve_weekday

from .fastre import CaselessScanner, without_names

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)")
_FULL_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_WS = r"[ \u00a0]+"
_YEAR = r"(?:19|20)[0-9]{2}"
_PREP = rf"(?:(?:[Oo]n|[Bb]y|[Ss]ince|[Uu]ntil|[Ff]rom){_WS})?"

DATE_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("mdy", re.compile(rf"\b{_PREP}(?P<month>{_MONTH}){_WS}(?P<day>[0-3]?[0-9])(?:st|nd|rd|th)?\b(?:,?{_WS}(?P<year>{_YEAR})\b)?")),
    ("dmy", re.compile(rf"\b{_PREP}(?P<day>[0-3]?[0-9])(?:st|nd|rd|th)?{_WS}(?:of{_WS})?(?P<month>{_MONTH})\b(?:,?{_WS}(?P<year>{_YEAR})\b)?")),
    ("part", re.compile(rf"\b(?:[Ii]n{_WS}|[Bb]y{_WS}|[Ss]ince{_WS})?(?P<part>[Ee]arly|[Mm]id|[Ll]ate)[\- \u00a0]"
                        rf"(?P<month>{_FULL_MONTH})\b(?:{_WS}(?P<year>{_YEAR})\b)?")),
    ("month", re.compile(rf"\b(?:[Ii]n|[Ss]ince|[Uu]ntil|[Bb]y|[Ll]ast|[Tt]his){_WS}(?P<month>{_FULL_MONTH})\b(?:,?{_WS}(?P<year>{_YEAR})\b)?")),
)
# A weekday is found by its name (a literal: fast), then the word before it
# ("said", "on") is taken into the quote when there is one.
WEEKDAY_RE = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")
WEEKDAY_LEAD_RE = re.compile(
    r"\b(?:said|says|told|announced|reported|stated|added|declared|on|On|late|early|last|since|from|by|until)[ \u00a0]+$"
)

_NUMBER = r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?"
_QUALIFIER = (r"more[ \u00a0]+than|over|at[ \u00a0]+least|nearly|almost|about|around|some|approximately|roughly|"
              r"an[ \u00a0]+estimated|up[ \u00a0]+to|fewer[ \u00a0]+than|less[ \u00a0]+than|under|just[ \u00a0]+over|close[ \u00a0]+to")
QUALIFIER_NAMES: dict[str, str] = {
    "more than": "more than", "over": "more than", "at least": "more than", "just over": "more than",
    "nearly": "about", "almost": "about", "close to": "about",
    "up to": "fewer than", "fewer than": "fewer than", "less than": "fewer than", "under": "fewer than",
    "about": "about", "around": "about", "some": "about", "approximately": "about", "roughly": "about",
    "an estimated": "about",
}
COUNT_NOUNS: dict[str, str] = {
    "settlements": "settlements", "villages": "settlements", "towns": "settlements", "localities": "settlements",
    "communities": "settlements", "municipalities": "settlements", "towns and villages": "settlements",
    "people": "population", "residents": "population", "civilians": "population", "inhabitants": "population",
    "persons": "population", "individuals": "population", "population": "population",
}
COUNT_RE = re.compile(
    rf"(?:\b(?P<qualifier>{_QUALIFIER})[ \u00a0]+)?(?<![0-9.,])(?P<number>{_NUMBER})"
    rf"(?:[ \u00a0]+(?P<scale>million|thousand|billion))?"
    rf"(?P<filler>(?:[ \u00a0]+[A-Za-z\-]+){{0,2}}?)[ \u00a0]+"
    rf"(?P<noun>towns[ \u00a0]+and[ \u00a0]+villages|settlements|villages|towns|localities|communities|municipalities|"
    rf"people|residents|civilians|inhabitants|persons|individuals)\b",
    re.IGNORECASE,
)
POPULATION_OF_RE = re.compile(
    rf"\bpopulation[ \u00a0]+of[ \u00a0]+(?:(?P<qualifier>{_QUALIFIER})[ \u00a0]+)?(?P<number>{_NUMBER})"
    rf"(?:[ \u00a0]+(?P<scale>million|thousand|billion))?\b",
    re.IGNORECASE,
)
SCALES: dict[str, int] = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}

PARTIES: dict[str, str] = {
    "Russia": r"\bRussia\b|\bRussian\s+Federation\b|\bMoscow\b|\bKremlin\b",
    "Turkey": r"\bTurkey\b|\bT\u00fcrkiye\b|\bAnkara\b",
    "Iran": r"\bIran\b|\bTehran\b",
    "United States": r"\bUnited\s+States\b|\bU\.S\.(?=\s|$|[,;])|\bUS(?=[\s\-]|$)|\bUSA\b|\bWashington\b",
    "Jordan": r"\bJordan\b|\bAmman\b",
    "United Nations": r"\bUnited\s+Nations\b|\bUN\b|\bU\.N\.",
    "Egypt": r"\bEgypt\b|\bCairo\b",
    "Israel": r"\bIsrael\b",
    "Syrian government": r"\bSyrian\s+government\b|\bDamascus\s+government\b|\bgovernment\s+forces\b|"
                         r"\bAssad\s+regime\b|\bSyrian\s+regime\b|\bSyrian\s+(?:Arab\s+)?[Aa]rmy\b|\bpro-government\b",
    "opposition": r"\bopposition\b|\brebels?\b|\bFree\s+Syrian\s+Army\b|\bFSA\b",
    "Jabhat Fatah al-Sham": r"\bJabhat\s+Fat[ae]h\s+al[\s\-]Sham\b|\bal[\s\-]Nusra\b|\bNusra\s+Front\b|"
                            r"\bHay(?:'|\u2019)?at\s+Tahrir\s+al[\s\-]Sham\b|\bHTS\b",
    "Daesh": r"\bDaesh\b|\bISIS\b|\bISIL\b|\bIslamic\s+State\b",
    "Hezbollah": r"\bHezbollah\b|\bHizbollah\b",
    "Jaish al-Islam": r"\bJaish\s+al[\s\-]Islam\b",
    "Faylaq al-Rahman": r"\bFaylaq\s+al[\s\-]Rahman\b",
    "Ahrar al-Sham": r"\bAhrar\s+al[\s\-]Sham\b",
}
PARTY_RES: dict[str, re.Pattern[str]] = {name: re.compile(rx) for name, rx in PARTIES.items()}
# One capture-free scan finds candidates (named groups would make re try every
# branch at every position); each hit is attributed with the party's own pattern.
# Every branch starts with "\b" and a letter; without the "\b" (checked in
# Python instead) re can skip ahead on the branches' first letters.
PARTY_SCAN: re.Pattern[str] = re.compile("|".join(
    branch.removeprefix(r"\b") for rx in PARTIES.values() for branch in re.split(r"\|(?=\\b)", rx)
))
COUNT_SCAN = CaselessScanner(COUNT_RE.pattern)
# Every count ends with one of these words (COUNT_RE's nouns, lowercase): a passage without one has
# none, and none ends after the last one (so the scan stops there).
_COUNT_NOUN_WORDS: tuple[str, ...] = ("settlements", "villages", "towns", "localities", "communities", "municipalities",
                                      "people", "residents", "civilians", "inhabitants", "persons", "individuals")
POPULATION_OF_SCAN = CaselessScanner(POPULATION_OF_RE.pattern)
_DIGIT_RE = re.compile(r"[0-9]")
# All absolute date patterns in one capture-free scan; each hit is then
# parsed by the first pattern (in DATE_RES order) that matches there.
DATE_SCAN = re.compile(r"\b(?:" + "|".join(f"(?:{without_names(p.pattern)})" for _, p in DATE_RES) + ")")
MONTH_HINT_RE = re.compile(_MONTH)
_DATE_WORD = frozenset(string.ascii_letters + string.digits)  # the words before a date's month ("On", "6th", "of")
_DATE_GAP = frozenset(" \u00a0-")  # and what follows each of them


@dataclass(frozen=True)
class CandidateFact:
    kind: str
    value: Any
    value_type: str
    doc: str
    start: int
    end: int
    quote: str
    qualifier: str | None = None
    date_precision: str | None = None
    relative: RelativeDate | None = None
    reviewed: bool = False

    @property
    def citation(self) -> Citation:
        """The candidate's span as a curated-style citation (same selectors, same JSON)."""
        return Citation(doc=self.doc, start=self.start, end=self.end, quote=self.quote, relative=self.relative)

    def as_dict(self) -> dict[str, Any]:
        citation = self.citation.as_dict()
        out: dict[str, Any] = {"kind": self.kind, "value": self.value, "value_type": self.value_type}
        if self.qualifier:
            out["qualifier"] = self.qualifier
        if self.date_precision:
            out["date_precision"] = self.date_precision
        out["citation"] = citation
        out["reviewed"] = self.reviewed
        return out


def _number_value(number: str, scale: str | None) -> int | None:
    try:
        value = float(number.replace(",", "")) if "." in number else int(number.replace(",", ""))
    except ValueError:
        return None
    value = value * SCALES.get((scale or "").lower(), 1)
    return round(value) if value < 10**15 else None  # False for NaN and infinity too


def _qualifier(raw: str | None) -> str:
    return QUALIFIER_NAMES.get(" ".join((raw or "").lower().split()), "exactly")


def _count_scan_end(lowered: str) -> int:
    """How far a count can reach in ``lowered``: one character past the end of its last noun (-1: no noun)."""
    last = max(lowered.rfind(noun) + len(noun) if noun in lowered else -1 for noun in _COUNT_NOUN_WORDS)
    return min(len(lowered), last + 1) if last >= 0 else -1


def extract_counts(doc: str, text: str, base: int) -> list[CandidateFact]:
    """Counts of settlements and people in ``text`` (a passage starting at ``base``)."""
    found: list[CandidateFact] = []
    if _DIGIT_RE.search(text) is None:
        return found
    lowered = text.lower()
    end = _count_scan_end(lowered)
    fast = len(lowered) == len(text)  # the scanners read ``lowered`` (else ``text``, ignoring case)
    for hit in COUNT_SCAN.finditer(text, lowered, end) if end >= 0 or not fast else ():
        match = COUNT_RE.match(text, hit.start())
        if match is None:
            continue
        number, scale = match.group("number"), match.group("scale")
        if not scale and re.fullmatch(r"(?:19|20)[0-9]{2}", number) and match.group("filler"):
            continue  # "2017 the people ..." is a year
        value = _number_value(number, scale)
        if value is None:
            continue
        noun = " ".join(match.group("noun").lower().split())
        found.append(_count_fact(doc, text, base, match, COUNT_NOUNS[noun], value))
    for hit in POPULATION_OF_SCAN.finditer(text, lowered) if "population" in lowered or not fast else ():
        match = POPULATION_OF_RE.match(text, hit.start())
        if match is None:
            continue
        value = _number_value(match.group("number"), match.group("scale"))
        if value is not None and not any(f.start <= base + match.start("number") < f.end for f in found):
            found.append(_count_fact(doc, text, base, match, "population", value))
    return found


def _count_fact(doc: str, text: str, base: int, match: re.Match[str], kind: str, value: int) -> CandidateFact:
    return CandidateFact(
        kind=kind, value=value, value_type="integer", doc=doc, start=base + match.start(), end=base + match.end(),
        quote=text[match.start():match.end()], qualifier=_qualifier(match.group("qualifier")),
    )


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year_for(month: int, day: int, year: str | None, anchor: dt.date | None) -> int | None:
    """The explicit year, else the anchor's year (or the one before, for a date after the anchor)."""
    if year:
        return int(year)
    if anchor is None:
        return None
    candidate = _safe_date(anchor.year, month, min(day, 28))
    return anchor.year - 1 if candidate and candidate > anchor + dt.timedelta(days=7) else anchor.year


def _date_from_match(kind: str, match: re.Match[str], anchor: dt.date | None) -> tuple[str, str] | None:
    month = MONTHS.get(match.group("month").rstrip(".").lower())
    if month is None:
        return None
    if kind in ("mdy", "dmy"):
        day = int(match.group("day"))
        year = _year_for(month, day, match.group("year"), anchor)
        date = _safe_date(year, month, day) if year else None
        return (date.isoformat(), "day") if date else None
    year = _year_for(month, 1, match.group("year"), anchor)
    if year is None or not 1 <= year <= 9999:
        return None
    precision = "early-month" if kind == "part" and match.group("part").lower() == "early" else "month"
    return f"{year:04d}-{month:02d}", precision


def _date_scan_start(text: str, pos: int = 0) -> int:
    """Where DATE_SCAN needs to start looking at or after ``pos`` (-1: no month name from there, so no
    absolute date starts there).

    Every date contains a month name (``MONTH_HINT_RE``; no prefix word below contains one), and
    before it at most three words from ``DATE_RES`` ("On 6th of", "in mid-", "Since"), each
    followed by spaces or a hyphen: no date starts before the third such word before the first
    month name at or after ``pos``. Scanning from there (``\b`` still sees the character before)
    finds the same dates; the walk back stops at ``pos`` (a date never starts on a space or hyphen)."""
    month = MONTH_HINT_RE.search(text, pos)
    if month is None:
        return -1
    start = month.start()
    for _ in range(3):
        gap = start
        while gap > pos and text[gap - 1] in _DATE_GAP:
            gap -= 1
        word = gap
        while word > pos and text[word - 1] in _DATE_WORD:
            word -= 1
        if gap in (start, word):  # no gap before, or no word before the gap
            break
        start = word
    return start


def date_hits(text: str) -> Iterator[re.Match[str]]:
    """What ``DATE_SCAN.finditer(text)`` finds, scanned only from each month name's window: after a date
    (or at the start) the scan resumes where the next month name's earliest date could start, so the text
    between dates that names no month is skipped (it was ~0.09 CPU s per MB ingested, scanned in full)."""
    pos = 0
    while (start := _date_scan_start(text, pos)) >= 0:
        hit = DATE_SCAN.search(text, start)
        if hit is None:
            return
        yield hit
        pos = hit.end()


def extract_dates(doc: str, text: str, base: int, published: dt.date | None) -> list[CandidateFact]:
    """Absolute dates and relative weekdays; spans never overlap (the first pattern wins)."""
    found: list[CandidateFact] = []
    taken: list[tuple[int, int]] = []
    for hit in date_hits(text):
        for kind, pattern in DATE_RES:
            match = pattern.match(text, hit.start())
            resolved = _date_from_match(kind, match, published) if match else None
            if match is None or resolved is None or any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            found.append(CandidateFact(
                kind="date", value=resolved[0], value_type="date", doc=doc, start=base + match.start(),
                end=base + match.end(), quote=match.group(0), date_precision=resolved[1],
            ))
            break
    if published is not None:
        for match in WEEKDAY_RE.finditer(text):
            start, end = match.span()
            if start and text[start - 1].isalnum():
                continue
            lead = WEEKDAY_LEAD_RE.search(text, max(0, start - 16), start)
            start = lead.start() if lead else start
            if any(s < end and start < e for s, e in taken):
                continue
            words = match.group(0)
            date = resolve_weekday(words, published)
            if date is None:
                continue
            relative = RelativeDate(words=words, anchor=published, resolved=date.isoformat(),
                                    rule=f"most recent {words} on or before the publication date")
            found.append(CandidateFact(
                kind="date", value=date.isoformat(), value_type="date", doc=doc, start=base + start,
                end=base + end, quote=text[start:end], date_precision="day", relative=relative,
            ))
    return sorted(found, key=lambda f: f.start)


_PARTY_OF: dict[str, str | None] = {}


def _party_of(quote: str) -> str | None:
    """Which party a matched quote names (memoised: the same few quotes recur)."""
    if quote not in _PARTY_OF:
        _PARTY_OF[quote] = next((name for name, rx in PARTY_RES.items() if rx.fullmatch(quote)), None)
    return _PARTY_OF[quote]


def extract_parties(doc: str, text: str, base: int) -> list[CandidateFact]:
    """The first mention of each known party in the passage."""
    found: list[CandidateFact] = []
    seen: set[str] = set()
    for match in PARTY_SCAN.finditer(text):
        if match.start() and text[match.start() - 1].isalnum():
            continue
        name = _party_of(match.group(0))
        if name is None or name in seen:
            continue
        seen.add(name)
        found.append(CandidateFact(
            kind="party", value=name, value_type="text", doc=doc, start=base + match.start(),
            end=base + match.end(), quote=match.group(0),
        ))
    return found


def extract_candidates(doc: str, text: str, base: int, published: dt.date | None) -> list[CandidateFact]:
    """All candidate facts of one passage, in text order."""
    facts = extract_counts(doc, text, base) + extract_dates(doc, text, base, published) + extract_parties(doc, text, base)
    return sorted(facts, key=lambda f: (f.start, f.kind))
