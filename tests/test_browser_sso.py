"""Single sign-on by configuration (issue 13): with ``ATLAS_SIGNIN=oidc`` and an ``[auth]`` section in
``.streamlit/secrets.toml``, a curator signs in through a real OpenID Connect provider (the
``oidc-provider-mock`` package, a real provider on loopback) with Streamlit's own ``st.login``; the
store's curator list decides who may write. Nothing of the app is changed for it but configuration."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from oidc_provider_mock import User, run_server_in_thread

from tests.browser import map_frame, open_app, open_tab
from tests.server import ROOT, app_site, free_port, serve
from tests.test_browser import PANEL_TIMEOUT_MS, browser  # noqa: F401  (the module's Chromium fixture)

CURATOR = "ana@example.org"
STRANGER = "eve@example.org"
SSO_BUTTON = "Sign in with your organisation"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A real OIDC provider on a loopback port; its two users vouch for verified e-mail addresses."""
    users = [User(sub=who, claims={"email": who, "email_verified": True}) for who in (CURATOR, STRANGER)]
    with run_server_in_thread(port=free_port(), user_claims=users) as server:
        yield f"http://127.0.0.1:{server.server_port}"


def site_with_auth(folder: Path, provider_url: str | None, port: int) -> Path:
    """The app's site (app.py and config) with ``.streamlit/secrets.toml`` naming the provider (or none)."""
    script = app_site(folder)
    if provider_url:
        (folder / ".streamlit" / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_hex(32)}"\n'
            'client_id = "atlas"\n'
            'client_secret = "atlas-test-secret"\n'
            f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n', encoding="utf-8")
    return script


def add_sso_curator(name: str) -> None:
    """``python -m components curator add NAME --sso``, the operator's command, in this test's store."""
    done = subprocess.run([sys.executable, "-m", "components", "curator", "add", name, "--sso"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env=dict(os.environ), check=False)
    assert done.returncode == 0 and "single sign-on" in done.stdout, done.stderr


def signed_in_app(tmp_path: Path, provider_url: str | None):
    port = free_port()
    script = site_with_auth(tmp_path / "site", provider_url, port)
    env = dict(os.environ, ATLAS_TILES="none", ATLAS_SIGNIN="oidc", ATLAS_UPLOADS=str(tmp_path / "uploads"))
    return serve(script, env, subprocess.DEVNULL, cwd=script.parent, port=port)


def sign_in_through_provider(page, who: str) -> None:
    """Click our button, choose the user on the provider's page; back in the app (Streamlit returns to
    the app's root URL), open the "Add a document" tab again."""
    page.get_by_role("button", name=SSO_BUTTON).click()
    page.get_by_role("button", name=who, exact=True).click()  # the provider's page: one click per known user
    map_frame(page)
    open_tab(page, "Add a document")


def test_a_curator_signs_in_through_the_provider_and_a_stranger_cannot_write(browser, provider, tmp_path) -> None:  # noqa: F811
    add_sso_curator(CURATOR)
    with signed_in_app(tmp_path, provider) as (url, _proc):
        page, _ = open_app(browser, url, "/?tab=Add+a+document")
        map_frame(page)
        assert page.get_by_label("Curator name").count() == 0  # no password form with single sign-on
        assert page.locator('input[type="file"]').count() == 0
        sign_in_through_provider(page, CURATOR)
        page.get_by_text("Signed in as").wait_for(timeout=PANEL_TIMEOUT_MS)
        page.locator('input[type="file"]').wait_for(state="attached", timeout=PANEL_TIMEOUT_MS)
        assert page.locator(".atlas-curator").first.inner_text() == CURATOR
        page.get_by_role("button", name="Sign out").click()  # st.logout: the provider ends its session too
        page.get_by_role("button", name="End session").click()
        map_frame(page)
        open_tab(page, "Add a document")
        page.get_by_role("button", name=SSO_BUTTON).wait_for(timeout=PANEL_TIMEOUT_MS)
        assert page.locator('input[type="file"]').count() == 0
        page.context.close()

        page, _ = open_app(browser, url, "/?tab=Add+a+document")
        map_frame(page)
        sign_in_through_provider(page, STRANGER)
        page.get_by_text(f"You are signed in as {STRANGER}, who is not a curator here").wait_for(timeout=PANEL_TIMEOUT_MS)
        assert page.locator('input[type="file"]').count() == 0
        assert page.get_by_role("button", name="Sign out").count() == 0
        page.context.close()


def test_single_sign_on_without_auth_secrets_says_what_is_missing(browser, tmp_path) -> None:  # noqa: F811
    with signed_in_app(tmp_path, None) as (url, _proc):
        page, _ = open_app(browser, url, "/?tab=Add+a+document")
        map_frame(page)
        page.get_by_text("has no [auth] section").wait_for(timeout=PANEL_TIMEOUT_MS)
        assert page.get_by_role("button", name=SSO_BUTTON).count() == 0
        assert page.locator('input[type="file"]').count() == 0
        page.context.close()
