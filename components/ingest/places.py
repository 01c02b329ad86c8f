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

import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import snowballstemmer

from components.atlas import DataPaths
from components.gazetteer import Gazetteer, Place, gazetteer_for, rank_key
from components.textfold import LEADING_ARTICLES, arabic_key, fold_word, is_arabic, is_written_article, latin_key
from components.version import cached_by_content

from .variant_stop import SENTENCE_START_KEYS as GENERATED_SENTENCE_KEYS
from .variant_stop import VARIANT_STOP_KEYS as GENERATED_STOP_KEYS

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

# Variant matching (see :func:`match_key`): a single word must give a key at
# least this long ("Tafs", "Homs" and "Hama" pass, "Ram" does not), and a key
# with a vowel left out at least MIN_ELIDED_LENGTH ("tsal" for Tseel/Tasil).
# Arabic script writes no short vowels and a Russian stem drops the ending,
# so their keys are shorter for the same name ("حمص", "дум" for Дума).
MIN_VARIANT_LENGTH = 4
MIN_UNVOWELLED_LENGTH = 3
MIN_ELIDED_LENGTH = 4
# Keys of single words that a variant match must never give: English words
# and news names whose key equals a place name's (measured with
# scripts/variant_collisions.py against an English word list; "Hamas" would
# otherwise be a vowel-less Homs, "Home" a Hama).
# Keys of lowercase English words only ("Dare", "Dome" open sentences): such
# a variant matches where it does not open a sentence, like AMBIGUOUS_NAMES.
VARIANT_STOP_KEYS: frozenset[str] = GENERATED_STOP_KEYS | frozenset(latin_key(name) for name in STOP_NAMES)
AMBIGUOUS_KEYS: frozenset[str] = GENERATED_SENTENCE_KEYS
# Articles in a name's key (Latin "al"/"el"/"ash", Russian "эль"/"аль").
VARIANT_ARTICLES: frozenset[str] = frozenset({"al", "\u044d\u043b\u044c", "\u0430\u043b\u044c"})

# A name that is also an institution: "Дума"/"Duma" is the town of Douma, and Russia's parliament. A
# one-word mention with one of these keys (Russian stem, or the fold of a Latin word) is no place when a
# word beginning with one of the listed (folded) stems stands in the same sentence, at most
# NON_PLACE_WINDOW words away: "Государственная Дума", "депутаты Думы", "Госдума обсуждала доклад, в
# котором упоминается Дума", "the State Duma", "Duma deputies". Without such a word "в Думе" and
# "Douma and Duma" stay the town.
NON_PLACE_WINDOW = 8
NON_PLACE_CONTEXT: dict[str, tuple[str, ...]] = {
    "\u0434\u0443\u043c": tuple(fold_word(w) for w in (  # дум
        "государственн", "госдум", "депутат", "спикер", "председател", "фракци", "законопроект",
        "пленарн", "заседани", "парламент", "созыв", "выбор", "комитет", "федеральн", "городск", "областн")),
    "duma": tuple(fold_word(w) for w in ("state", "deputy", "deputies", "lawmaker", "parliament", "legislat", "speaker")),
}

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
    """A gazetteer name found in a document: ``text[start:end] == name``.

    ``candidates`` are every place the name can be, best first; ``place`` is
    the chosen one. ``ambiguous`` is True when context did not settle the
    choice (the mention is shown as "Saida: 2 candidates", not placed).
    ``match`` says how it was found: "exact" (the fold), "variant" (the
    transliteration, Arabic or Russian key), "elided" (a vowel left out).
    """

    name: str
    start: int
    end: int
    place: Place
    candidates: tuple[Place, ...] = ()
    ambiguous: bool = False
    match: str = "exact"

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


_KEYS: dict[str, str] = {}
_RUSSIAN_STEMMER = snowballstemmer.stemmer("russian")


def _is_cyrillic(word: str) -> bool:
    return "\u0400" <= word[:1] <= "\u04ff"


def match_key(raw: str, folded: str) -> str:
    """The key one word is compared with in the variant index; memoised.

    An article ("al", "el", "ash", ...) is "al"; a Latin word gets its
    transliteration key (:func:`components.textfold.latin_key`), an Arabic one
    its normalised letters without the article (:func:`components.textfold.arabic_key`),
    a Cyrillic one its Snowball Russian stem ("Думе", "Дума" -> "дум"),
    anything else the fold.
    """
    key = _KEYS.get(raw)
    if key is None:
        if folded in LEADING_ARTICLES:
            key = "al"
        elif is_arabic(folded):
            key = arabic_key(folded)
        elif _is_cyrillic(folded):
            word = unicodedata.normalize("NFC", raw).casefold().replace("\u0451", "\u0435")
            key = _RUSSIAN_STEMMER.stemWord(word)
        else:
            key = latin_key(folded)
        if len(_KEYS) < 200_000:
            _KEYS[raw] = key
    return key


