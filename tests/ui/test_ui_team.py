"""The door of the app (``ui/gate.py``, ``ui/access.py``): sign-in in team mode, loopback in personal mode.

AppTest stands in for the identity provider through ``at.user``; the real redirect through a
real OpenID Connect provider is driven in Chromium by ``tests/e2e/test_browser_team.py``.
"""

from __future__ import annotations

import pytest
from conftest import APP, AUTH, App, person
from streamlit import config
from streamlit.testing.v1 import AppTest

from assistant.api import Studio


def _signed_in_entries() -> list:
    return [e for e in Studio().audit(100) if e.action == "signed_in"]


def _reachable(app: App, page: str) -> bool:
    try:
        app.at.switch_page(f"pages/{page}.py")
    except ValueError:  # AppTest: no such page in this session's navigation
        return False
    return True


def test_an_unsigned_visitor_sees_only_the_sign_in_page() -> None:
    app = App(user={"is_logged_in": False})
    assert [b.label for b in app.at.button] == ["Sign in"]
    assert [t.value for t in app.at.title] == ["Escalation Playbook Studio"]
    assert len(app.at.sidebar.button) == 0 and len(app.at.sidebar.selectbox) == 0  # no model choice, no keys
    for page in ("organisation", "chain", "history", "audit"):
        assert not _reachable(app, page), page
    assert not Studio().store.list_runs() and _signed_in_entries() == []


def test_an_account_outside_the_allowed_domains_is_refused_with_a_way_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYBOOK_ALLOWED_DOMAINS", "example.com")
    app = App(user=person("mallory@elsewhere.test"))
    assert [e.value for e in app.at.error] == ["mallory@elsewhere.test is not allowed in this studio."]
    assert [b.label for b in app.at.button] == ["Sign out"]
    assert not _reachable(app, "history")
    # an address in an allowed domain the provider has not verified does not count either
    for flag in (False, "false"):
        unverified = App(user=person("alice@example.com", email_verified=flag))
        assert any("not allowed" in e.value for e in unverified.at.error)
        assert not _reachable(unverified, "history")
    assert App(user=person("alice@example.com", email_verified=True)).at.title[0].value == "Organisation profile"


def test_a_signed_in_person_is_named_with_their_team_and_can_sign_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYBOOK_TEAMS", '{"support-emea": ["alice@example.com"]}')
    app = App(user=person("alice@example.com"))
    sidebar = "\n".join(str(m.value) for m in [*app.at.sidebar.markdown, *app.at.sidebar.caption])
    assert "Signed in as **alice@example.com**" in sidebar and "Team support-emea" in sidebar
    assert app.at.button(key="sign_out").label == "Sign out"
    app.click("sign_out")  # st.logout: the session is signed out at once
    assert [b.label for b in app.at.button] == ["Sign in"]


def test_a_sign_in_is_recorded_once_however_many_pages_it_opens() -> None:
    alice = person("alice@example.com", iat=1_796_500_000)
    first = App(user=alice)
    first.page("history").page("chain")
    App(user=alice)  # a reload or a second tab: a new app session, the same sign-in
    entries = _signed_in_entries()
    assert len(entries) == 1
    assert entries[0].actor == "https://id.example.com|sub-alice" and entries[0].actor_email == "alice@example.com"
    assert entries[0].detail == {"provider_sign_in": "2026-12-05 19:46:40 UTC"}
    App(user=person("alice@example.com", iat=1_796_590_000))  # signed in again the next day
    assert len(_signed_in_entries()) == 2


def test_personal_mode_on_a_network_address_stays_closed_without_sign_in() -> None:
    config.set_option("server.address", "0.0.0.0")
    app = App()
    assert [t.value for t in app.at.title] == ["Sign-in is not turned on"]
    text = app.texts()
    assert "`[auth]`" in text and "make run" in text and "PLAYBOOK_ALLOW_ANONYMOUS=1" in text
    assert not _reachable(app, "history")
    config.set_option("server.address", "")  # unset: Streamlit listens on every interface
    assert App().at.title[0].value == "Sign-in is not turned on"
    config.set_option("server.address", "localhost")
    assert App().at.title[0].value == "Organisation profile"


def test_opting_in_to_an_open_studio_warns_on_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    config.set_option("server.address", "0.0.0.0")
    monkeypatch.setenv("PLAYBOOK_ALLOW_ANONYMOUS", "1")
    app = App()
    for page in ("organisation", "chain", "history", "audit"):
        app.page(page)
        assert any("Open to anyone who can reach this address" in w.value for w in app.at.warning), page
    config.set_option("server.address", "127.0.0.1")
    assert not any("Open to anyone" in w.value for w in App().at.warning)  # on this machine only: no banner


def test_the_audit_trail_is_in_the_navigation_of_admins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYBOOK_ADMINS", "carol@example.com")
    assert not _reachable(App(user=person("alice@example.com")), "audit")
    admin = App(user=person("carol@example.com"))
    admin.page("audit")
    assert admin.at.title[0].value == "Audit trail"
    assert _reachable(App(), "audit")  # personal mode: the local user is the admin of the local history


def test_one_sign_in_button_per_named_identity_provider() -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    at.secrets["auth"] = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x" * 32, "google": provider, "microsoft": provider}
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in with google", "Sign in with microsoft"]
