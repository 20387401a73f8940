"""A studio a team shares: nobody sees another's sets unless shared, owners decide, every change has an author."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.api import EVERYONE, BudgetError, Studio, TeamPolicy, Viewer
from assistant.errors import ConfigurationError, RunNotFoundError, UserInputError
from assistant.providers.offline import OfflineProvider
from assistant.settings import Settings

ALICE = Viewer(owner="https://idp.example|alice", email="alice@example.com", teams=frozenset({"emea"}))
BOB = Viewer(owner="https://idp.example|bob", email="bob@example.com", teams=frozenset({"apac"}))
CAROL = Viewer(owner="https://idp.example|carol", email="carol@example.com", teams=frozenset({"emea"}))
ADMIN = Viewer(owner="https://idp.example|root", email="root@example.com", admin=True)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'history.db'}")


def studio_for(settings: Settings, viewer: Viewer, store=None) -> Studio:
    return Studio(settings, viewer=viewer, store=store)


def alices_set(settings: Settings, procedure, atlasflow) -> tuple[Studio, str]:
    alice = studio_for(settings, ALICE)
    run_id = alice.runner(procedure, atlasflow, provider=OfflineProvider()).run(["playbook"]).run_id
    return alice, run_id


def test_another_persons_set_is_never_listed_and_reads_as_not_found(settings, procedure, atlasflow) -> None:
    alice, run_id = alices_set(settings, procedure, atlasflow)
    record = alice.run(run_id)
    assert (record.owner, record.owner_email) == (ALICE.owner, "alice@example.com")
    bob = studio_for(settings, BOB, alice.store)
    assert bob.runs() == []
    for attempt in (
        lambda: bob.run(run_id),
        lambda: bob.resumption(run_id),
        lambda: bob.rename(run_id, title="mine now"),
        lambda: bob.record_edit(run_id, "playbook", "hijacked", None),
        lambda: bob.restore_version(run_id, "playbook", 1),
        lambda: bob.delete_run(run_id),
        lambda: bob.share(run_id, "apac"),
        lambda: bob.writable(run_id),
    ):
        with pytest.raises(RunNotFoundError, match=r"No run '.*' in the history"):
            attempt()
    assert alice.run(run_id).steps[0].versions and len(alice.run(run_id).steps[0].versions) == 1  # untouched


def test_a_shared_set_is_seen_and_changed_by_its_team_but_only_its_owner_deletes_or_unshares(settings, procedure, atlasflow) -> None:
    alice, run_id = alices_set(settings, procedure, atlasflow)
    with pytest.raises(UserInputError, match="not in the team 'apac'"):
        alice.share(run_id, "apac")
    alice.share(run_id, "emea")
    carol = studio_for(settings, CAROL, alice.store)
    assert [r.id for r in carol.runs()] == [run_id]
    carol.record_edit(run_id, "playbook", "# Carol's edit", None)
    assert carol.run(run_id).steps[0].text == "# Carol's edit"
    for owner_only in (lambda: carol.delete_run(run_id), lambda: carol.share(run_id, None)):
        with pytest.raises(UserInputError, match=r"Only the owner \(alice@example.com\) or an admin"):
            owner_only()
    assert studio_for(settings, BOB, alice.store).runs() == []  # not in the team
    alice.share(run_id, None)
    assert carol.runs() == []


def test_every_change_has_an_author_in_the_audit_trail_and_only_admins_read_it(settings, procedure, atlasflow) -> None:
    alice, run_id = alices_set(settings, procedure, atlasflow)
    alice.rename(run_id, title="AtlasFlow 2027")
    alice.record_edit(run_id, "playbook", "# edited", None)
    alice.share(run_id, "emea")
    alice.record("exported", run_id, detail={"format": "docx"})
    alice.delete_run(run_id)
    with pytest.raises(UserInputError, match="Only admins see the audit trail"):
        alice.audit()
    entries = studio_for(settings, ADMIN, alice.store).audit()
    assert [(e.action, e.actor_email) for e in entries][::-1] == [
        ("ran", "alice@example.com"), ("renamed", "alice@example.com"), ("edited", "alice@example.com"),
        ("shared", "alice@example.com"), ("exported", "alice@example.com"), ("deleted", "alice@example.com"),
    ]
    assert all(e.run_id == run_id for e in entries)


def test_the_daily_budget_applies_to_the_operators_key_only(settings, procedure, atlasflow, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-operator-key-000000000000")
    priced = Settings(database_url=settings.database_url, user_daily_budget_usd=0.05)
    studio = studio_for(priced, ALICE)
    assert studio.budget_left("openai") == 0.05 and studio.budget_left("offline") is None
    studio.check_budget("openai", 0.04)
    studio.store.audit.record(ALICE.owner, "ran", cost=0.03)
    assert studio.budget_left("openai") == pytest.approx(0.02)
    with pytest.raises(BudgetError, match=r"estimated at \$0.0400, and \$0.0200 of your \$0.05 daily budget is left"):
        studio.check_budget("openai", 0.04)
    with pytest.raises(BudgetError, match="price is unknown"):
        studio.check_budget("openai", None)
    own_key = priced.model_copy(update={"openai_api_key": SecretStr("sk-alice-own-key-1111111111")})
    studio_for(own_key, ALICE, studio.store).check_budget("openai", 10.0)  # her own key: no budget


def test_the_team_policy_lets_in_the_listed_people_and_names_admins_and_teams() -> None:
    policy = TeamPolicy.from_settings(
        Settings(allowed_domains="example.com", allowed_emails="guest@partner.org", admins="root@example.com",
                 teams='{"emea": ["alice@example.com", "carol@example.com"], "apac": ["bob@example.com"]}')
    )
    alice = policy.viewer("https://idp", "alice", "Alice@Example.com")
    assert alice is not None and alice.teams == {"emea"} and not alice.admin and alice.owner == "https://idp|alice"
    assert policy.viewer("https://idp", "root", "root@example.com").admin
    assert policy.viewer("https://idp", "guest", "guest@partner.org") is not None
    assert policy.viewer("https://idp", "eve", "eve@evil.test") is None
    assert policy.viewer("https://idp", "", "alice@example.com") is None
    open_door = TeamPolicy.from_settings(Settings())
    assert open_door.viewer("https://idp", "anyone", None).teams == {EVERYONE}
    with pytest.raises(ConfigurationError, match="PLAYBOOK_TEAMS must be JSON"):
        TeamPolicy.from_settings(Settings(teams="emea=alice"))