def key_tokens(folded_name: str) -> tuple[str, ...]:
    """Tokens of an already folded name, as :func:`tokenize` would fold them."""
    return tuple(t.folded for t in tokenize(folded_name))


class PhraseIndex:
    """Token n-gram dicts with, per first token, the n-gram lengths to try (longest first).

    ``entries`` are keyed by folded tokens (exact). ``variants`` by match keys
    (:func:`match_key`: transliteration, Arabic and Russian keys) and
    ``elided`` by a single word's key with one vowel left out ("Tseel" for
    Tasil); both are tried only where no exact name matches.
    """

    def __init__(self, entries: Iterable[IndexEntry], variants: Iterable[IndexEntry] = (),
                 elided: Iterable[IndexEntry] = ()) -> None:
        self.entries, self.lengths = _phrase_dict(entries)
        self.variants, self.variant_lengths = _phrase_dict(variants)
        self.elided: dict[str, IndexEntry] = {}
        for entry in elided:
            self.elided.setdefault(entry.key[0], entry)
        # First words of a variant or elided name: one set test per word in find_places.
        self.variant_starts: frozenset[str] = frozenset(self.variant_lengths) | frozenset(self.elided)

    def __len__(self) -> int:
        return len(self.entries)


def _phrase_dict(entries: Iterable[IndexEntry]) -> tuple[dict[tuple[str, ...], IndexEntry], dict[str, tuple[int, ...]]]:
    by_key: dict[tuple[str, ...], IndexEntry] = {}
    lengths: dict[str, set[int]] = {}
    for new in entries:
        if not new.key or len(new.key) > MAX_NAME_TOKENS:
            continue
        known = by_key.get(new.key)
        # Two names, one key: every place they name is a candidate.
        by_key[new.key] = new if known is None else IndexEntry(
            new.key, _ranked([*known.places, *new.places]), known.needs_article and new.needs_article, known.ambiguous or new.ambiguous)
        lengths.setdefault(new.key[0], set()).add(len(new.key))
    return by_key, {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}


def _ranked(places: Iterable[Place]) -> tuple[Place, ...]:
    unique = {p.id: p for p in places}
    return tuple(sorted(unique.values(), key=rank_key))


def _entry_for(key: tuple[str, ...], places: Sequence[Place]) -> IndexEntry | None:
    if not key or (len(key) == 1 and (key[0] in STOP_NAMES or key[0] in LEADING_ARTICLES)):
        return None
    if key[0].isdigit():
        return None
    short = len(key) == 1 and len(key[0]) < MIN_BARE_NAME_LENGTH
    return IndexEntry(key=key, places=tuple(places), needs_article=short, ambiguous=len(key) == 1 and key[0] in AMBIGUOUS_NAMES)


# Case endings put on a Cyrillic name before stemming: Snowball reads "Растан" as a stem plus an
# ending ("раста") but "Растане" as "растан", and "Астана" as "аста" but "Астану" as "астан", so the
# index holds the stems of the name's case forms (its final vowel, if any, replaced).
_RUSSIAN_ENDINGS = ("", "\u0430", "\u0443", "\u0435", "\u044b", "\u0438", "\u043e\u0439", "\u043e\u043c")  # "", а у е ы и ой ом
_RUSSIAN_FINALS = "\u0430\u0435\u0438\u043e\u0443\u044b\u044d\u044e\u044f\u044c\u0439"  # а е и о у ы э ю я ь й


def _word_keys(token: Token) -> set[str]:
    """Match keys of one word of a gazetteer name (for a Cyrillic word, of each case form: see _RUSSIAN_ENDINGS)."""
    key = match_key(token.raw, token.folded)
    if not _is_cyrillic(token.folded):
        return {key}
    word = unicodedata.normalize("NFC", token.raw).casefold().replace("\u0451", "\u0435")
    base = word[:-1] if word[-1:] in _RUSSIAN_FINALS else word
    return {key, *(_RUSSIAN_STEMMER.stemWord(base + ending) for ending in _RUSSIAN_ENDINGS)}


