"""A studio a team shares, in a real browser signed in through a real OpenID Connect provider.

Nobody unsigned gets past the sign-in page, an account outside the allowed domains is refused,
a person's document set is theirs until they share it with their team (another person can
neither list it, open it by its id, resume, export nor delete it), sign-out ends access, every
step lands in the audit trail with its author, and the operator's key never leaves for a Base
URL someone typed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI  # tests/e2e/fake_openai.py
from playwright.sync_api import expect
from servers import Server, clean_environment
from sign_in import identity_provider, sign_in, sign_out, team_app
from test_browser import button, go, load_example, settle

pytestmark = pytest.mark.e2e

TEAMS = {"support": ["alice@example.com", "bob@example.com"]}
SECRET = "sk-operator-0123456789-never-lent"


@pytest.fixture(scope="module")
def provider_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with identity_provider(tmp_path_factory.mktemp("oidc")) as url:
        yield url


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory, provider_url: str) -> Iterator[Server]:
    env = clean_environment(
        PLAYBOOK_ALLOWED_DOMAINS="example.com", PLAYBOOK_ADMINS="carol@example.com", PLAYBOOK_TEAMS=json.dumps(TEAMS)
    )
    with team_app(tmp_path_factory.mktemp("team"), provider_url, env) as app:
        yield app


@pytest.fixture
def person(browser) -> Iterator:
    """``person()`` opens a new browser (its own cookies: another person's session)."""
    contexts = []

    def open_browser():
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield open_browser
    for context in contexts:
        context.close()


def history(page, url: str, run_id: str | None = None) -> None:
    page.goto(f"{url}/history" + (f"?run={run_id}" if run_id else ""))
    page.get_by_role("heading", name="Run history").wait_for()
    settle(page)


def grid_rows(page) -> list[list[str]]:
    """The cells of the page's table (drawn on a canvas; its accessible twin holds the visible rows' text)."""
    page.get_by_test_id("stDataFrame").locator("[role=gridcell]").first.wait_for(state="attached")
    return page.get_by_test_id("stDataFrame").evaluate(
        """grid => [...grid.querySelectorAll('[role=row]')]
            .map(row => [...row.querySelectorAll('[role=gridcell]')].map(cell => cell.textContent.trim()))
            .filter(cells => cells.length)"""
    )


def nav_links(page) -> list[str]:
    return [link.strip() for link in page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()]


def test_nobody_unsigned_or_unlisted_gets_in(team: Server, person, artifacts: Path) -> None:
    visitor = person()
    for path in ("", "/history", "/chain", "/audit"):
        visitor.goto(team.url + path)
        visitor.get_by_role("button", name="Sign in").wait_for()
        settle(visitor)
        assert visitor.get_by_test_id("stSidebarNav").count() == 0, path
        assert visitor.get_by_text("Page not found").count() == 0, path  # the sign-in page answers every address
        assert visitor.get_by_role("heading", name=re.compile("Organisation profile|Run history|chain|Audit")).count() == 0
    visitor.screenshot(path=artifacts / "team-sign-in.png", full_page=True)

    # signed in with the provider, but outside the allowed domains: refused, with a way out
    sign_in_page = person()
    sign_in_page.goto(team.url)
    sign_in_page.get_by_role("button", name="Sign in").click()
    sign_in_page.locator("input[name=sub]").fill("mallory-666")
    sign_in_page.get_by_role("button", name="Authorize").click()
    expect(sign_in_page.get_by_text("mallory@elsewhere.test is not allowed in this studio.")).to_be_visible()
    settle(sign_in_page)
    assert sign_in_page.get_by_test_id("stSidebarNav").count() == 0
    assert sign_in_page.get_by_role("button", name="Sign out").is_visible()
    sign_in_page.screenshot(path=artifacts / "team-not-allowed.png", full_page=True)


def test_a_set_is_its_owners_until_shared_with_the_team(team: Server, person, artifacts: Path) -> None:
    alice = person()
    sign_in(alice, team.url, "alice@example.com")
    assert "Audit trail" not in nav_links(alice)  # not an admin
    load_example(alice)
    go(alice, "Chain", "Escalation Procedure chain")
    button(alice, "run__playbook").click()
    expect(alice.locator(".st-key-card__playbook")).to_contain_text("required sections present", timeout=60_000)
    settle(alice)
    history(alice, team.url)
    run_id = re.search(r"[?&]run=([\w-]+)", alice.url).group(1)
    expect(alice.get_by_text("Owner: alice@example.com")).to_be_visible()

    bob = person()
    sign_in(bob, team.url, "bob@example.com")
    history(bob, team.url)
    expect(bob.get_by_text("No runs yet")).to_be_visible()  # alice's set is not listed
    history(bob, team.url, run_id)  # nor opened by its id: it reads as not found
    expect(bob.get_by_text(f"No document set “{run_id}” here")).to_be_visible()
    for key in ("history_reopen", "history_resume", "history_delete", "history_export_md"):
        assert bob.locator(f".st-key-{key}").count() == 0, key
    bob.screenshot(path=artifacts / "team-not-shared.png", full_page=True)

    # alice shares it with her team
    history(alice, team.url)
    alice.locator(".st-key-history_share").click()
    alice.get_by_role("option", name="Team support").click()
    settle(alice)
    alice.screenshot(path=artifacts / "team-shared-by-owner.png", full_page=True)

    history(bob, team.url, run_id)
    expect(bob.get_by_text("Owner: alice@example.com · Shared with: Team support")).to_be_visible()
    expect(bob.get_by_text("Only its owner (alice@example.com) or an admin may delete this set")).to_be_visible()
    assert button(bob, "history_delete").is_disabled()
    assert button(bob, "history_reopen").is_enabled()
    with bob.expect_download() as download:
        button(bob, "history_export_md").click()
    assert "AtlasFlow" in Path(download.value.path()).read_text(encoding="utf-8")
    settle(bob)
    bob.screenshot(path=artifacts / "team-shared.png", full_page=True)

    # signing out ends access: the set's address leads to the sign-in page only
    sign_out(bob)
    bob.goto(f"{team.url}/history?run={run_id}")
    bob.get_by_role("button", name="Sign in").wait_for()
    settle(bob)
    assert bob.get_by_role("heading", name="Run history").count() == 0

    # the admin reads who did what
    carol = person()
    sign_in(carol, team.url, "carol@example.com")
    go(carol, "Audit trail", "Audit trail")
    carol.screenshot(path=artifacts / "team-audit.png", full_page=True)
    trail = [(row[1], row[2]) for row in grid_rows(carol)]
    assert trail.count(("bob@example.com", "signed_in")) == 1  # one sign-in, however many pages it opened
    assert trail.count(("alice@example.com", "signed_in")) == 1
    for entry in [("alice@example.com", "ran"), ("alice@example.com", "shared"), ("bob@example.com", "exported")]:
        assert entry in trail, entry


@pytest.fixture(scope="module")
def keyed_team(tmp_path_factory: pytest.TempPathFactory, provider_url: str) -> Iterator[Server]:
    """Team mode on a server holding the operator's OpenAI key (for its vendor's API only)."""
    env = clean_environment(OPENAI_API_KEY=SECRET, PLAYBOOK_ALLOWED_DOMAINS="example.com")
    with team_app(tmp_path_factory.mktemp("keyed"), provider_url, env) as app:
        yield app


def test_the_operators_key_never_goes_to_a_base_url_someone_typed(keyed_team: Server, person, artifacts: Path) -> None:
    alice = person()
    sign_in(alice, keyed_team.url, "alice@example.com")
    with FakeOpenAI(delay=0) as server:
        sidebar = alice.get_by_test_id("stSidebar")
        assert "Using key from environment" in sidebar.inner_text()  # OpenAI's own API: the operator's key
        sidebar.get_by_role("textbox", name="Model").fill("fake-model")
        sidebar.get_by_role("textbox", name="Model").press("Enter")
        settle(alice)
        sidebar.get_by_role("textbox", name="Base URL (optional)").fill(server.base_url)
        sidebar.get_by_role("textbox", name="Base URL (optional)").press("Enter")
        expect(sidebar.get_by_text("sent only to the endpoint its operator configured")).to_be_visible()
        button(alice, "test_connection").click()
        expect(sidebar.get_by_text("Connected")).to_be_visible()
        load_example(alice)
        go(alice, "Chain", "Escalation Procedure chain")
        button(alice, "run__playbook").click()
        expect(alice.locator(".st-key-card__playbook")).to_contain_text("required sections present", timeout=60_000)
        settle(alice)
        alice.screenshot(path=artifacts / "team-own-endpoint.png", full_page=True)
        assert len(server.headers) >= 2  # the connection test and the step
        for headers in server.headers:
            assert all(SECRET not in value for value in headers.values()), headers
        assert all(SECRET not in json.dumps(request.body) for request in server.requests)
    # ... and it never reaches the disk: history, logs, secrets
    folder = keyed_team.data_dir.parent
    for path in (p for p in folder.rglob("*") if p.is_file()):
        assert SECRET.encode() not in path.read_bytes(), path
