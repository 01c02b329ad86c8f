"""Sign-in for writers. With ``ATLAS_SIGNIN=password`` (the default) a curator's session lives in this
browser session's server-side state only (never in the URL or a cookie); with ``ATLAS_SIGNIN=oidc``
Streamlit's ``st.login`` (OpenID Connect, ``[auth]`` in ``.streamlit/secrets.toml``) identifies the
person and the store's curator list decides whether that e-mail address may write. Either way the
session expires after ``ATLAS_SESSION_HOURS`` and ends when the account is removed. Write controls
(upload, remove, review) are rendered only through :func:`curator_only`, so an anonymous session never
has them, and their callbacks check the session again."""
from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable

import streamlit as st

from ..auth import curator_exists, record_upload, session_problem, sign_in, upload_problem
from ..store import StoreError
from .data import AppData, settings_or_stop
from .safe import esc, html_block, text_message

CURATOR_KEY = "atlas_curator"       # {"name": ..., "at": epoch seconds}: set only by a successful sign-in
SIGNIN_MESSAGE_KEY = "atlas_signin_message"
NAME_KEY = "atlas_signin_name"
PASSWORD_KEY = "atlas_signin_password"


def _sso_identity() -> tuple[str, float] | None:
    """(e-mail address, signed-in time) vouched for by the identity provider through ``st.login``, or None.
    An address the provider marks unverified is not an identity."""
    try:
        if not st.user.is_logged_in:
            return None
        email, verified, issued = st.user.get("email"), st.user.get("email_verified"), st.user.get("iat")
    except Exception:  # no [auth] configured: nobody is signed in through it
        return None
    if not isinstance(email, str) or not email or verified is False:
        return None
    return email.strip(), float(issued) if isinstance(issued, int | float) else time.time()


def _sso_session(data: AppData) -> None:
    """Turn an identity from ``st.login`` into this session's curator session, once (or say why not)."""
    identity = _sso_identity()
    if identity is None or isinstance(st.session_state.get(CURATOR_KEY), dict):
        return
    email, issued = identity
    exists = False
    if data.store is not None:
        try:
            exists = curator_exists(data.store, email)
        except StoreError as exc:
            st.session_state[SIGNIN_MESSAGE_KEY] = ("error", f"Sign-in cannot be checked: {exc}")
            return
    if exists:
        st.session_state[CURATOR_KEY] = {"name": email, "at": issued}
    else:
        st.session_state[SIGNIN_MESSAGE_KEY] = (
            "warning", f"You are signed in as {email}, who is not a curator here. The site's operator can add you: "
                       f"python -m components curator add {email} --sso")


def current_curator(data: AppData) -> str | None:
    """The signed-in curator of this session, or None (expired or removed sessions are ended here)."""
    if settings_or_stop().signin == "oidc":
        _sso_session(data)
    session = st.session_state.get(CURATOR_KEY)
    if not isinstance(session, dict):
        return None
    hours = settings_or_stop().session_hours
    try:
        problem = session_problem(data.store, session["name"], session["at"], hours)
    except StoreError:  # the store is down for a moment (a database restart): keep the session, as without a store;
        problem = session_problem(None, session["name"], session["at"], hours)  # its writes fail with the reason
    if problem:
        st.session_state.pop(CURATOR_KEY, None)
        st.session_state[SIGNIN_MESSAGE_KEY] = ("warning", problem)
        return None
    return str(session["name"])


def client_address() -> str:
    """The browser's address as Streamlit sees the websocket (``""`` on localhost or when unknown). Behind a
    proxy this is the proxy's address unless the proxy forwards it (see the README's deployment section)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else ""


def _on_sign_in(data: AppData) -> None:
    name = st.session_state.get(NAME_KEY) or ""
    password = st.session_state.get(PASSWORD_KEY) or ""
    if data.store is None:
        st.session_state[SIGNIN_MESSAGE_KEY] = ("error", "Sign-in needs the corpus store, which is not available.")
        return
    try:
        result = sign_in(data.store, name, password, source=client_address())
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
    if settings_or_stop().signin == "oidc" and _sso_identity() is not None:
        st.logout()


def _sso_problem() -> str | None:
    """What is missing for ``st.login`` (the ``[auth]`` secrets, Authlib), or None."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file at all, or one that does not parse
        auth = None
    if not auth:
        return ("Single sign-on is switched on (ATLAS_SIGNIN=oidc) but .streamlit/secrets.toml has no [auth] section: "
                "the site's operator must add one (see the README, Curators and review).")
    if importlib.util.find_spec("authlib") is None:  # st.login needs it
        return "Single sign-on needs the Authlib package: pip install -r requirements.txt."
    return None


def show_sso_signin(what: str) -> None:
    """The single sign-on button: ``st.login`` with the default provider of ``[auth]``."""
    st.info(f"Reading, search and downloads are open to everyone. To {what}, sign in as a curator "
            "through your organisation's sign-in.")
    problem = _sso_problem()
    if problem:
        st.error(problem)
        return
    st.button("Sign in with your organisation", key="atlas_sso_signin", on_click=st.login)


def show_signin(data: AppData, what: str) -> None:
    """The sign-in form (no write control): name and password, checked against the store's curators;
    with ``ATLAS_SIGNIN=oidc`` the single sign-on button instead."""
    message = st.session_state.pop(SIGNIN_MESSAGE_KEY, None)
    if message:
        text_message(*message)
    if settings_or_stop().signin == "oidc":
        show_sso_signin(what)
        return
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
