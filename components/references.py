"""External references (``geodata/references.json``): documents cited by id, not quoted."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .problems import Problem


@dataclass(frozen=True)
class Reference:
    id: str
    title: str
    date: str
    publisher: str
    url: str | None
    summary: str
    note: str = ""


def load_references(path: Path) -> tuple[dict[str, Reference], list[Problem]]:
    """Read the references file; problems are returned, never raised."""
    path = Path(path)
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return {}, [Problem(path.name, "", "file is missing")]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [Problem(path.name, "", f"malformed JSON: {exc}")]
    items = raw.get("references") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        return {}, [Problem(path.name, "references", "'references' must be a list")]
    refs: dict[str, Reference] = {}
    problems: list[Problem] = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("title"), str):
            problems.append(Problem(path.name, f"references[{n}]", "needs at least text 'id' and 'title'"))
            continue
        refs[item["id"]] = Reference(
            id=item["id"], title=item["title"], date=str(item.get("date", "")),
            publisher=str(item.get("publisher", "")), url=item.get("url"),
            summary=str(item.get("summary", "")), note=str(item.get("note", "")),
        )
    return refs, problems
