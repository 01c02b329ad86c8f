"""Lazy tabs: only the open tab's content runs and is sent to the browser."""
from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

from .style import ARRIVE_JS

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


SCROLLED_KEY = "atlas_tab_scrolled"
# Runs once in the page: waits for the tabs to be drawn and laid out, then brings them to the top of the
# screen and keeps them there while the page finishes drawing (style.ARRIVE_JS).
SCROLL_TO_TABS_JS = """<script>
(() => {""" + ARRIVE_JS + """
  atlasArrive(() => document.querySelector('[data-testid="stTabs"]'), (tabs) => tabs.scrollIntoView({block: "start"}));
})();
</script>"""


def scroll_to_tabs_on_arrival(tabs: list[str]) -> None:
    """A permalink naming a tab (``?tab=Timeline``) opens with that tab in view, once per session;
    a reader who then scrolls or clicks is not moved again."""
    if st.session_state.get(SCROLLED_KEY):
        return
    st.session_state[SCROLLED_KEY] = True
    if st.query_params.get(TAB_KEY) in tabs:
        st.html(SCROLL_TO_TABS_JS, unsafe_allow_javascript=True)
