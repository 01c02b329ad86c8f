"""External references (``geodata/references.json``): documents cited by id, not quoted."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .jsonload import load_checked
from .problems import Problem

SCHEMA_FILE = "references.schema.json"  # geodata/schemas/


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
    loaded = load_checked(path, SCHEMA_FILE, items=("references",))
    if not loaded.usable:
        return {}, loaded.problems
    items = loaded.data["references"]
    refs: dict[str, Reference] = {}
    for item in items:  # the schema guarantees text 'id' and 'title'
        refs[item["id"]] = Reference(
            id=item["id"], title=item["title"], date=str(item.get("date", "")),
            publisher=str(item.get("publisher", "")), url=item.get("url"),
            summary=str(item.get("summary", "")), note=str(item.get("note", "")),
        )
    return refs, loaded.problems
