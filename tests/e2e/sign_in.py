"""Team mode for the browser tests: a real OpenID Connect provider and the app signed in through it.

``oidc-provider-mock`` is a working OIDC provider on loopback: its authorize page has a text
field ``sub`` and an **Authorize** button, and no client needs registering. The people below are
given to it with their email claims, so ``st.user`` holds a subject and an email that differ,
as with a real provider. The app reads its ``[auth]`` section from ``.streamlit/secrets.toml``
in its working folder; the browser must open it at ``http://localhost:PORT``, the host of the
redirect URI, or the sign-in cookie would not come back to it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from servers import Server, clean_environment, free_port, running, streamlit_app  # tests/e2e/servers.py
from test_browser import settle  # tests/e2e/test_browser.py

#: subject -> email, as the identity provider knows them
PEOPLE = {
    "alice-7f3a": "alice@example.com",
    "bob-91c2": "bob@example.com",
    "carol-05d1": "carol@example.com",
    "mallory-666": "mallory@elsewhere.test",
}


def subject_of(email: str) -> str:
    return next(sub for sub, address in PEOPLE.items() if address == email)


@contextmanager
def identity_provider(folder: Path) -> Iterator[str]:
    """``oidc-provider-mock`` on a free loopback port; yields its discovery URL."""
    port = free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "-p", str(port)]
    for sub, email in PEOPLE.items():
        command += ["--user-claims", json.dumps({"sub": sub, "email": email})]
    metadata = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
    with running(command, cwd=folder, env=clean_environment(), log=folder / "oidc.log", health=metadata, what="oidc-provider-mock"):
        yield metadata


@contextmanager
def team_app(folder: Path, metadata_url: str, env: dict[str, str]) -> Iterator[Server]:
    """The app in team mode: an ``[auth]`` section in ``folder/.streamlit/secrets.toml``."""
    port = free_port()
    secrets = folder / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir(parents=True, exist_ok=True)
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "browser-test-cookie-secret-0123456789abcdef"\n'
        'client_id = "escalation-studio"\n'
        'client_secret = "browser-test-client-secret"\n'
        f'server_metadata_url = "{metadata_url}"\n',
        encoding="utf-8",
    )
    with streamlit_app(folder, env, cwd=folder, host="localhost", port=port) as app:
        yield app


def sign_in(page, url: str, email: str, *, path: str = "") -> None:
    """Through the real redirect: the app's Sign in, the provider's authorize form, back to the app."""
    page.goto(url + path)
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=sub]").fill(subject_of(email))
    page.get_by_role("button", name="Authorize").click()
    page.get_by_test_id("stSidebar").get_by_text(email).wait_for()
    settle(page)


def sign_out(page) -> None:
    """The sidebar's Sign out, then the provider's end-session page, back to the app."""
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Sign in").wait_for()
    settle(page)
