"""Which zones are selected: from the URL, the map, the zone list or a passage.

State lives in ``st.session_state``; every change goes through a callback so
it is settled before any widget of the run is drawn (one rerun per click).
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from ..mapbuild import clicked_feature_id
from ..timeline import TIMELINE_END, TIMELINE_START, parse_date_param
from ..urlstate import parse_zone_param, repeated_params, tab_message
from ..zones import ZONE_IDS
from .safe import text_message
from .sections import TAB_KEY

SELECTED = "atlas_selected"      # list[str]: selected zone ids, primary first
RADIO = "atlas_zone_radio"       # the zone list widget's value
PLACE = "atlas_place"            # gazetteer id of the place marker clicked last
MAP_KEY = "atlas_map"            # streamlit-folium's returned value
URL_MESSAGE = "atlas_url_message"
DATE_KEY = "atlas_date"           # the "as of" date slider's value
DATE_MESSAGE = "atlas_date_message"
TAB_MESSAGE = "atlas_tab_message"
URL_KEYS = ("zone", "date", TAB_KEY)  # the permalink's parameters
URL_SEEN = "atlas_url_seen"      # (zone, date) in the URL when this session last wrote it
DEFAULT_DATE = dt.date(2017, 8, 6)  # the latest date the bundled sources speak of
NONE_CHOICE = "(none)"


def normalise_repeated_params() -> None:
    """``?zone=idlib&zone=south``: keep the value the app uses (the last) and rewrite the URL with it alone."""
    given = {key: st.query_params.get_all(key) for key in URL_KEYS}
    for key, value in repeated_params(given, URL_KEYS).items():
        st.query_params[key] = value


def url_view() -> tuple[str | None, str | None]:
    return st.query_params.get("zone"), st.query_params.get("date")


def follow_browser_history(known: list[str]) -> None:
    """Back/Forward: Streamlit pushes a history entry for each URL the app writes and, on Back, reruns
    the script with that entry's query string. A URL other than the one this session last wrote is
    such a navigation: take the zone and date from it, as a permalink would be read."""
    seen = st.session_state.get(URL_SEEN)
    now = url_view()
    if seen is None or now == tuple(seen):
        return
    zone = parse_zone_param(now[0], known).zone_id
    select([zone] if zone else [])
    st.session_state[PLACE] = None
    day, _message = parse_date_param(now[1])
    st.session_state[DATE_KEY] = day or DEFAULT_DATE


def init_from_url(known: list[str], tabs: list[str]) -> None:
    """On a session's first run, take ``?zone=``, ``?date=`` (and check ``?tab=``) from the permalink;
    later, follow the browser's Back and Forward (:func:`follow_browser_history`)."""
    if SELECTED in st.session_state:
        follow_browser_history(known)
        return
    normalise_repeated_params()
    st.session_state[TAB_MESSAGE] = tab_message(st.query_params.get(TAB_KEY), tabs)
    parsed = parse_zone_param(st.query_params.get("zone"), known)
    st.session_state[SELECTED] = [parsed.zone_id] if parsed.zone_id else []
    st.session_state[URL_MESSAGE] = parsed.message
    st.session_state[RADIO] = parsed.zone_id or NONE_CHOICE
    day, message = parse_date_param(st.query_params.get("date"))
    st.session_state[DATE_KEY] = day or DEFAULT_DATE
    st.session_state[DATE_MESSAGE] = message


def selected() -> list[str]:
    return list(st.session_state.get(SELECTED, []))


def primary() -> str | None:
    zones = selected()
    return zones[0] if zones else None


def select(zone_ids: list[str]) -> None:
    zone_ids = [z for z in zone_ids if z in ZONE_IDS]
    st.session_state[SELECTED] = zone_ids
    st.session_state[RADIO] = zone_ids[0] if zone_ids else NONE_CHOICE


def on_map_change() -> None:
    """streamlit-folium callback: a zone or a place marker was clicked on the map."""
    fid = clicked_feature_id(st.session_state.get(MAP_KEY))
    if fid and fid.startswith("place:"):
        st.session_state[PLACE] = fid.removeprefix("place:")
    elif fid in ZONE_IDS:
        st.session_state[PLACE] = None
        select([fid])


def place() -> str | None:
    return st.session_state.get(PLACE)


def clear_place() -> None:
    st.session_state[PLACE] = None


def on_radio_change() -> None:
    value = st.session_state.get(RADIO)
    select([] if value in (None, NONE_CHOICE) else [value])


def show_url_message() -> None:
    for key in (URL_MESSAGE, DATE_MESSAGE, TAB_MESSAGE):
        message = st.session_state.get(key)
        if message:
            text_message("warning", message)


def as_of() -> dt.date:
    return st.session_state.get(DATE_KEY, DEFAULT_DATE)


def set_date(day: dt.date) -> None:
    """Move the "as of" date (a callback: the timeline's "show this date" buttons, the keyboard's way to a date)."""
    st.session_state[DATE_KEY] = min(max(day, TIMELINE_START), TIMELINE_END)


def date_slider() -> dt.date:
    """The "as of" date: zones are restyled by their status on that day."""
    return st.slider("As of", min_value=TIMELINE_START, max_value=TIMELINE_END, key=DATE_KEY,
                     format="D MMM YYYY", help="Zones are styled by their status on this day, from the cited sources.")


def sync_url() -> None:
    """Keep ``?zone=`` and ``?date=`` equal to the current view (a shareable permalink)."""
    day = as_of().isoformat()
    if st.query_params.get("date") != day and (day != DEFAULT_DATE.isoformat() or "date" in st.query_params):
        st.query_params["date"] = day
    zone = primary()
    current = st.query_params.get("zone")
    if zone and current != zone:
        st.query_params["zone"] = zone
    elif not zone and current is not None and not st.session_state.get(URL_MESSAGE):
        del st.query_params["zone"]
    st.session_state[URL_SEEN] = url_view()


def zone_picker(names: dict[str, str]) -> None:
    """The zone list: keyboard and screen-reader friendly radio buttons."""
    options = [NONE_CHOICE, *names]
    if st.session_state.get(RADIO) not in options:
        st.session_state[RADIO] = NONE_CHOICE
    st.radio(
        "Zone", options, key=RADIO, on_change=on_radio_change,
        format_func=lambda z: "No zone selected" if z == NONE_CHOICE else names[z],
        help="Select a zone to read its facts and the source passages behind them.",
    )
