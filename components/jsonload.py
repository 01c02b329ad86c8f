"""One JSON loader for the curated files: parse, check against the file's JSON Schema, collect every problem.

The schemas (draft 2020-12) live in ``geodata/schemas/`` beside the data they
describe and are part of the code's contract: they are always read from the
repository, whatever ``ATLAS_DATA_ROOT`` says.

:func:`load_checked` reads a file and returns the document with every
structurally invalid *item* removed (one entry of an item list such as
``$.facts`` or ``$.features``, or an optional top-level key such as
``metadata``), plus one :class:`Problem` per schema error naming the file, the
JSON path and what was expected (``$.facts[3].citations[0].start: expected
integer, got string '12'``). When the document itself is unusable (malformed
JSON, wrong top-level shape, a required list of the wrong type) ``data`` is
None and the problems say why. Semantic checks run afterwards on clean data.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource

from .paths import ROOT
from .problems import Problem
from .words import plural

SCHEMAS: Path = ROOT / "geodata" / "schemas"
MAX_LISTED = 25  # schema problems listed per file; the rest are counted in one summary problem
_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null", list: "array", dict: "object"}


@dataclass
class Loaded:
    """A checked document; ``usable`` is False (and ``data`` None) when the file cannot be used at all.

    A file holding just ``null`` is usable JSON whose ``data`` is None: its schema decides.
    """

    data: Any
    problems: list[Problem] = field(default_factory=list)
    usable: bool = True


def unusable(*problems: Problem) -> Loaded:
    return Loaded(None, list(problems), usable=False)


def parse_json_bytes(raw: bytes, file: str) -> Loaded:
    """Decode UTF-8 and parse; a malformed file names its line and column. A leading UTF-8 byte order
    mark (what some Windows editors save) is accepted and ignored."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return unusable(Problem(file, f"byte {exc.start}", f"not UTF-8 ({exc.reason}); save the file as UTF-8"))
    if not text.strip():
        return unusable(Problem(file, "", "the file is empty"))
    try:
        return Loaded(json.loads(text))
    except json.JSONDecodeError as exc:
        return unusable(Problem(file, f"line {exc.lineno}, column {exc.colno}", f"malformed JSON: {exc.msg}"))
    except RecursionError:
        return unusable(Problem(file, "", "malformed JSON: nested too deeply to read"))


def read_json(path: Path) -> Loaded:
    """Read and parse one file; a missing or unreadable file is a problem, never an exception."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return unusable(Problem(path.name, "", "file is missing"))
    except OSError as exc:
        return unusable(Problem(path.name, "", f"cannot be read: {exc.strerror or exc}"))
    return parse_json_bytes(raw, path.name)


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = []
    for schema_path in sorted(SCHEMAS.glob("*.schema.json")):
        contents = json.loads(schema_path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@cache
def validator(schema_name: str) -> Draft202012Validator:
    """The compiled validator of ``geodata/schemas/<schema_name>``."""
    schema = json.loads((SCHEMAS / schema_name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=_registry())


def _path_key(error: ValidationError) -> tuple[tuple[int, Any], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in error.absolute_path)


def schema_errors(raw: Any, schema_name: str) -> list[ValidationError]:
    """Every schema error, sorted by JSON path."""
    return sorted(validator(schema_name).iter_errors(raw), key=lambda e: (_path_key(e), e.message))


def json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def shown(value: Any, limit: int = 40) -> str:
    """A short JSON rendering of a bad value for a message."""
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = repr(value) if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _either(values: Iterable[Any]) -> str:
    items = [str(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def describe(error: ValidationError) -> str:
    """What was expected, in words: ``expected integer, got string '12'``."""
    kind, want, got = error.validator, error.validator_value, error.instance
    if kind == "type":
        got_text = "null" if got is None else f"{json_type(got)} {shown(got)}"
        return f"expected {_either(want if isinstance(want, list) else [want])}, got {got_text}"
    if kind == "required":
        match = re.match(r"(.*) is a required property", error.message)
        return f"missing required key {match.group(1) if match else error.message}"
    if kind in ("enum", "const"):
        options = want if kind == "enum" else [want]
        return f"expected {_either(shown(v) for v in options)}, got {shown(got)}"
    if kind in ("minItems", "maxItems"):
        bound = "at least" if kind == "minItems" else "at most"
        return f"expected {bound} {want} item{'s' if want != 1 else ''}, got {len(got)}"
    if kind == "minLength":
        return "expected non-empty text" if want == 1 else f"expected at least {want} characters, got {shown(got)}"
    if kind == "pattern":
        return f"expected text matching {want}, got {shown(got)}"
    if kind in ("minimum", "maximum"):
        return f"expected a number {'≥' if kind == 'minimum' else '≤'} {want}, got {shown(got)}"
    if kind == "additionalProperties" and isinstance(got, dict):
        known = set(error.schema.get("properties", {}))
        extra = sorted(k for k in got if k not in known)
        return f"unexpected key{'s' if len(extra) != 1 else ''} {', '.join(map(repr, extra))} (allowed: {', '.join(sorted(known))})"
    return error.message


def _item_label(document: Any, path: tuple[Any, ...]) -> str:
    """`` (id 'north-homs.population')`` for an error inside an identified list item."""
    if len(path) < 2 or not isinstance(document, dict) or not isinstance(path[1], int):
        return ""
    items = document.get(path[0])
    item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
    if not isinstance(item, dict):
        return ""
    ident = item.get("id")
    if not isinstance(ident, str):
        props = item.get("properties")
        ident = props.get("id") if isinstance(props, dict) else None
    return f" (id {ident!r})" if isinstance(ident, str) else ""


def check(raw: Any, schema_name: str, file: str, items: tuple[str, ...] = ()) -> Loaded:
    """Validate a parsed document; drop the items (entries of the ``items`` lists) and optional keys that fail.

    An error at the top level, or in a required top-level key that is not an
    item list, makes the whole document unusable.
    """
    try:
        errors = schema_errors(raw, schema_name)
    except RecursionError:
        return unusable(Problem(file, "$", "nested too deeply to check"))
    if not errors:
        return Loaded(raw)
    problems = [Problem(file, e.json_path + _item_label(raw, tuple(e.absolute_path)), describe(e)) for e in errors]
    if len(problems) > MAX_LISTED:
        more = plural(len(problems) - MAX_LISTED, "more schema problem")
        problems = [*problems[:MAX_LISTED], Problem(file, "", f"{more} not listed")]
    required = set(validator(schema_name).schema.get("required", []))
    bad_items: dict[str, set[int]] = {}
    bad_keys: set[str] = set()
    for error in errors:
        path = tuple(error.absolute_path)
        if len(path) >= 2 and path[0] in items and isinstance(path[1], int):
            bad_items.setdefault(path[0], set()).add(path[1])
        elif path and isinstance(raw, dict) and path[0] not in required:
            bad_keys.add(str(path[0]))
        else:
            return unusable(*problems)
    cleaned = {k: v for k, v in raw.items() if k not in bad_keys}
    for key, drop in bad_items.items():
        cleaned[key] = [item for n, item in enumerate(raw[key]) if n not in drop]
    return Loaded(cleaned, problems)


def load_checked(path: Path, schema_name: str, items: tuple[str, ...] = ()) -> Loaded:
    """Read, parse and check one curated file (see :func:`check`)."""
    loaded = read_json(path)
    if not loaded.usable:
        return loaded
    return check(loaded.data, schema_name, Path(path).name, items)
