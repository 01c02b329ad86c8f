"""Per-session limits on expensive actions, kept in the session's state (one replica's memory:
nginx limits per client address across replicas, see deploy/nginx.conf)."""
from __future__ import annotations

import time
from collections.abc import Hashable

import streamlit as st

from ..ratelimit import admit
from ..settings import current_settings

SEARCH_TIMES = "atlas_search_times"
LAST_SEARCH = "atlas_last_search"


def search_wait(search: Hashable) -> float:
    """0.0 when this session may run ``search`` (query, filters, page) now; else the seconds to wait.
    Showing the last search again (any rerun of the Search tab) costs nothing and is not counted."""
    if st.session_state.get(LAST_SEARCH) == search:
        return 0.0
    stamps = st.session_state.setdefault(SEARCH_TIMES, [])
    wait = admit(stamps, time.monotonic(), current_settings().searches_per_minute, 60.0)
    if not wait:
        st.session_state[LAST_SEARCH] = search
    return wait
