"""Every place mention's offsets slice the original text to its surface form, whatever the text (issue 16).

Mixed scripts in one word, Arabic presentation forms, combining marks (Latin
accents, Arabic harakat), bidirectional controls, tatweel and clitics are
drawn by hypothesis; a 1 MB single-line Arabic document runs once.
"""
from __future__ import annotations

import datetime as dt
import random
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.documents import Document, DocumentMeta
from components.ingest import find_places, ingest_document

NAMES = (
    "Sheikh Miskeen", "Kfar Batna", "Ma'arrat an-Nu'man", "al-Rastan", "Ar-Raqqa", "Tseel", "Khan Cheikhoun", "Saida", "Daraa",
    "والقنيطرة", "بدرعا", "للرستن", "وبحمص", "الغوطة الشرقية", "ﺩﻭﻣﺎ", "ﻭﺣﺮﺳﺘﺎ", "تلبيسـة", "دُومَا", "Думе", "в Восточной Гуте",
    "Харасте", "Dоuma", "Идлибе", "Растан", "Дара́а",
)
PIECES = (
    " ", "  ", "-", ", ", ". ", "\u200f", "\u200e", "\u202b", "\u202c", "\u2066", "\u2069", "\u200d", "\u200c", "\u0640",
    "\u0301", "\u064e", "\u0651", "'", "\u2019", "\u02bf", "al-", "و", "ب", "ل", "the ", "в ", "\u00a0", "\n", "ﻻ",
)


def _documents(text: str) -> Document:
    return Document(id="prop", path=Path("prop.txt"), text=text, meta=DocumentMeta(title="prop", published=dt.date(2017, 7, 1)))


def _check(text: str) -> int:
    mentions = find_places(text)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.name, (m.name, m.start, m.end)
    for passage in ingest_document(_documents(text)).passages:
        for linked in passage.places:
            m = linked.mention
            assert text[m.start:m.end] == m.name, (m.name, m.start, m.end)
    return len(mentions)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(NAMES), st.sampled_from(PIECES),
                          st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)),
                min_size=1, max_size=30))
def test_offsets_slice_the_surface_form(parts: list[str]) -> None:
    _check("".join(parts))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=8), st.lists(st.sampled_from(PIECES), min_size=1, max_size=8))
def test_offsets_exact_in_nfd_text(names: list[str], pieces: list[str]) -> None:
    """Decomposed text (every accent a combining mark) shifts offsets; mentions still slice their own surface."""
    text = unicodedata.normalize("NFD", "".join(n + p for n, p in zip(names, pieces * 8, strict=False)))
    _check(text)


def test_known_mixed_script_text_is_found_with_exact_offsets() -> None:
    text = "\u202bوالقنيطرة\u202c و ﺩﻭﻣﺎ، Sheikh Miskeen\u200f و в Думе"
    found = {m.name for m in find_places(text)}
    assert {"القنيطرة", "ﺩﻭﻣﺎ", "Sheikh Miskeen", "Думе"} <= found
    assert _check(text) >= 4


def test_one_megabyte_single_line_arabic_document() -> None:
    rng = random.Random(16)
    words = ["قصفت", "القوات", "والقنيطرة", "بدرعا", "في", "ريف", "حمص", "الشمالي", "ودوما", "ﺩﻭﻣﺎ", "تلبيسـة", "\u200f", "دُومَا"]
    parts: list[str] = []
    size = 0
    while size < 1_000_000:
        word = rng.choice(words)
        parts.append(word)
        size += len(word.encode("utf-8")) + 1
    text = " ".join(parts)
    assert "\n" not in text and len(text.encode("utf-8")) >= 1_000_000
    assert _check(text) > 1000
