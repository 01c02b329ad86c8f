"""Counts written in words as candidate figures (issue 16): "three villages", "dozens of towns",
"more than a hundred civilians", "десятки деревень", "عشرات القرى".

Kept apart from the digit counts of :mod:`components.ingest.extract` (whose
scan needs a digit in the passage): one caseless scan per language, each hit
with its exact span. Vague amounts become a lower bound: "dozens" is
"more than" 24, "hundreds" "more than" 200, "thousands" "more than" 2,000.
Only simple forms are read (a units or tens word, "a"/"N" hundred or
thousand, the vague plurals); anything else stays for a curator.
"""
from __future__ import annotations

import re

from .extract import COUNT_NOUNS, QUALIFIER_NAMES, CandidateFact
from .fastre import CaselessScanner

UNITS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "a dozen": 12, "a few dozen": 24,
}
TENS: dict[str, int] = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALE_WORDS: dict[str, int] = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
# Vague plurals: (lower bound, the qualifier it gets).
VAGUE: dict[str, int] = {
    "dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "tens of thousands": 20_000,
    "hundreds of thousands": 200_000, "millions": 2_000_000,
}
_S = r"[ \u00a0]+"
_WORD_NUMBER = (
    rf"(?P<tens>{'|'.join(TENS)})(?:[\-\u00a0 ](?P<unit2>{'|'.join(k for k, v in UNITS.items() if v < 10)}))?"
    rf"|(?P<unit>{'|'.join(sorted(UNITS, key=len, reverse=True))})"
)
_QUALIFIER_EN = rf"more{_S}than|over|at{_S}least|nearly|almost|about|around|some|roughly|up{_S}to|fewer{_S}than|less{_S}than"
_VAGUE_EN = "|".join(sorted(VAGUE, key=len, reverse=True)).replace(" ", _S)
# The count from its first number word on (a qualifier before it is read separately).
ENGLISH_RE = re.compile(
    rf"(?:(?P<vague>{_VAGUE_EN}){_S}of"
    rf"|(?:(?P<a>an?|one)(?={_S}(?:hundred|thousand|million))|{_WORD_NUMBER})(?:{_S}(?P<scale>hundred|thousand|million))?)"
    rf"{_S}(?:(?:displaced|more|other|small|nearby|besieged|local|Syrian|rebel-held){_S})?"
    rf"(?P<noun>towns{_S}and{_S}villages|settlements|villages|towns|localities|communities|municipalities|"
    rf"people|residents|civilians|inhabitants|persons|individuals)\b",
    re.IGNORECASE,
)
# Where a count in words can start: one caseless scan of the passage (fast: no IGNORECASE alternation).
ENGLISH_SCAN = CaselessScanner(
    rf"\b(?:{_VAGUE_EN}|an?{_S}(?:hundred|thousand|million)|{'|'.join(TENS)}|{'|'.join(sorted(UNITS, key=len, reverse=True))})\b"
)
QUALIFIER_BEFORE_RE = re.compile(rf"\b(?P<qualifier>{_QUALIFIER_EN}){_S}$", re.IGNORECASE)


# Russian: cardinal 2-10 (the forms used with a genitive noun), the vague plurals and a few nouns.
RUSSIAN_NUMBERS: dict[str, int] = {
    "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10,
    "сто": 100, "ста": 100, "тысяча": 1000,
}
RUSSIAN_VAGUE: dict[str, int] = {"десятки": 20, "десятков": 20, "сотни": 200, "сотен": 200, "тысячи": 2000, "тысяч": 2000}
RUSSIAN_QUALIFIERS: dict[str, str] = {"более": "more than", "свыше": "more than", "около": "about", "почти": "about", "менее": "fewer than"}
RUSSIAN_NOUNS: dict[str, str] = {
    "деревн": "settlements", "сел": "settlements", "сёл": "settlements", "населенных пунктов": "settlements",
    "населённых пунктов": "settlements", "город": "settlements", "человек": "population", "жител": "population",
    "мирных жителей": "population",
}
RUSSIAN_RE = re.compile(
    rf"(?<![\w])(?:(?P<qualifier>{'|'.join(RUSSIAN_QUALIFIERS)}){_S})?(?P<number>{'|'.join(sorted({*RUSSIAN_NUMBERS, *RUSSIAN_VAGUE}, key=len, reverse=True))})"
    rf"{_S}(?P<noun>{'|'.join(sorted(RUSSIAN_NOUNS, key=len, reverse=True))})[\w]*",
    re.IGNORECASE,
)

