"""The one text fold shared by place names, place recognition and search.

Transliterations of one Arabic name differ in case, accents, ayn/hamza marks,
hyphens and doubled letters ("Dar'a", "Darʿā", "Daraa", "Deraa"; "Ma'arrat",
"Maarat"). Folding removes the first four differences and squeezes a run of
one repeated letter to a single letter, so "Daraa" and "Dar'a" both fold to
"dara". Every caller folds the same way:

* :func:`fold_text` -- the folded text; :func:`fold_with_offsets` also maps
  each folded character back to the original characters it came from, so a
  search hit marks exactly the original characters (``store.folding``).
* :func:`fold_word` -- one word token (``ingest.places``).
* :func:`fold_name` -- a place name as a gazetteer key: whitespace collapsed and
  one leading Arabic article dropped (re-exported as ``components.gazetteer.fold``).

Per character: casefold, NFKD, combining marks and apostrophe-like ayn/hamza
marks dropped, hyphens and whitespace to a space (repeated until stable: a
decomposition can reveal an uppercase letter, e.g. U+1D40 -> "T"). Then runs of
spaces and runs of one repeated letter become one character; digits and other
characters are never squeezed ("1000" stays "1000").
"""
from __future__ import annotations

import re
import unicodedata

# Apostrophe-like marks used for ayn/hamza in transliterations: dropped.
MARKS: str = "'\u2019\u2018\u02bf\u02be`\u00b4\u02bb\u02bc\u2032"
# Hyphen-like characters: become spaces.
SPACERS: str = "-_\u2010\u2011\u2012\u2013\u2014"
# Leading Arabic article in its common transliterations (sun-letter
# assimilated forms, English and French spellings): "al-", "ar ", "es ", ...
LEADING_ARTICLES: frozenset[str] = frozenset({
    "al", "el", "ad", "ed", "adh", "edh", "an", "en", "ar", "er", "as", "es",
    "ash", "esh", "ech", "at", "et", "ath", "eth", "az", "ez",
})
# A run of one repeated letter, or of spaces (after the per-character fold).
_REPEATS = re.compile(r"([^\W\d_]| )\1+")
_ANY_REPEAT = re.compile(r"(.)\1")  # a cheap first test: most names have no repeated character


def _first_of_run(match: re.Match[str]) -> str:
    return match.group(1)


def _squeeze(text: str) -> str:
    return _REPEATS.sub(_first_of_run, text) if _ANY_REPEAT.search(text) else text


def _fold_char(char: str) -> str:
    """Fold one character (see the module docstring); may give "" or several characters."""
    out = char
    for _ in range(4):
        # Marks first: U+00B4 would otherwise decompose to a space + accent.
        decomposed = unicodedata.normalize("NFKD", "".join(c for c in out if c not in MARKS).casefold())
        folded = "".join(
            " " if ch in SPACERS or ch.isspace() else ch
            for ch in decomposed
            if not unicodedata.combining(ch) and ch not in MARKS
        )
        if folded == out:
            break
        out = folded
    return out


class _CharFolder(dict[int, str]):
    """Lazily filled ``str.translate`` table of :func:`_fold_char`.

    casefold and NFKD are per-character mappings, so folding character by
    character equals folding the whole string, and the cache makes folding
    thousands of names at load time cheap."""

    def __missing__(self, codepoint: int) -> str:
        folded = _fold_char(chr(codepoint))
        self[codepoint] = folded
        return folded


_TABLE = _CharFolder()



_LETTER = re.compile(r"[^\W\d_]")


def _squeezable(char: str) -> bool:
    """What ``_REPEATS`` squeezes: a space or a letter."""
    return char == " " or _LETTER.match(char) is not None


def fold_chars(text: str) -> str:
    """``text`` folded character by character, nothing squeezed yet (``fold_text`` = ``squeeze(fold_chars(text))``)."""
    return text.translate(_TABLE)


def squeeze(text: str) -> str:
    """Runs of one repeated letter, and runs of spaces, squeezed to one character."""
    return _squeeze(text)


def fold_text(text: str) -> str:
    """``text`` folded character by character, runs of a repeated letter or of spaces squeezed."""
    return _squeeze(text.translate(_TABLE))


