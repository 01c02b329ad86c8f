"""Type-mutated curated files never give a traceback: not in validate, export, the loaders or the app.

Each example takes one curated file (facts, zone curation, zones, references,
gazetteer extras, the seed's sidecar), changes one value at a random JSON path
(to text, a number, null, a list, an object, a nested list), deletes a key or
an item, or truncates the file, and feeds a private copy of the data to the
real code.
"""
from __future__ import annotations

import contextlib
import html
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from components.atlas import DataPaths, load_atlas
from components.cli import main as cli_main
from components.export import TEXT_FORMATS, render
from components.gazetteer import GazetteerError, load_gazetteer
from components.jsonload import check
from components.validate import validate_all
from tests.server import sealed_app

ROOT = Path(__file__).resolve().parent.parent
SEED = "000_6a7ef684703209c4"
CURATED: dict[str, str] = {  # file -> its schema
    "geodata/facts.json": "facts.schema.json",
    "geodata/zone_curation.json": "zone_curation.schema.json",
    "geodata/zones.geojson": "zones.schema.json",
    "geodata/references.json": "references.schema.json",
    "geodata/gazetteer_extra.json": "gazetteer_extra.schema.json",
    f"seeds/{SEED}.meta.json": "sidecar.schema.json",
}
REPLACEMENTS = st.one_of(
    st.text(max_size=6), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.none(), st.booleans(), st.just([]), st.just({}), st.lists(st.integers(0, 99), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(0, 9), max_size=2), st.just([[[[36.5, 33.5]]]]), st.just([["x"]]),
)


@dataclass(frozen=True)
class Mutation:
    file: str  # relative to the data root
    text: str
    what: str

    @property
    def name(self) -> str:
        return Path(self.file).name

    def document(self) -> Any:
        """The mutated document, or None when the text is no longer JSON."""
        try:
            return json.loads(self.text)
        except ValueError:
            return None


def json_paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from json_paths(child, (*path, key))


@cache
def places_by_shape(file: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every JSON path of a bundled file, grouped by its shape (indices as ``[*]``): ``$.facts[*].related_zones``.

    Drawing a shape first, then one path of that shape, reaches every kind of
    place in a file equally often, however many coordinates or facts it has.
    """
    doc = json.loads((ROOT / file).read_text(encoding="utf-8"))
    shapes: dict[str, list[tuple[Any, ...]]] = {}
    for path in json_paths(doc):
        shapes.setdefault(json_path(path, any_index=True), []).append(path)
    return shapes


def json_path(path: tuple[Any, ...], any_index: bool = False) -> str:
    return "$" + "".join(("[*]" if any_index else f"[{k}]") if isinstance(k, int) else f".{k}" for k in path)


@st.composite
def mutations(draw: st.DrawFn, files: tuple[str, ...] = tuple(sorted(CURATED))) -> Mutation:
    file = draw(st.sampled_from(files))
    text = (ROOT / file).read_text(encoding="utf-8")
    if draw(st.integers(0, 9)) == 0:
        cut = draw(st.integers(0, len(text) - 1))
        return Mutation(file, text[:cut], f"truncated at {cut}")
    shapes = places_by_shape(file)
    path = draw(st.sampled_from(shapes[draw(st.sampled_from(sorted(shapes)))]))
    doc = json.loads(text)
    if not path:
        doc = draw(REPLACEMENTS)
        return Mutation(file, json.dumps(doc), f"whole document replaced by {doc!r}")
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if draw(st.integers(0, 4)) == 0:
        del parent[path[-1]]
        return Mutation(file, json.dumps(doc, ensure_ascii=False), f"{json_path(path)} deleted")
    original = type(parent[path[-1]])  # a value of another JSON type: the faults a schema is for
    parent[path[-1]] = value = draw(REPLACEMENTS.filter(lambda v: type(v) is not original))
    return Mutation(file, json.dumps(doc, ensure_ascii=False), f"{json_path(path)} = {value!r}")


@contextlib.contextmanager
def mutated_copy(mutation: Mutation) -> Iterator[DataPaths]:
    """The real geodata/ and seeds/ in a temporary folder, one file mutated; ATLAS_* point at it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "geodata", root / "geodata")
        shutil.copytree(ROOT / "seeds", root / "seeds")
        (root / "uploads").mkdir()
        (root / mutation.file).write_text(mutation.text, encoding="utf-8")
        env = {"ATLAS_DATA_ROOT": str(root), "ATLAS_UPLOADS": str(root / "uploads"), "ATLAS_TILES": "none"}
        with patch.dict(os.environ, env):
            yield DataPaths.under(root, root / "uploads")


def run_cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(list(argv))
    return code, out.getvalue() + err.getvalue()


def schema_rejects(mutation: Mutation) -> bool:
    doc = mutation.document()
    return doc is None or bool(check(doc, CURATED[mutation.file], mutation.name).problems)


@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutation=mutations())
def test_validate_export_and_loaders_never_raise(mutation: Mutation) -> None:
    with mutated_copy(mutation) as data:
        code, output = run_cli("validate")
        assert code in (0, 1), mutation.what
        problems = validate_all(data)
        assert (code == 1) == bool(problems), (mutation.what, output)
        assert all(str(p).strip() for p in problems)
        if schema_rejects(mutation):  # a structural fault is always reported, naming the file
            assert any(mutation.name in str(p) for p in problems), (mutation.what, [str(p) for p in problems])

        gazetteer_read = True
        try:
            load_gazetteer(data.gazetteer, data.gazetteer_extra)
        except GazetteerError as exc:
            assert "gazetteer" in str(exc)
            gazetteer_read = False

        atlas = load_atlas(data)
        for fmt in TEXT_FORMATS:
            assert isinstance(render(atlas, fmt), str)
            out = data.facts.parent.parent / f"export.{fmt}"
            code, output = run_cli("export", "--format", fmt, "--out", str(out))
            refused = bool(atlas.problems) or (fmt == "lpf" and not gazetteer_read)  # lpf lists the gazetteer's places
            assert code == (1 if refused else 0), (mutation.what, output)
            assert out.exists() == (code == 0)
            if fmt == "lpf" and not gazetteer_read and not atlas.problems:
                assert "export: the gazetteer cannot be read" in output, output


APP_FILES = tuple(sorted(set(CURATED) - {"geodata/zone_curation.json"}))  # the app never reads the curation
TABS = ("All zones", "Timeline", "Where the sources disagree", "Sources and downloads")


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutation=mutations(APP_FILES), zone=st.sampled_from(["idlib", "north-homs", "eastern-ghouta", "south"]), tab=st.sampled_from(TABS))
def test_app_lists_the_problem_and_keeps_working(mutation: Mutation, zone: str, tab: str) -> None:
    with mutated_copy(mutation) as data:
        at = AppTest.from_file(str(sealed_app()), default_timeout=90)
        at.query_params["zone"] = zone
        at.query_params["tab"] = tab
        at.run()
        assert not at.exception, (mutation.what, at.exception)
        assert at.title[0].value == "De-escalation Atlas"
        problems = load_atlas(data).problems
        if problems:
            shown = next(str(h.value) for h in at.html if 'class="atlas-problems"' in str(h.value))
            assert "Some data could not be used" in shown
            assert all(html.escape(str(p), quote=True) in shown for p in problems), mutation.what
