"""One text fold for gazetteer names, place tokens and search (components/textfold.py)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components import gazetteer
from components.ingest.places import fold_token
from components.store import open_store
from components.store.folding import search_fold
from components.store.ingest import sync_folder
from components.store.search import match_spans, search
from components.textfold import fold_name, fold_text, fold_with_offsets, fold_word

DARAA_TEXT = "In Dar'a, Darʿā and Daraa (DARAA to the wires) the talks went on; Deraa is spelt apart."


def found(text: str, query: str) -> list[str]:
    """The marks search puts in ``text`` for ``query`` (the store's span finder)."""
    return [text[a:b] for a, b in match_spans(text, 0, (search_fold(query),))]


def test_the_gazetteer_fold_is_the_shared_fold() -> None:
    assert gazetteer.fold is fold_name
    for name in ["Dar'a", "Darʿā", "Daraa", "Ma‘arrat", "Ḩamāh"]:  # a place token, a search query and a gazetteer key agree
        assert fold_word(name) == fold_token(name) == search_fold(name) == fold_name(name) == fold_name(name.upper())
    assert search_fold("Ma‘arrat an-Nu‘mān") == fold_name("Ma‘arrat an-Nu‘mān") == "marat an numan"


@pytest.mark.parametrize("query", ["Daraa", "daraa", "dara", "Dar'a", "DAR‘A", "Darʿā"])
def test_every_spelling_of_daraa_finds_every_other(query: str) -> None:
    assert found(DARAA_TEXT, query) == ["Dar'a", "Darʿā", "Daraa", "DARAA"]


def test_marks_cover_exactly_the_original_characters() -> None:
    assert found("the Raqqa front", "raqa") == ["Raqqa"]            # a squeezed run is marked whole
    assert found("north of Ma'arrat al-Nu'man.", "Maarat al Numan") == ["Ma'arrat al-Nu'man"]
    decomposed = "see Dar\u02bfa\u0304 now"                            # a + combining macron
    assert found(decomposed, "dara") == ["Dar\u02bfa\u0304"]          # the accent stays with its letter
    assert found("'Daraa'", "daraa") == ["Daraa"]                     # quotes around are not marked
    assert found("in 1000 or 100 places", "100") == ["100", "100"]   # digits are never squeezed
    assert found("x" * 3, "") == []


def test_search_over_a_real_corpus_finds_other_spellings(tmp_path) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "001_daraa.txt").write_text("Shelling in Dar'a\n\nTalks in Damascus\n", encoding="utf-8")
    with open_store(tmp_path / "atlas.db") as store:
        assert [r.status for r in sync_folder(store, folder).results] == ["added"]
        hits = search(store, "Daraa").hits
    assert [(h.doc_id, h.text) for h in hits] == [("001_daraa", "Shelling in Dar'a")]
    text = (folder / "001_daraa.txt").read_text(encoding="utf-8")
    assert [text[a:b] for a, b in hits[0].spans] == ["Dar'a"]


@given(st.text())
def test_offsets_fold_exactly_like_the_text(text: str) -> None:
    folded, starts, ends = fold_with_offsets(text)
    assert folded == fold_text(text)
    assert len(starts) == len(ends) == len(folded)
    assert all(0 <= a < b <= len(text) for a, b in zip(starts, ends, strict=True))
    assert starts == sorted(starts) and ends == sorted(ends)


@given(st.text(alphabet=st.sampled_from("aAbBrR'’ʿ-  \u0301āßﬁ1x"), max_size=30), st.data())
def test_every_hit_folds_to_something_holding_the_query(text: str, data: st.DataObject) -> None:
    folded = search_fold(text)
    a = data.draw(st.integers(0, len(folded)))
    query = folded[a:data.draw(st.integers(a, len(folded)))].strip()
    for start, end in match_spans(text, 0, (query,)):
        marked = text[start:end]
        assert query in search_fold(marked)
        assert fold_text(marked[0]) and (fold_text(marked[-1]) or marked[-1] == "\u0301")  # no stray mark at either end