def _variant_keys_of_name(name: str) -> list[tuple[str, ...]]:
    """The match keys of a gazetteer name: each word's :func:`match_key`, one leading article dropped."""
    words = [_word_keys(t) for t in tokenize(name)]
    if len(words) > 1 and words[0] <= VARIANT_ARTICLES:
        words = words[1:]
    keys: list[tuple[str, ...]] = [()]
    for options in words[:MAX_NAME_TOKENS + 1]:
        keys = [(*k, o) for k in keys for o in sorted(options)]
    return keys


def _variant_entry(key: tuple[str, ...], places: Sequence[Place]) -> IndexEntry | None:
    """An entry for the variant index, or None where a variant would be too loose a match."""
    if not key or any(not k for k in key) or key[0].isdigit():
        return None
    minimum = MIN_VARIANT_LENGTH if key[0].isascii() else MIN_UNVOWELLED_LENGTH
    if len(key) == 1 and (len(key[0]) < minimum or key[0] in VARIANT_STOP_KEYS):
        return None
    return IndexEntry(key=key, places=tuple(places), needs_article=False, ambiguous=len(key) == 1 and key[0] in AMBIGUOUS_KEYS)


def _elisions(key: str) -> set[str]:
    """``key`` with one inner vowel left out ("tasal" -> "tsal"; never the first or last letter, so "Qaboun"
    is not a "Kobani" without its final vowel), for words long enough to stay distinctive."""
    if not key.isascii() or len(key) < MIN_ELIDED_LENGTH + 1:
        return set()
    return {key[:i] + key[i + 1:] for i in range(1, len(key) - 1) if key[i] == "a"} - {key}


def build_place_index(gazetteer: Gazetteer) -> PhraseIndex:
    """One index over every folded gazetteer name, plus its variant keys (built once per gazetteer)."""
    entries: list[IndexEntry] = []
    for folded, ids in gazetteer.folded_names().items():
        entry = _entry_for(key_tokens(folded), [p for i in ids if (p := gazetteer.get(i)) is not None])
        if entry:
            entries.append(entry)
    by_variant: dict[tuple[str, ...], list[Place]] = {}
    for place in gazetteer.places:
        for name in place.names:
            for key in _variant_keys_of_name(name):
                by_variant.setdefault(key, []).append(place)
    variants = [e for key, places in by_variant.items() if (e := _variant_entry(key, _ranked(places)))]
    taken = {e.key[0] for e in variants if len(e.key) == 1}
    by_elision: dict[str, list[Place]] = {}
    for entry in variants:
        if len(entry.key) == 1:
            for short in _elisions(entry.key[0]) - taken - VARIANT_STOP_KEYS:
                by_elision.setdefault(short, []).extend(entry.places)
    elided = [IndexEntry((k,), _ranked(places), False, k in AMBIGUOUS_KEYS) for k, places in by_elision.items()]
    return PhraseIndex(entries, variants, elided)


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


def _variant_acceptable(entry: IndexEntry, text: str, tokens: Sequence[Token], i: int, n: int, offset: int) -> bool:
    """A variant match needs every word but an article capitalised (and the checks of an exact one)."""
    if not all(_is_capitalised(t.raw) or t.folded in LEADING_ARTICLES for t in tokens[i:i + n]):
        return False
    return _acceptable(entry, text, tokens, i, n, offset)


def _match_at(entries: dict[tuple[str, ...], IndexEntry], lengths: dict[str, tuple[int, ...]], text: str,
              tokens: Sequence[Token], keys: Sequence[str], i: int, offset: int, variant: bool = False) -> tuple[IndexEntry, int] | None:
    """The longest acceptable name starting at token ``i`` and its length in tokens."""
    accept = _variant_acceptable if variant else _acceptable
    for n in lengths.get(keys[i], ()):
        if i + n > len(tokens):
            continue
        entry = entries.get(tuple(keys[i:i + n]))
        if entry is None or not all(_joined(text, tokens[k], tokens[k + 1], offset) for k in range(i, i + n - 1)):
            continue
        if accept(entry, text, tokens, i, n, offset):
            return entry, n
    return None


# Arabic clitics written onto a name: a conjunction (wa, fa) then a preposition (bi, li, ka).
_CONJUNCTIONS = "\u0648\u0641"  # و ف
_PREPOSITIONS = "\u0628\u0644\u0643"  # ب ل ك


