"""Permalink parameters (``?zone=north-homs``): parsing with friendly messages.

Messages may contain the raw parameter: escape them before display.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

MAX_PARAM_LENGTH = 64
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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


def strict_iso_date(value: str) -> dt.date:
    """Exactly ``YYYY-MM-DD`` (ASCII digits); ``ValueError`` otherwise. ``date.fromisoformat`` alone also
    takes ``20170601`` and ``2017-W23-1``, which the messages asking for YYYY-MM-DD do not promise."""
    if not _ISO_DAY.fullmatch(value):
        raise ValueError(f"not YYYY-MM-DD: {value!r}")
    return dt.date.fromisoformat(value)


def tab_message(raw: str | None, tabs: Sequence[str]) -> str | None:
    """A friendly message when ``?tab=`` names no tab (the first tab opens instead); None when it is fine."""
    if raw is None or raw in tabs:
        return None
    value = raw.strip()
    if not value:
        return f"The link has an empty tab; showing “{tabs[0]}”."
    if len(value) > MAX_PARAM_LENGTH:
        return f"The link's tab is {len(value)} characters long, which is not a tab; showing “{tabs[0]}”."
    close = [t for t in tabs if t.casefold() == value.casefold()]
    hint = f" Did you mean “{close[0]}”?" if close else ""
    return f"No tab called “{value[:40]}”.{hint} Tabs: {', '.join(tabs)}. Showing “{tabs[0]}”."


def repeated_params(params: Mapping[str, Sequence[str]], keys: Iterable[str]) -> dict[str, str]:
    """For each of ``keys`` given more than once (``?zone=idlib&zone=south``), the one value kept: the
    last, the one Streamlit's ``query_params.get`` and its bound widgets read."""
    return {key: values[-1] for key in keys if len(values := list(params.get(key, ()))) > 1}