def fold_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """``fold_text(text)`` and, per folded character, the original characters ``text[start:end]`` it stands for.

    A squeezed run stands for all its original characters; a character that
    folds to nothing is covered by no folded character, except a combining mark,
    which belongs to the character before it.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    table = _TABLE
    for i, ch in enumerate(text):
        piece = table[ord(ch)]
        if not piece:
            if ends and unicodedata.combining(ch) and ends[-1] == i:
                ends[-1] = i + 1
            continue
        for f in piece:
            if out and out[-1] == f and _squeezable(f):
                ends[-1] = i + 1
            else:
                out.append(f)
                starts.append(i)
                ends.append(i + 1)
    return "".join(out), starts, ends


def _unsqueezed_word(word: str) -> str:
    return "".join(word.translate(_TABLE).split())


def fold_word(word: str) -> str:
    """One word token folded (any space inside removed), without the article step."""
    return _squeeze(_unsqueezed_word(word))


def is_written_article(word: str) -> bool:
    """An article exactly as written ("al", "Ash", "El"), not a squeezed English word ("all", "Ell")."""
    return _unsqueezed_word(word) in LEADING_ARTICLES


def fold_name(name: str) -> str:
    """Normalise a place name for matching: :func:`fold_text`, trimmed, one
    leading article dropped ("Ar Rastan" -> "rastan", "Ash-Shaykh Miskin" ->
    "shaykh miskin", "Ett Tell" -> "tel": French spellings double the article's consonant)."""
    text = fold_text(name).strip()
    head, _, rest = text.partition(" ")
    return rest if rest and head in LEADING_ARTICLES else text


# --------------------------------------------------------------------------
# Match keys: what place recognition compares when the fold alone differs.
# --------------------------------------------------------------------------

# Whole-word spellings of common name words (already folded: doubled letters
# squeezed) whose variants differ by more than vowels: "Kfar" and "Kafr".
COMMON_WORDS: dict[str, str] = {
    **dict.fromkeys(("kafr", "kfar", "kefr", "kufr", "kfr", "kafar", "kefer", "kfer"), "kafr"),
    **dict.fromkeys(("khirbet", "khirbat", "khirbit", "kherbet", "khirba", "khirbeh", "kherbeh"), "khirba"),
    **dict.fromkeys(("jisr", "jesr", "jsr", "djisr"), "jisr"),
    **dict.fromkeys(("tel", "tal", "til"), "tal"),
}
_LATIN_RULES: tuple[tuple[str, str], ...] = (("ch", "sh"), ("dj", "j"), ("q", "k"), ("ph", "f"), ("ck", "k"))
_VOWEL_RUN = re.compile(r"[aeiouy]+|(?<=[aeiouy])w(?![aeiouy])")
_VOWELS_THEN_W = re.compile(r"a(?:w(?![aeiouy])a?)+")
_FINAL_H = re.compile(r"(?<=a)h$")


def latin_key(folded: str) -> str:
    """The transliteration key of one folded Latin-script word: spellings of one Arabic name meet.

    Absorbs French spellings (ch, dj), q/k, vowel variants (every run of
    vowels, "ay"/"aw" included, becomes one ``a``), a final -ah/-eh/-a/-e
    (``h`` after the last vowel dropped) and doubled letters. Whole words in
    :data:`COMMON_WORDS` first ("Kfar" = "Kafr"). Not ASCII letters: unchanged.
    """
    if not folded.isascii() or not folded.isalpha():
        return folded
    word = COMMON_WORDS.get(folded, folded)
    for old, new in _LATIN_RULES:
        if old in word:
            word = word.replace(old, new)
    word = _VOWELS_THEN_W.sub("a", _VOWEL_RUN.sub("a", word))
    word = _FINAL_H.sub("", word)
    return _squeeze(COMMON_WORDS.get(word, word))


# Arabic letters that spell one sound several ways: alef maqsura, taa marbuta,
# alef wasla, Farsi yeh and keheh; tatweel (a stretching stroke) is dropped.
_ARABIC_TABLE = str.maketrans({"\u0649": "\u064a", "\u0629": "\u0647", "\u0671": "\u0627", "\u06cc": "\u064a",
                               "\u06a9": "\u0643", "\u0640": None, "\u0623": "\u0627", "\u0625": "\u0627",
                               "\u0622": "\u0627"})
ARABIC_ARTICLE = "\u0627\u0644"  # ال


def is_arabic(word: str) -> bool:
    """The word's first letter is in the Arabic block (U+0600-U+06FF)."""
    return "\u0600" <= word[:1] <= "\u06ff"


def arabic_key(folded: str) -> str:
    """One folded Arabic-script word normalised: alef/yeh/taa marbuta variants, tatweel, the article "ال" dropped."""
    word = folded.translate(_ARABIC_TABLE)
    if word.startswith(ARABIC_ARTICLE) and len(word) > 3:
        word = word[2:]
    return word