def _arabic_clitic_splits(raw: str) -> list[tuple[int, str]]:
    """(characters of ``raw`` the clitics take, key of the rest) for each way to read clitics off an Arabic word.

    "والقنيطرة" -> the rest "القنيطرة" (the name keeps its article); "للرستن"
    (li + al- with the alef dropped) -> "رستن". Marks after a clitic letter
    belong to it; the rest keeps at least two letters. Presentation forms count as their letters.
    """
    letters = [(k, unicodedata.normalize("NFKC", c)) for k, c in enumerate(raw) if not unicodedata.combining(c) and c != "\u0640"]
    splits: list[tuple[int, str]] = []
    options = [(c, p) for c in ("", *_CONJUNCTIONS) for p in ("", *_PREPOSITIONS) if c or p]
    for conj, prep in options:
        clitic = conj + prep
        width = len(clitic)
        if len(letters) - width < 2 or "".join(c for _, c in letters[:width]) != clitic:
            continue
        cut = letters[width][0]
        splits.append((cut, arabic_key(fold_word(raw[cut:]))))
        if prep == "\u0644" and letters[width][1] == "\u0644" and len(letters) - width > 3:  # لل: li + al-
            cut = letters[width + 1][0]
            splits.append((cut, arabic_key(fold_word(raw[cut:]))))
    return splits


_NO_KEY = "\0"  # a lowercase Latin word that is no article: never part of a variant match


_TOKEN_KEYS: dict[str, str] = {}


def _token_key(raw: str, folded: str) -> str:
    key = "al" if folded in LEADING_ARTICLES else _NO_KEY if raw[0].islower() and raw.isascii() else match_key(raw, folded)
    if len(_TOKEN_KEYS) < 200_000:
        _TOKEN_KEYS[raw] = key
    return key


def _variant_keys(tokens: Sequence[Token]) -> list[str]:
    """:func:`match_key` of each token (memoised by the word as written); a lowercase Latin word that is no
    article gets ``_NO_KEY``."""
    known = _TOKEN_KEYS.get
    return [known(t.raw) or _token_key(t.raw, t.folded) for t in tokens]


def _variant_at(index: PhraseIndex, text: str, tokens: Sequence[Token], keys: list[str], i: int,
                offset: int) -> tuple[IndexEntry, int, int, str] | None:
    """A variant match at token ``i``: (entry, tokens, characters of clitics skipped, how it matched)."""
    found = _match_at(index.variants, index.variant_lengths, text, tokens, keys, i, offset, variant=True)
    if found:
        return found[0], found[1], 0, "variant"
    token = tokens[i]
    if is_arabic(token.folded):
        low = max(0, i - 1)  # a window from the word before (an article check looks there): no copy of the whole passage
        window = tokens[low:i + MAX_NAME_TOKENS]
        for skip, key in _arabic_clitic_splits(token.raw):
            if key in index.variant_lengths:
                patched = [*keys[low:i], key, *keys[i + 1:i + MAX_NAME_TOKENS]]
                found = _match_at(index.variants, index.variant_lengths, text, window, patched, i - low, offset, True)
                if found:
                    return found[0], found[1], skip, "variant"
    entry = index.elided.get(keys[i])
    if entry is not None and _variant_acceptable(entry, text, tokens, i, 1, offset):
        return entry, 1, 0, "elided"
    return None


_SENTENCE_BREAK_RE = re.compile(r"[.!?\u061f\u2026]")  # . ! ? ؟ …


def _institution_not_place(text: str, tokens: Sequence[Token], i: int, n: int, offset: int) -> bool:
    """A one-word mention that :data:`NON_PLACE_CONTEXT` reads as an institution here ("депутаты Думы")."""
    if n != 1:
        return False
    token = tokens[i]
    stems = NON_PLACE_CONTEXT.get(token.folded if token.folded.isascii() else match_key(token.raw, token.folded))
    if not stems:
        return False
    for step in (-1, 1):  # outwards from the mention, never past the end of its sentence
        k = i
        for _ in range(NON_PLACE_WINDOW):
            k += step
            if not 0 <= k < len(tokens):
                break
            left, right = (tokens[k], tokens[k - step]) if step == -1 else (tokens[k - step], tokens[k])
            if _SENTENCE_BREAK_RE.search(text, left.end - offset, right.start - offset):
                break
            if tokens[k].folded.startswith(stems):
                return True
    return False