# Arabic: 3-10 (masculine and feminine forms), the vague plurals عشرات / مئات / آلاف, and a few nouns.
ARABIC_NUMBERS: dict[str, int] = {
    "ثلاث": 3, "ثلاثة": 3, "أربع": 4, "أربعة": 4, "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6, "سبع": 7, "سبعة": 7,
    "ثماني": 8, "ثمانية": 8, "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10, "مئة": 100, "مائة": 100, "ألف": 1000,
}
ARABIC_VAGUE: dict[str, int] = {"عشرات": 20, "مئات": 200, "آلاف": 2000}
ARABIC_QUALIFIERS: dict[str, str] = {"أكثر من": "more than", "نحو": "about", "حوالي": "about", "قرابة": "about"}
ARABIC_NOUNS: dict[str, str] = {
    "قرى": "settlements", "بلدات": "settlements", "قرية": "settlements", "بلدة": "settlements", "المدنيين": "population",
    "مدنيين": "population", "مدني": "population", "أشخاص": "population", "شخص": "population", "نسمة": "population",
    "الأشخاص": "population", "السكان": "population", "القرى": "settlements", "البلدات": "settlements",
}
ARABIC_RE = re.compile(
    rf"(?<![\w])(?:(?P<qualifier>{'|'.join(ARABIC_QUALIFIERS)}){_S})?(?P<number>{'|'.join(sorted({*ARABIC_NUMBERS, *ARABIC_VAGUE}, key=len, reverse=True))})"
    rf"{_S}(?:من{_S})?(?P<noun>{'|'.join(sorted(ARABIC_NOUNS, key=len, reverse=True))})(?!\w)",
)


_CYRILLIC = re.compile("[\u0400-\u04ff]")
_ARABIC = re.compile("[\u0600-\u06ff]")


def _fact(doc: str, text: str, base: int, span: tuple[int, int], kind: str, value: int, qualifier: str) -> CandidateFact:
    return CandidateFact(kind=kind, value=value, value_type="integer", doc=doc, start=base + span[0],
                         end=base + span[1], quote=text[span[0]:span[1]], qualifier=qualifier)


def _english_value(match: re.Match[str]) -> tuple[int, str] | None:
    """(value, qualifier implied by the words) of one English match."""
    if match.group("vague"):
        return VAGUE[" ".join(match.group("vague").lower().split())], "more than"
    if match.group("a"):
        if not match.group("scale"):
            return None  # "a village" is no count
        value = 1
    elif match.group("tens"):
        value = TENS[match.group("tens").lower()] + UNITS.get((match.group("unit2") or "").lower(), 0)
    else:
        value = UNITS[" ".join(match.group("unit").lower().split())]
    value *= SCALE_WORDS.get((match.group("scale") or "").lower(), 1)
    return value, "about" if "dozen" in (match.group("unit") or "").lower() and "few" in match.group("unit").lower() else "exactly"


def extract_word_counts(doc: str, text: str, base: int) -> list[CandidateFact]:
    """Counts of settlements and people written in words, in English, Russian or Arabic."""
    found: list[CandidateFact] = []
    lowered = text.lower()
    end = -1
    for hit in ENGLISH_SCAN.finditer(text, lowered):
        match = ENGLISH_RE.match(text, hit.start()) if hit.start() >= end else None
        read = _english_value(match) if match else None
        if match is None or read is None:
            continue
        value, implied = read
        before = QUALIFIER_BEFORE_RE.search(text, max(0, hit.start() - 16), hit.start())
        start = before.start() if before else hit.start()
        stated = QUALIFIER_NAMES.get(" ".join(before.group("qualifier").lower().split())) if before else None
        noun = " ".join(match.group("noun").lower().split())
        found.append(_fact(doc, text, base, (start, match.end()), COUNT_NOUNS[noun], value, stated or implied))
        end = match.end()
    for match in RUSSIAN_RE.finditer(text) if _CYRILLIC.search(text) else ():
        word = match.group("number").lower()
        vague = word in RUSSIAN_VAGUE
        value = RUSSIAN_VAGUE[word] if vague else RUSSIAN_NUMBERS[word]
        stated = RUSSIAN_QUALIFIERS.get((match.group("qualifier") or "").lower())
        noun = next(kind for stem, kind in RUSSIAN_NOUNS.items() if match.group("noun").lower().startswith(stem))
        found.append(_fact(doc, text, base, match.span(), noun, value, stated or ("more than" if vague else "exactly")))
    for match in ARABIC_RE.finditer(text) if _ARABIC.search(text) else ():
        word = match.group("number")
        vague = word in ARABIC_VAGUE
        value = ARABIC_VAGUE[word] if vague else ARABIC_NUMBERS[word]
        stated = ARABIC_QUALIFIERS.get(match.group("qualifier") or "")
        found.append(_fact(doc, text, base, match.span(), ARABIC_NOUNS[match.group("noun")], value, stated or ("more than" if vague else "exactly")))
    return found
