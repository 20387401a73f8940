"""Review and sign-off: submit, comment, send back, approve; approvals pin versions; edits start a new draft."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.api import Studio, Viewer
from assistant.errors import RunNotFoundError, UserInputError
from assistant.export import notices
from assistant.providers.offline import OfflineProvider
from assistant.settings import Settings

ANN = Viewer(owner="https://idp.example|ann", email="ann@example.com", teams=frozenset({"emea"}))
BOB = Viewer(owner="https://idp.example|bob", email="bob@example.com", teams=frozenset({"emea"}))
EVE = Viewer(owner="https://idp.example|eve", email="eve@example.com", teams=frozenset({"apac"}))
ADMIN = Viewer(owner="https://idp.example|root", email="root@example.com", admin=True)


@pytest.fixture
def team(tmp_path: Path, procedure, atlasflow) -> tuple[Studio, Studio, str]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'history.db'}")
    ann = Studio(settings, viewer=ANN)
    run_id = ann.runner(procedure, atlasflow, provider=OfflineProvider()).run(["playbook"]).run_id
    ann.share(run_id, "emea")
    return ann, Studio(settings, viewer=BOB, store=ann.store), run_id


def _first_notice(studio: Studio, run_id: str) -> str:
    return notices(studio.run_document(studio.run(run_id)))[0].label


def test_a_team_reviews_a_set_and_approval_pins_what_was_approved(team) -> None:
    ann, bob, run_id = team
    assert ann.reviews.state(run_id).status == "draft" and _first_notice(ann, run_id) == "Draft - not approved"
    ann.reviews.submit(run_id, "ready for sign-off")
    with pytest.raises(UserInputError, match="You submitted this set, so someone else must approve it"):
        ann.reviews.approve(run_id)
    bob.reviews.comment(run_id, "Level 3 should page within 10 minutes", step="playbook", section="levels")
    with pytest.raises(UserInputError, match="Say what has to change"):
        bob.reviews.request_changes(run_id, " ")
    bob.reviews.request_changes(run_id, "Shorten the Level 3 acknowledgement")
    assert ann.reviews.state(run_id).status == "changes_requested"
    with pytest.raises(UserInputError, match="Only a set submitted for review can be approved"):
        bob.reviews.approve(run_id)

    text = ann.run(run_id).steps[0].text
    ann.record_edit(run_id, "playbook", text + "\n\nLevel 3: acknowledge within 10 minutes.\n", None)
    assert ann.reviews.state(run_id).status == "draft"
    ann.reviews.submit(run_id)
    approval = bob.reviews.approve(run_id, "looks right")
    state = ann.reviews.state(run_id)
    assert state.status == "approved" and state.approval == approval and state.versions == {"playbook": 2}
    assert approval.policy["title"] == "AtlasFlow escalation policy"
    line = _first_notice(ann, run_id)
    assert line == f"Approved by bob@example.com on {approval.at:%Y-%m-%d} (version {approval.content_hash[:8]}: playbook v2)"
    with pytest.raises(UserInputError, match="already approved"):
        ann.reviews.submit(run_id)

    ann.record_edit(run_id, "playbook", text, None)
    later = ann.reviews.state(run_id)
    assert later.status == "draft" and later.last_approval == approval and later.versions == {"playbook": 3}
    assert _first_notice(ann, run_id) == "Draft - not approved"
    trail = [(e.action, e.actor_email) for e in Studio(ann.settings, viewer=ADMIN, store=ann.store).audit() if e.run_id == run_id]
    assert trail[:6] == [("edited", "ann@example.com"), ("approved", "bob@example.com"), ("submitted", "ann@example.com"),
                         ("edited", "ann@example.com"), ("changes_requested", "bob@example.com"), ("commented", "bob@example.com")]


def test_someone_outside_the_team_cannot_see_review_or_approve(team) -> None:
    ann, bob, run_id = team
    ann.reviews.submit(run_id)
    outsider = Studio(ann.settings, viewer=EVE, store=ann.store)
    for attempt in (lambda: outsider.reviews.approve(run_id), lambda: outsider.reviews.comment(run_id, "hi"),
                    lambda: outsider.reviews.state(run_id)):
        with pytest.raises(RunNotFoundError):
            attempt()
    approval = bob.reviews.approve(run_id)
    with pytest.raises(RunNotFoundError):
        outsider.reviews.compare(approval.id, approval.id)


def test_working_alone_a_set_is_marked_approved_directly_and_a_changed_profile_makes_it_a_draft(tmp_path: Path, procedure, atlasflow) -> None:
    me = Studio(Settings(database_url=f"sqlite:///{tmp_path / 'history.db'}"))
    run_id = me.runner(procedure, atlasflow, provider=OfflineProvider()).run(["playbook"]).run_id
    first = me.reviews.approve(run_id)
    assert me.reviews.state(run_id).status == "approved"
    with pytest.raises(UserInputError, match="already approved"):
        me.reviews.approve(run_id)
    metrics = [m for m in atlasflow["target_metrics"] if "Time-to-ack" not in m] + ["Time-to-ack < 10 min (P1)"]
    me.store.update_run(run_id, variables={**atlasflow, "target_metrics": metrics})
    assert me.reviews.state(run_id).status == "draft"
    policy, _ = me.reviews.policy(run_id)
    assert policy.level(3).targets.ack_minutes == 15  # what is published is what was approved
    second = me.reviews.approve(run_id)
    assert [c.describe() for c in me.reviews.compare(first.id, second.id)] == [
        "Level 3 time to acknowledge: 15 min -> 10 min", "Level 4 time to acknowledge: 15 min -> 10 min"]
    assert me.reviews.policy(run_id)[0].level(3).targets.ack_minutes == 10
    with pytest.raises(UserInputError, match="No approval 999"):
        me.reviews.compare(first.id, 999)


def test_in_a_team_only_an_admin_applies_with_the_servers_credentials(team) -> None:
    ann, bob, run_id = team
    ann.reviews.submit(run_id)
    bob.reviews.approve(run_id)
    with pytest.raises(UserInputError, match="Only an admin applies with the server's Zendesk and PagerDuty credentials"):
        ann.publishing.publication(run_id, "zendesk", apply=True, environ={})
    plan, state = ann.publishing.publication(run_id, "zendesk", environ={})
    assert state.status == "approved" and plan.report is None and not plan.plan.live_read
