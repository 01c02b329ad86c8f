"""Place recognition: gazetteer names found in text, with exact offsets.

How it works (one pass over each passage, no regex alternation of 3,000 names):

1. The text is cut into word tokens (letters, digits, combining marks; an
   apostrophe or ayn mark *inside* a word stays in it: "Dar'a"). Each token
   keeps its offsets into the original text, so folding never moves offsets.
2. Each token is folded with the gazetteer's own fold (components/textfold.py:
   casefold, diacritics and ayn/hamza marks dropped, a repeated letter
   squeezed) -- cached per distinct token.
3. The gazetteer's folded names, tokenised the same way, form one dict from
   token tuples to places. At each token we try the longest n-gram first
   (only lengths that some name starting with that token has), over tokens
   separated by nothing but spaces or hyphens; a match consumes its tokens.
4. A leading Arabic article ("al-", "Ar ", "ash-") is part of the mention as
   written but not of the key, as :func:`components.gazetteer.fold` drops it.

Guards against English words that are also GeoNames alternate names (see
geodata/SOURCES.md): a stop-list that never matches on its own, short names
that need an attached article ("al-Bab", "Al-Rai"), capitalisation required
for every Latin-script match, and a list of ambiguous names that must also not
stand first in a sentence ("Harem", "Hula").
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from components.atlas import DataPaths
from components.gazetteer import Gazetteer, Place, gazetteer_for
from components.textfold import LEADING_ARTICLES, fold_word, is_written_article
from components.version import cached_by_content

# Single-token folded names that are common English words or first names
# (checked against an English word list: wamerican 2020.12.07) -- never a
# mention on their own. Multi-word names containing them ("Tell Abyad",
# "Khan Shaykhun", "Busra al-Sham") still match.
# Folded like the tokens they are compared with ("seen" -> "sen").
STOP_NAMES: frozenset[str] = frozenset(fold_word(name) for name in (
    "seen", "tell", "tall", "tal", "tel", "sham", "cham", "khan", "shin", "soda", "mare", "haul", "harm",
    "hums", "humus", "damask", "dr", "hal", "sam", "dana", "nazi", "neva", "mari", "mara", "kara", "dali",
    "beria", "ezra", "hms", "gama", "jala", "ain", "ayn", "deir", "dayr", "kafr", "jisr", "ras", "bir",
    "tur", "wadi", "jabal", "jebel", "qasr", "sheikh", "shaykh", "umm", "abu", "beit", "bayt", "nahr",
    "new", "old", "upper", "lower", "north", "south", "east", "west", "city", "province", "region",
    "homsi", "revolution", "victory", "hope", "peace",
))
# Ambiguous with an English word or name: needs a capital and must not open a sentence.
AMBIGUOUS_NAMES: frozenset[str] = frozenset(
    fold_word(name) for name in ("harem", "hula", "murk", "habit", "hims", "mayer", "salma", "sasa", "susa"))
# Names this short are mostly odd transliterations ("dwm", "hlb"): they match
# only with an attached article ("al-Bab", "Ar-Rai").
MIN_BARE_NAME_LENGTH = 4
MAX_NAME_TOKENS = 6
# Articles that may stand before a name separated by a space (not English words).
SPACED_ARTICLES: frozenset[str] = frozenset({"al", "el", "ar", "ash", "adh", "ath", "az", "ez", "esh", "ech", "edh", "eth"})

_MARK_CHARS = "'\u2019\u2018\u02bf\u02be`\u00b4\u02bb\u02bc"
_COMBINING = "\u0300-\u036f\u064b-\u065f\u0670"
# A word: letters/digits and combining marks, with ayn/hamza/apostrophe marks
# inside it ("Dar'a"); not a leading mark (a quote: 'Homs' -> Homs; fold drops
# the ayn of "'Anadan" anyway) nor a possessive "'s".
_TOKEN_RE = re.compile(
    rf"(?:[^\W_]|[{_COMBINING}])+"
    rf"(?:[{_MARK_CHARS}](?![sS](?![^\W_]))(?:[^\W_]|[{_COMBINING}])+)*"
)
# Fast first cut: maximal runs of word characters and marks; a run that is
# not plain alphanumeric is then split with _TOKEN_RE.
_RUN_RE = re.compile(rf"[\w{_MARK_CHARS}{_COMBINING}]+")
_HYPHENS = "-\u2010\u2011\u2012\u2013"
_JOINER_RE = re.compile("[ \t\u00a0\u202f" + re.escape(_HYPHENS) + "]{1,3}")
_SENTENCE_END_RE = re.compile(r"[.!?:;\u2026\"\u201c\u201d(\[]\s*$")


class Token(NamedTuple):
    """A word with its offsets in the document (a tuple: there are many)."""

    start: int
    end: int
    folded: str
    raw: str


@dataclass(frozen=True)
class PlaceMention:
    """A gazetteer name found in a document: ``text[start:end] == name``."""

    name: str
    start: int
    end: int
    place: Place

    @property
    def place_id(self) -> str:
        return self.place.id


@dataclass(frozen=True)
class IndexEntry:
    key: tuple[str, ...]
    places: tuple[Place, ...]
    needs_article: bool
    ambiguous: bool


_FOLDED: dict[str, str] = {}


def fold_token(raw: str) -> str:
    """One word folded like :func:`components.gazetteer.fold` (no article step); memoised."""
    folded = _FOLDED.get(raw)
    if folded is None:
        folded = fold_word(raw)
        if len(_FOLDED) < 200_000:
            _FOLDED[raw] = folded
    return folded


def tokenize(text: str, base: int = 0) -> list[Token]:
    """Word tokens of ``text`` with offsets shifted by ``base`` (tokens that fold to nothing dropped).

    ``findall`` of plain runs plus ``str.find`` is several times faster than
    ``finditer`` of the full token pattern (no match objects). Each run is
    found from the end of the previous one, and nothing between two runs can
    start a run, so the position found is the run's own; the few runs with
    marks or underscores are split with the full pattern.
    """
    tokens: list[Token] = []
    append = tokens.append
    find = text.find
    cached = _FOLDED.get
    new = tuple.__new__  # builds the NamedTuple without its Python-level __new__
    position = 0
    for run in _RUN_RE.findall(text):
        position = find(run, position)
        end = position + len(run)
        if run.isalnum():  # the common case: one plain word
            folded = cached(run)
            if folded is None:
                folded = fold_token(run)
            append(new(Token, (base + position, base + end, folded, run)))
        else:
            for match in _TOKEN_RE.finditer(run):
                raw = match.group(0)
                folded = fold_token(raw)
                if folded:
                    start = base + position + match.start()
                    append(new(Token, (start, start + len(raw), folded, raw)))
        position = end
    return tokens


def key_tokens(folded_name: str) -> tuple[str, ...]:
    """Tokens of an already folded name, as :func:`tokenize` would fold them."""
    return tuple(t.folded for t in tokenize(folded_name))


class PhraseIndex:
    """Token n-gram dict with, per first token, the n-gram lengths to try (longest first)."""

    def __init__(self, entries: Iterable[IndexEntry]) -> None:
        self.entries: dict[tuple[str, ...], IndexEntry] = {}
        lengths: dict[str, set[int]] = {}
        for entry in entries:
            if entry.key and len(entry.key) <= MAX_NAME_TOKENS and entry.key not in self.entries:
                self.entries[entry.key] = entry
                lengths.setdefault(entry.key[0], set()).add(len(entry.key))
        self.lengths: dict[str, tuple[int, ...]] = {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}

    def __len__(self) -> int:
        return len(self.entries)


def _entry_for(key: tuple[str, ...], places: Sequence[Place]) -> IndexEntry | None:
    if not key or (len(key) == 1 and (key[0] in STOP_NAMES or key[0] in LEADING_ARTICLES)):
        return None
    if key[0].isdigit():
        return None
    short = len(key) == 1 and len(key[0]) < MIN_BARE_NAME_LENGTH
    return IndexEntry(key=key, places=tuple(places), needs_article=short, ambiguous=len(key) == 1 and key[0] in AMBIGUOUS_NAMES)


def build_place_index(gazetteer: Gazetteer) -> PhraseIndex:
    """One index over every folded gazetteer name (built once per gazetteer)."""
    entries: list[IndexEntry] = []
    for folded, ids in gazetteer.folded_names().items():
        entry = _entry_for(key_tokens(folded), [p for i in ids if (p := gazetteer.get(i)) is not None])
        if entry:
            entries.append(entry)
    return PhraseIndex(entries)


@cached_by_content()
def place_index_for(gazetteer: Path, extra: Path) -> PhraseIndex:
    """The index of the gazetteer in these two files, once per their content."""
    return build_place_index(gazetteer_for(gazetteer, extra))


def default_place_index() -> PhraseIndex:
    """The index of the configured dataset's gazetteer (``ATLAS_DATA_ROOT``)."""
    data = DataPaths.default()
    return place_index_for(data.gazetteer, data.gazetteer_extra)


