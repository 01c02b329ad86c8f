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


SCROLLED_KEY = "atlas_tab_scrolled"
# Runs once in the page: waits for the tabs to be drawn, then brings them to the top of the screen.
SCROLL_TO_TABS_JS = """<script>
(function () {
  let tries = 0;
  const go = () => {
    const tabs = document.querySelector('[data-testid="stTabs"]');
    if (tabs) { tabs.scrollIntoView({block: "start"}); return; }
    if (++tries < 100) setTimeout(go, 100);
  };
  setTimeout(go, 100);
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
