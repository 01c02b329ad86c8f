"""Sign-in for writers: a curator's session lives in this browser session's server-side state only
(never in the URL or a cookie), expires after ``ATLAS_SESSION_HOURS`` and ends when the account is
removed. Write controls (upload, remove, review) are rendered only through :func:`curator_only`,
so an anonymous session never has them, and their callbacks check the session again."""
from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from ..auth import record_upload, session_problem, sign_in, upload_problem
from ..store import StoreError
from .data import AppData, settings_or_stop
from .safe import esc, html_block, text_message

CURATOR_KEY = "atlas_curator"       # {"name": ..., "at": epoch seconds}: set only by a successful sign-in
SIGNIN_MESSAGE_KEY = "atlas_signin_message"
NAME_KEY = "atlas_signin_name"
PASSWORD_KEY = "atlas_signin_password"


def current_curator(data: AppData) -> str | None:
    """The signed-in curator of this session, or None (expired or removed sessions are ended here)."""
    session = st.session_state.get(CURATOR_KEY)
    if not isinstance(session, dict):
        return None
    try:
        problem = session_problem(data.store, session["name"], session["at"], settings_or_stop().session_hours)
    except StoreError as exc:
        problem = f"Sign-in cannot be checked: {exc}"
    if problem:
        st.session_state.pop(CURATOR_KEY, None)
        st.session_state[SIGNIN_MESSAGE_KEY] = ("warning", problem)
        return None
    return str(session["name"])


def _on_sign_in(data: AppData) -> None:
    name = st.session_state.get(NAME_KEY) or ""
    password = st.session_state.get(PASSWORD_KEY) or ""
    if data.store is None:
        st.session_state[SIGNIN_MESSAGE_KEY] = ("error", "Sign-in needs the corpus store, which is not available.")
        return
    try:
        result = sign_in(data.store, name, password)
    except StoreError as exc:
        st.session_state[SIGNIN_MESSAGE_KEY] = ("error", f"Sign-in failed: {exc}")
        return
    if result.ok:
        st.session_state[CURATOR_KEY] = {"name": result.name, "at": result.at}
        st.session_state.pop(SIGNIN_MESSAGE_KEY, None)
    else:
        st.session_state[SIGNIN_MESSAGE_KEY] = ("error", result.message)


def sign_out() -> None:
    st.session_state.pop(CURATOR_KEY, None)
    st.session_state[SIGNIN_MESSAGE_KEY] = ("info", "Signed out.")


def show_signin(data: AppData, what: str) -> None:
    """The sign-in form (no write control): name and password, checked against the store's curators."""
    message = st.session_state.pop(SIGNIN_MESSAGE_KEY, None)
    if message:
        text_message(*message)
    st.info(f"Reading, search and downloads are open to everyone. To {what}, sign in as a curator "
            "(accounts are created by the site's operator: python -m components curator add NAME).")
    with st.form("atlas_signin", clear_on_submit=True):
        st.text_input("Curator name", key=NAME_KEY, max_chars=64)
        st.text_input("Password", key=PASSWORD_KEY, type="password", max_chars=1024)
        st.form_submit_button("Sign in", key="atlas_signin_submit", on_click=_on_sign_in, args=(data,))


def show_curator_bar(name: str) -> None:
    message = st.session_state.pop(SIGNIN_MESSAGE_KEY, None)
    if message:
        text_message(*message)
    left, right = st.columns([4, 1])
    with left:
        html_block(f'Signed in as <b class="atlas-curator">{esc(name)}</b>', "atlas-signed-in")
    right.button("Sign out", key="atlas_sign_out", on_click=sign_out)


def curator_only(data: AppData, what: str, render: Callable[[str], object]) -> None:
    """``render(curator)`` for a signed-in curator; the sign-in form for anyone else (nothing that writes is rendered)."""
    curator = current_curator(data)
    if curator is None:
        show_signin(data, what)
        return
    show_curator_bar(curator)
    render(curator)


def upload_refusal(data: AppData, curator: str, n_bytes: int) -> str | None:
    """Why this curator may not upload this file now (per-curator limits), or None."""
    if data.store is None:
        return None
    settings = settings_or_stop()
    return upload_problem(data.store, curator, n_bytes, max_count=settings.curator_uploads_per_day,
                          max_mb=settings.curator_upload_mb_per_day, now=time.time())


def still_signed_in(data: AppData, curator: str) -> bool:
    """A write callback's own check: this session is still the curator's (defence in depth: the
    controls are never rendered without a curator session, so no callback is registered for one)."""
    return bool(curator) and current_curator(data) == curator


def note_upload(data: AppData, curator: str, n_bytes: int) -> None:
    if data.store is not None:
        record_upload(data.store, curator, n_bytes)
