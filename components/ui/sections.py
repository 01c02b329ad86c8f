"""Lazy tabs: only the open tab's content runs and is sent to the browser."""
from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

TAB_KEY = "tab"  # also the query parameter: ?tab=Timeline


def show_lazy_tabs(sections: Mapping[str, Callable[[], object]]) -> None:
    """One tab per section; a closed tab's function is not called (``on_change="rerun"``),
    so a map click does not recompute or resend the timeline or the reader. The open tab
    is in the URL (``bind="query-params"``), so a permalink opens the same tab."""
    tabs = st.tabs(list(sections), key=TAB_KEY, on_change="rerun", bind="query-params")
    for tab, render in zip(tabs, sections.values(), strict=True):
        if tab.open:
            with tab:
                render()
