"""Daily budgets on the operator's key (``PLAYBOOK_USER_DAILY_BUDGET_USD``): the sidebar says what
is left today, and a run or repair whose estimate does not fit is refused before any request."""

from __future__ import annotations

import re

import pytest
from conftest import App, person
from fake_openai import FakeOpenAI  # tests/e2e/fake_openai.py

from assistant.api import Studio

SECRET = "sk-operator-budget-0123456789"
BUDGET = 0.02  # gpt-4.1-mini: the playbook is estimated at about $0.010, the whole chain at about $0.043


def _left(app: App) -> float:
    text = "\n".join(str(m.value) for m in app.at.sidebar.markdown)
    match = re.search(r"\*\*Left today\*\* on this server's key: \$([\d.]+) of \$([\d.]+)", text)
    assert match, text
    return float(match.group(1))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    with FakeOpenAI(delay=0) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        monkeypatch.setenv("PLAYBOOK_BASE_URL", fake.base_url)  # the operator's own endpoint: the key goes there
        monkeypatch.setenv("PLAYBOOK_MODEL", "gpt-4.1-mini")
        monkeypatch.setenv("PLAYBOOK_USER_DAILY_BUDGET_USD", str(BUDGET))
        yield fake


def test_a_run_past_the_daily_budget_is_refused_before_any_request(server) -> None:
    alice = App(user=person("alice@example.com")).load_example()
    assert _left(alice) == BUDGET
    assert any("estimated above what is left" in w.value for w in alice.at.sidebar.warning)

    alice.page("chain").click("run_all")
    refusal = " ".join(e.value for e in alice.at.error).replace("\\$", "$")
    assert re.search(r"This run is estimated at \$0\.04\d+, and \$0\.0200 of your \$0\.02 daily budget is left", refusal)
    assert server.requests == []  # refused before anything was sent

    alice.click("run__playbook")  # fits: runs, and its cost counts against today
    assert alice.draft("playbook").status == "done"
    ran = next(e for e in Studio().audit(20) if e.action == "ran")
    assert ran.actor_email == "alice@example.com" and ran.cost and ran.cost > 0
    assert _left(alice) == pytest.approx(BUDGET - ran.cost, abs=1e-4)

    sent = len(server.requests)
    alice.click("run__runbooks")  # about $0.020 does not fit in what is left
    assert "daily budget is left" in alice.texts()
    assert len(server.requests) == sent

    # each person has their own budget
    assert _left(App(user=person("bob@example.com")).load_example()) == BUDGET


def test_no_budget_applies_to_a_key_the_person_brings(server) -> None:
    alice = App(user=person("alice@example.com")).load_example()
    assert "a key of your own (kept for this session only) has no budget" in alice.texts()
    alice.at.text_input(key="api_key__openai").input("sk-alice-own-key").run()
    assert "Left today" not in alice.texts()
    alice.page("chain").click("run_all")
    assert alice.draft("training").status == "done"
    assert set(server.authorizations) == {"Bearer sk-alice-own-key"}
    assert all(e.cost is None for e in Studio().audit(20))  # nothing counted against the operator's key
