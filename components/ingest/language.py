"""The language of a document, detected from its text (py3langid: a maintained, offline langid.py fork).

Only the first :data:`SAMPLE_CHARS` characters are classified (a language is
clear long before, and the cost stays fixed per document). The model ships
inside the package (about 4 MB) and is loaded once per process, on first use.
A text with too few letters gives ``""`` (unknown), never a guess.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

# py3langid's cost grows with the sample, and inside the pipeline it is mostly memory traffic (its byte
# automaton, 39 MB, and its per-feature table, 28 MB, are read at random places and evicted from the
# cache between documents): measured with the whole pipeline on 500 generated articles, best of 6,
# 4,000 characters cost ~0.4 CPU s per MB ingested, 1,500 ~0.30, 600 ~0.20. 600 characters (a title
# and the first paragraph or two) give the same language as 1,500 on every test and evaluation text.
SAMPLE_CHARS = 600
MIN_LETTERS = 20
# Scripts written right to left: a passage in one of these is shown with dir="rtl" (the reader uses dir="auto").
RTL_LANGUAGES: frozenset[str] = frozenset({"ar", "fa", "he", "ur", "ps", "ku", "yi"})


@functools.lru_cache(maxsize=1)
def _classify() -> Callable[[str], Any]:
    import py3langid  # loads its bundled model on the first classify

    return py3langid.classify


def preload_language_model() -> None:
    """Load the model now (once per process): before forking workers, so they share it."""
    _classify()("preload the language model")


def _has_letters(text: str, n: int) -> bool:
    """At least ``n`` letters in ``text`` (stops counting at ``n``)."""
    for c in text:
        if c.isalpha():
            n -= 1
            if n <= 0:
                return True
    return False


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ("en", "ar", "ru", ...), or "" when there is too little text."""
    sample = text[:SAMPLE_CHARS]
    if not _has_letters(sample, MIN_LETTERS):
        return ""
    language, _ = _classify()(sample)
    return str(language)
