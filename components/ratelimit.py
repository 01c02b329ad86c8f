"""Sliding-window rate limits (a session's searches), free of Streamlit."""
from __future__ import annotations

from collections.abc import MutableSequence


def admit(stamps: MutableSequence[float], now: float, limit: int, window_s: float) -> float:
    """Record an action at ``now`` if fewer than ``limit`` were recorded in the last ``window_s``
    seconds, and return 0.0; otherwise record nothing and return the seconds until one is allowed.
    ``stamps`` (oldest first) is pruned in place."""
    while stamps and stamps[0] <= now - window_s:
        del stamps[0]
    if len(stamps) >= limit:
        return stamps[0] + window_s - now
    stamps.append(now)
    return 0.0
