"""Coordinate output helpers shared by the build scripts (deterministic GeoJSON)."""
from __future__ import annotations

from typing import Any


def rounded(obj: Any, ndigits: int) -> Any:
    """Round every float in a nested list/tuple structure (tuples become lists; -0.0 becomes 0.0)."""
    if isinstance(obj, float):
        value = round(obj, ndigits)
        return 0.0 if value == 0 else value
    if isinstance(obj, (list, tuple)):
        return [rounded(v, ndigits) for v in obj]
    return obj