def find_places(text: str, base: int = 0, index: PhraseIndex | None = None) -> list[PlaceMention]:
    """Gazetteer places named in ``text`` (offsets shifted by ``base``), leftmost-longest.

    An exact (folded) name is tried first at each word (a variant wins only
    when it is longer: "Busra al-Hareer" over "Busra"); where none matches, the variant keys (transliteration, Arabic clitics and letters,
    Russian stems) and then a single word with a vowel left out.
    Ambiguous names are resolved by the other places in ``text``
    (:func:`resolve_ambiguous`).
    """
    index = default_place_index() if index is None else index
    tokens = tokenize(text, base)
    folded = [t.folded for t in tokens]
    lengths = index.lengths
    variant_starts = index.variant_starts
    keys: list[str] = []  # match keys, computed for the passage once a variant is tried
    several = False
    mentions: list[PlaceMention] = []
    i = 0
    count = len(tokens)
    while i < count:
        exact = _match_at(index.entries, lengths, text, tokens, folded, i, base) if folded[i] in lengths else None
        if exact is not None:
            (entry, n), skip, how = exact, 0, "exact"
            if not keys:
                keys = _variant_keys(tokens)
            longer = index.variant_lengths.get(keys[i])
            if longer and longer[0] > n:  # "Busra al-Hareer" is longer than the exact "Busra"
                longest = _match_at(index.variants, index.variant_lengths, text, tokens, keys, i, base, variant=True)
                if longest is not None and longest[1] > n:
                    (entry, n), how = longest, "variant"
        else:
            raw = tokens[i].raw
            if raw[0].islower():  # a variant starts with a capital (scripts without case pass)
                i += 1
                continue
            if not keys:
                keys = _variant_keys(tokens)
            key = keys[i]
            if key not in variant_starts and not (key > "\u05ff" and is_arabic(key)):
                i += 1
                continue
            variant = _variant_at(index, text, tokens, keys, i, base)
            if variant is None:
                i += 1
                continue
            entry, n, skip, how = variant
        if _institution_not_place(text, tokens, i, n, base):
            i += n
            continue
        article = _article_before(text, tokens, i, base) if not skip else None
        start = article.start if article and (not mentions or mentions[-1].end <= article.start) else tokens[i].start + skip
        end = tokens[i + n - 1].end
        mentions.append(PlaceMention(name=text[start - base:end - base], start=start, end=end, place=entry.places[0],
                                     candidates=entry.places, match=how))
        several = several or len(entry.places) > 1
        i += n
    return resolve_ambiguous(mentions) if several else mentions


# Candidates of one name this far apart are different places (closer: the town and its plain, one place).
AMBIGUITY_KM = 25.0
# Without context, population decides between Syrian candidates only when the largest is this much larger.
POPULATION_RATIO = 20


def _km(a: Place, b: Place) -> float:
    """Distance in km (equirectangular: enough to compare places in one region)."""
    x = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    y = math.radians(b.lat - a.lat)
    return 6371.0 * math.hypot(x, y)


@functools.lru_cache(maxsize=4096)
def distinct_candidates(candidates: tuple[Place, ...]) -> tuple[Place, ...]:
    """Candidates that are different places: one per group within :data:`AMBIGUITY_KM` of a better-ranked one."""
    kept: list[Place] = []
    for place in candidates:
        if all(_km(place, other) > AMBIGUITY_KM for other in kept):
            kept.append(place)
    return tuple(kept)


def _choose(candidates: Sequence[Place], context: Sequence[Place]) -> Place | None:
    """The candidate the context points to: clearly nearest the other places, or by population; None if undecided."""
    if context:
        nearest = sorted((min(_km(c, p) for p in context), k) for k, c in enumerate(candidates))
        if nearest[0][0] < 150 and (len(nearest) == 1 or nearest[0][0] * 2 < nearest[1][0]):
            return candidates[nearest[0][1]]
        return None
    by_population = sorted(candidates, key=lambda p: -p.population)
    if all(p.is_syrian for p in candidates) and by_population[0].population >= POPULATION_RATIO * max(1, by_population[1].population):
        return by_population[0]
    return None


def resolve_ambiguous(mentions: Sequence[PlaceMention], context: Sequence[Place] = ()) -> list[PlaceMention]:
    """Each mention of a name that can be several distinct places, placed by the other places named
    (in ``mentions``, then ``context``: the rest of the document) or left ``ambiguous``."""
    out: list[PlaceMention] = []
    settled = [m.place for m in mentions if len(distinct_candidates(m.candidates)) <= 1]
    for mention in mentions:
        distinct = distinct_candidates(mention.candidates)
        if len(distinct) <= 1:
            out.append(mention if not mention.ambiguous else replace(mention, ambiguous=False))
            continue
        chosen = _choose(distinct, settled) or (_choose(distinct, context) if context else None)
        if chosen is None and not settled and not context:
            chosen = _choose(distinct, ())
        out.append(replace(mention, place=chosen or distinct[0], ambiguous=chosen is None))
    return out
