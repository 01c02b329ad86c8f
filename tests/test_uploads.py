"""Uploads: names are sanitised, bad files refused, nothing overwritten, writes atomic."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.documents import DocumentError, load_corpus
from components.uploads import MAX_NAME_LENGTH, sanitize_name, store_upload


@pytest.mark.parametrize("name, expected", [
    ("article.txt", "article.txt"),
    ("../../etc/passwd", "passwd.txt"),
    ("..\\..\\windows\\win.ini", "win.ini.txt"),
    ("/abs/path/report.TXT", "report.txt"),
    ("a\x00b.txt", "ab.txt"),
    ("..", "document.txt"),
    ("", "document.txt"),
    ("Dar‘ā news.txt", "Dara-news.txt"),
    (".hidden.txt", "hidden.txt"),
])
def test_sanitize_name(name: str, expected: str) -> None:
    assert sanitize_name(name) == expected


@given(st.text())
def test_sanitized_names_are_always_safe(name: str) -> None:
    safe = sanitize_name(name)
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe and ".." not in safe
    assert safe.endswith(".txt") and not safe.startswith(".")
    assert len(safe) <= MAX_NAME_LENGTH + 4


def test_very_long_name_is_cut(tmp_path: Path) -> None:
    path = store_upload(b"Text about Idlib.", "x" * 5000 + ".txt", tmp_path)
    assert len(path.name) <= MAX_NAME_LENGTH + 4 and path.parent == tmp_path


def test_never_overwrites(tmp_path: Path) -> None:
    first = store_upload(b"First text.", "news.txt", tmp_path)
    second = store_upload(b"Second text.", "news.txt", tmp_path)
    assert first.name == "news.txt" and second.name == "news-2.txt"
    assert first.read_bytes() == b"First text." and second.read_bytes() == b"Second text."


@pytest.mark.parametrize("data, message", [
    (b"", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"), (b"caf\xe9", "UTF-8"),
    (b"a" * (2 * 1024 * 1024 + 1), "limit"),
])
def test_bad_uploads_are_refused_and_nothing_written(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        store_upload(data, "bad.txt", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_stored_upload_joins_the_corpus(tmp_path: Path) -> None:
    store_upload(b"Deraa and Quneitra: the southern zone.", "south.txt", tmp_path)
    corpus = load_corpus(tmp_path)
    assert corpus.get("south").text.startswith("Deraa")
