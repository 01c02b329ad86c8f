"""De-escalation Atlas: the four Astana de-escalation zones (2017), with cited facts.

Run with ``streamlit run app.py``. This file is the table of contents; the
pieces live in ``components/ui`` and the logic in ``components``.
"""
import streamlit as st

from components.ui import selection
from components.ui.corpus import show_place_panel, show_search
from components.ui.data import AppData, current_app_data, script_run_signal
from components.ui.mapview import show_legend, show_map
from components.ui.panel import show_zone
from components.ui.profiling import run_timer
from components.ui.reader import show_reader
from components.ui.review import show_review
from components.ui.sections import scroll_to_tabs_on_arrival, show_lazy_tabs
from components.ui.signin import curator_only
from components.ui.style import MAP_COLUMN, SIDE_PANEL, apply_style, visually_hidden_heading
from components.ui.tables import show_downloads, show_problems, show_sources, show_zone_table
from components.ui.timeview import show_disagreements, show_timeline
from components.ui.upload import show_add_tab


def show_sources_and_downloads(data: AppData) -> None:
    show_sources(data)
    show_downloads(data)


def main() -> None:
    apply_style()
    data = current_app_data()
    names = {z.id: z.name for z in data.atlas.zones.zones}

    st.title("De-escalation Atlas")
    st.caption("The four de-escalation zones agreed in Astana in 2017 — where they were, who said so, and when.")
    show_problems(data)
    tabs = {  # under the map; only the open tab runs
        "All zones": lambda: show_zone_table(data),
        "Timeline": lambda: show_timeline(data),
        "Where the sources disagree": lambda: show_disagreements(data),
        "Search": lambda: show_search(data),
        "Read a document": lambda: show_reader(data),
        # writing needs a signed-in curator: anyone else gets the sign-in form, never the controls
        "Add a document": lambda: show_add_tab(data),
        "Review": lambda: curator_only(data, "review what was extracted", lambda name: show_review(data, name)),
        "Sources and downloads": lambda: show_sources_and_downloads(data),
    }
    selection.init_from_url(list(names), list(tabs))
    selection.show_url_message()

    map_col, side_col = st.columns([3, 2], gap="medium")
    with map_col, st.container(key=MAP_COLUMN):  # the map first: its code is what the page asks the server for first
        show_map(data)
        visually_hidden_heading("Map")
        selection.date_slider()
        show_legend(data)
    with side_col, st.container(key=SIDE_PANEL):  # scrolls on its own on a wide screen: the map stays in view
        visually_hidden_heading("Zones")
        selection.zone_picker(names)
        show_place_panel(data)
        show_zone(data, selection.primary())

    visually_hidden_heading("More: all zones, timeline, search, reader, sources")
    show_lazy_tabs(tabs)
    scroll_to_tabs_on_arrival(list(tabs))
    selection.sync_url()


with run_timer(), script_run_signal():  # server time per run (ATLAS_PROFILE, bench/); the ingest worker pauses meanwhile
    st.set_page_config(page_title="De-escalation Atlas", page_icon="🗺️", layout="wide")
    main()
