"""Nothing lost: killed writers leave old or new files, never half; loaders survive any input."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from components.documents import DocumentError, decode_document_bytes, load_corpus
from components.facts import load_facts
from components.zones import parse_zones

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from components.atomic import atomic_write_text
    from components.uploads import store_upload
    folder, out = Path(sys.argv[2]), Path(sys.argv[3])
    n = 0
    while True:
        n += 1
        body = (f"Article {n} about Idlib province. " * 40000).encode()   # ~1.4 MB
        store_upload(body, "article.txt", folder)
        atomic_write_text(out, json.dumps({"n": n, "pad": "x" * 2_000_000}))
""")


def complete_article(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    n = text.split(" ", 2)[1]
    return text == f"Article {n} about Idlib province. " * 40000


def test_killing_a_writer_mid_write_loses_nothing(tmp_path: Path) -> None:
    seeds_before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (ROOT / "seeds").iterdir()}
    folder, out = tmp_path / "uploads", tmp_path / "export.json"
    folder.mkdir()
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    for delay in (0.4, 0.9, 1.3):
        proc = subprocess.Popen([sys.executable, str(script), str(ROOT), str(folder), str(out)])
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        visible = sorted(folder.glob("*.txt"))
        assert all(complete_article(p) for p in visible)
        corpus = load_corpus(folder)
        assert corpus.problems == [] and len(corpus.documents) == len(visible)
        if out.exists():
            assert json.loads(out.read_text(encoding="utf-8"))["n"] >= 1
    assert sorted(folder.glob("*.txt"))  # the writer did get some work done
    seeds_after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (ROOT / "seeds").iterdir()}
    assert seeds_after == seeds_before  # source documents are never modified


@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_give_a_clear_error(data: bytes) -> None:
    try:
        text = decode_document_bytes(data, "x.txt")
    except DocumentError as exc:
        assert str(exc).startswith("x.txt: ")
    else:
        assert text.strip() and text.encode("utf-8") == data


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(JSON)
def test_facts_loader_never_crashes(tmp_path_factory, raw) -> None:
    path = tmp_path_factory.mktemp("facts") / "facts.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    result = load_facts(path)
    # random JSON is never a usable facts file: nothing is loaded, and the problems name the file
    assert not result.facts
    assert result.problems and all(p.file == "facts.json" and p.message for p in result.problems)


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({"type": st.just("FeatureCollection"), "features": st.lists(
    st.fixed_dictionaries({"type": st.just("Feature"), "id": JSON, "properties": st.fixed_dictionaries({"id": JSON}),
                           "geometry": JSON}), max_size=3)}))
def test_zones_parser_never_crashes(raw) -> None:
    result = parse_zones(raw, "zones.geojson")
    assert result.problems  # arbitrary features are never a valid set of four zones


KILLED_WRITER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from components.atomic import _complete_temp_file
    _complete_temp_file(Path(sys.argv[2]), sys.argv[3], b"Idlib " * 350_000)  # written and fsync'ed, not yet renamed
    os.kill(os.getpid(), signal.SIGKILL)                                       # killed before the rename
""")


def leftover_of_a_killed_write(folder: Path, target: str, age_s: float) -> Path:
    """A real temporary file left by a writer SIGKILLed mid-write (atomic.py's own code), ``age_s`` old."""
    before = set(folder.iterdir()) if folder.is_dir() else set()
    run = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(ROOT), str(folder), target], timeout=60)
    assert run.returncode == -signal.SIGKILL
    (left,) = set(folder.iterdir()) - before
    os.utime(left, (time.time() - age_s, time.time() - age_s))
    return left


def foreign_files(folder: Path) -> list[Path]:
    """Files that look temporary but are not ours: never removed."""
    out = [folder / "keep.tmp", folder / ".notes.tmp", folder / ".article.txt.tmp", folder / ".article.txt.TOOLONG12.tmp"]
    for path in out:
        path.write_text("not ours", encoding="utf-8")
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    return out


def test_leftovers_of_interrupted_uploads_are_removed_at_app_start() -> None:
    from components.atomic import LEFTOVER_AGE_S
    from tests.test_apptest import run_app
    uploads = Path(os.environ["ATLAS_UPLOADS"])
    uploads.mkdir(parents=True, exist_ok=True)
    old = leftover_of_a_killed_write(uploads, "article.txt", age_s=LEFTOVER_AGE_S + 60)
    young = leftover_of_a_killed_write(uploads, "report.txt", age_s=0)  # maybe another replica's write in progress
    foreign = foreign_files(uploads)
    assert old.name.startswith(".article.txt.") and old.stat().st_size == 2_100_000
    run_app()
    assert not old.exists()
    assert young.exists() and all(p.exists() for p in foreign)
    assert sorted(p.name for p in uploads.iterdir()) == sorted([young.name, *(p.name for p in foreign)])


def test_export_removes_the_leftover_of_an_interrupted_export(tmp_path: Path) -> None:
    from components.atomic import LEFTOVER_AGE_S
    out = tmp_path / "zones.geojson"
    old = leftover_of_a_killed_write(tmp_path, out.name, age_s=LEFTOVER_AGE_S + 60)
    other = leftover_of_a_killed_write(tmp_path, "facts.csv", age_s=LEFTOVER_AGE_S + 60)  # another file's: not this command's
    run = subprocess.run([sys.executable, "-m", "components", "export", "--format", "geojson", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    assert not old.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([other.name, out.name])
