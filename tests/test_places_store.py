"""Ambiguous place names and detected languages through the corpus store and the reader (issue 16)."""
from __future__ import annotations

import pytest

from components.store import open_store
from components.store.ingest import add_bytes, remove_document
from components.store.queries import get_meta, reader_window
from components.ui.reader import language_note, mention_label

AMBIGUOUS = "Saida reported a quiet night.\n\nThe statement gave no other place.\n"
PLACED = "Shelling hit Saida and Tafas, east of Daraa.\n"
ARABIC = "قصفت القوات الحكومية بلدة طفس والشيخ مسكين في ريف درعا، وعاد الهدوء إلى صيدا في المساء.\n"


@pytest.fixture
def store(store_location):
    s = open_store(store_location)
    yield s
    s.close()


def _mentions(store, doc_id: str) -> list[tuple[str, str, int]]:
    return [tuple(r) for r in store.query(
        "SELECT m.surface, m.place_id, m.place_candidates FROM mentions m JOIN documents d ON d.id = m.doc"
        " WHERE d.doc_id = ? ORDER BY m.start", (doc_id,))]


def test_an_unresolved_name_is_stored_with_its_candidates_and_not_placed(store) -> None:
    add_bytes(store, AMBIGUOUS.encode(), "saida_alone.txt", source="cli")
    [(surface, _, candidates)] = _mentions(store, "saida_alone")
    assert (surface, candidates) == ("Saida", 2)
    assert store.count("SELECT count(*) FROM place_stats") == 0  # nothing on the map
    window = reader_window(store, "saida_alone")
    assert window is not None
    assert [mention_label(m) for m in window.mentions] == ["Saida: 2 candidates"]


def test_a_name_resolved_by_the_passage_is_placed(store) -> None:
    add_bytes(store, PLACED.encode(), "saida_daraa.txt", source="cli")
    assert _mentions(store, "saida_daraa")[0] == ("Saida", "extra:saida-daraa", 1)
    stats = {r[0]: r[1] for r in store.query("SELECT place_id, mentions FROM place_stats")}
    assert stats.get("extra:saida-daraa") == 1


def test_removing_a_document_keeps_place_counts_right_with_ambiguous_mentions(store) -> None:
    add_bytes(store, AMBIGUOUS.encode(), "saida_alone.txt", source="cli")
    add_bytes(store, PLACED.encode(), "saida_daraa.txt", source="cli")
    remove_document(store, "saida_alone")
    stats = {r[0]: r[1] for r in store.query("SELECT place_id, mentions FROM place_stats")}
    assert stats.get("extra:saida-daraa") == 1


def test_detected_language_is_stored_and_shown(store) -> None:
    add_bytes(store, ARABIC.encode(), "arabic.txt", source="cli")
    meta = get_meta(store, "arabic")
    assert meta is not None and meta.detected_language == "ar"
    assert language_note(meta) == "Language: ar (detected)"
    places = _mentions(store, "arabic")
    assert ("طفس", "geonames:163806", 1) in places
    assert ("صيدا", "extra:saida-daraa", 1) in places  # Daraa's countryside is named in the passage