def _joined(text: str, left: Token, right: Token, offset: int) -> bool:
    """Tokens are neighbours inside one name: only spaces or hyphens between."""
    gap = text[left.end - offset:right.start - offset]
    return bool(gap) and _JOINER_RE.fullmatch(gap) is not None


def _is_capitalised(raw: str) -> bool:
    """The first letter is not lowercase (capitals, and scripts without case, pass)."""
    first = raw[0] if raw[:1].isalpha() else next((c for c in raw if c.isalpha()), "")
    return not first.islower()


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 4):start]
    return not before.strip() or _SENTENCE_END_RE.search(before) is not None


def _article_before(text: str, tokens: Sequence[Token], i: int, offset: int) -> Token | None:
    """The article token written before ``tokens[i]`` ("al-", "Ar "), if any."""
    if i == 0:
        return None
    prev = tokens[i - 1]
    if prev.folded not in LEADING_ARTICLES or not _joined(text, prev, tokens[i], offset):
        return None
    gap = text[prev.end - offset:tokens[i].start - offset]
    hyphenated = any(h in gap for h in _HYPHENS)
    # Spaced, it must be written as an article: "all Idlib" is English ("all" folds to "al").
    return prev if hyphenated or (prev.folded in SPACED_ARTICLES and is_written_article(prev.raw)) else None


