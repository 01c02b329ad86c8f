"""Permalink parameters (``?zone=north-homs``): parsing with friendly messages.

Messages may contain the raw parameter: escape them before display.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_PARAM_LENGTH = 64


@dataclass(frozen=True)
class ZoneParam:
    zone_id: str | None
    message: str | None = None


def parse_zone_param(raw: str | None, known: Iterable[str]) -> ZoneParam:
    """Interpret ``?zone=``; unknown, empty or overlong values give a message, never an error."""
    known = list(known)
    if raw is None:
        return ZoneParam(None)
    value = raw.strip().lower()
    if not value:
        return ZoneParam(None, "The link has an empty zone; showing all zones.")
    if len(value) > MAX_PARAM_LENGTH:
        return ZoneParam(None, f"The link's zone is {len(value)} characters long, which is not a zone id; showing all zones.")
    if value in known:
        return ZoneParam(value)
    shown = value[:40]
    return ZoneParam(None, f"No zone called “{shown}”. Known zones: {', '.join(known)}. Showing all zones.")