def _acceptable(entry: IndexEntry, text: str, tokens: Sequence[Token], i: int, n: int, offset: int) -> bool:
    words = tokens[i:i + n]
    if not any(_is_capitalised(t.raw) for t in words):
        return False
    article = _article_before(text, tokens, i, offset)
    if entry.needs_article and (article is None or not _is_capitalised(words[0].raw)):
        return False
    if entry.ambiguous:
        first = article or words[0]
        if not _is_capitalised(words[0].raw) or _opens_sentence(text, first.start - offset):
            return False
    return True


def _match_at(index: PhraseIndex, text: str, tokens: Sequence[Token], folded: list[str], i: int,
              offset: int) -> tuple[IndexEntry, int] | None:
    """The longest acceptable name starting at token ``i`` and its length in tokens."""
    for n in index.lengths.get(folded[i], ()):
        if i + n > len(tokens):
            continue
        entry = index.entries.get(tuple(folded[i:i + n]))
        if entry is None or not all(_joined(text, tokens[k], tokens[k + 1], offset) for k in range(i, i + n - 1)):
            continue
        if _acceptable(entry, text, tokens, i, n, offset):
            return entry, n
    return None


def find_places(text: str, base: int = 0, index: PhraseIndex | None = None) -> list[PlaceMention]:
    """Gazetteer places named in ``text`` (offsets shifted by ``base``), leftmost-longest."""
    index = default_place_index() if index is None else index
    tokens = tokenize(text, base)
    folded = [t.folded for t in tokens]
    lengths = index.lengths
    mentions: list[PlaceMention] = []
    i = 0
    count = len(tokens)
    while i < count:
        if folded[i] not in lengths:
            i += 1
            continue
        found = _match_at(index, text, tokens, folded, i, base)
        if found is None:
            i += 1
            continue
        entry, n = found
        article = _article_before(text, tokens, i, base)
        start = article.start if article and (not mentions or mentions[-1].end <= article.start) else tokens[i].start
        end = tokens[i + n - 1].end
        mentions.append(PlaceMention(name=text[start - base:end - base], start=start, end=end, place=entry.places[0]))
        i += n
    return mentions
