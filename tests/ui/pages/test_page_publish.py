"""Review & publish: mark a set approved, see the plan for each tool, apply it, and compare an export."""

from __future__ import annotations

import json

import pytest

from assistant.analytics.policy.conventions import LEVEL_ROUTING
from assistant.api import Studio, Viewer

from fake_vendors import FakeVendor


@pytest.fixture
def zendesk(monkeypatch: pytest.MonkeyPatch) -> FakeVendor:
    vendor = FakeVendor("zendesk")
    for name in LEVEL_ROUTING.values():
        vendor.seed("group", name=name)
    for name, value in {"ZENDESK_SUBDOMAIN": "atlasflow", "ZENDESK_EMAIL": "ops@atlasflow.example",
                        "ZENDESK_API_TOKEN": "zd-token-in-env", "ZENDESK_URL": vendor.url}.items():
        monkeypatch.setenv(name, value)
    yield vendor
    vendor.close()


def _table(app, column: str):
    """The table with ``column`` (AppTest keeps no keys on dataframes)."""
    return next(d.value for d in app.at.dataframe if column in d.value.columns)


def _with_a_set(scripted_app):
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    return app.page("publish")


def test_no_sets_yet_says_what_to_do(app) -> None:
    app.page("publish")
    assert any("No document sets yet" in i.value for i in app.at.info)


def test_alone_a_set_is_marked_approved_and_the_plan_lists_every_zendesk_resource(scripted_app) -> None:
    app = _with_a_set(scripted_app)
    assert "Draft - not approved" in app.texts() and "Not approved yet" in app.texts()
    plan = _table(app, "Action")
    assert len(plan) == 15 and set(plan["Action"]) == {"+ create"}
    assert "+ create" in list(plan["Action"]) and "[esc] L3 P1 outage" in list(plan["Name"])
    assert app.at.button(key="publish_apply").disabled  # no credentials, and not approved
    app.click("review_approve")
    assert any(s.value.startswith("Approved by the local user on ") for s in app.at.success)
    history = _table(app, "Who")
    assert list(history["What"]) == ["approved"] and list(history["Who"]) == ["the local user"]
    assert app.at.button(key="review_approve").disabled
    app.at.segmented_control(key="publish_target").set_value("pagerduty").run()
    plan = _table(app, "Action")
    assert len(plan) == 8 and "escalation policy" in set(plan["Kind"])


def test_apply_needs_confirmation_then_creates_and_a_second_plan_is_unchanged(scripted_app, zendesk: FakeVendor) -> None:
    app = _with_a_set(scripted_app)
    app.click("review_approve")
    assert app.at.button(key="publish_apply").disabled  # not confirmed yet
    app.at.checkbox(key="publish_confirm").check().run()
    app.click("publish_apply")
    assert "Applied to zendesk: 15 created." in app.texts() or any("15 created" in t.value for t in app.at.toast)
    report = _table(app, "Result")
    assert set(report["Result"]) == {"created"} and len(zendesk.objects["trigger"]) == 10
    app.page("history").page("publish")
    assert set(_table(app, "Action")["Action"]) == {"= unchanged"}
    assert zendesk.violations == [] and "zd-token-in-env" not in app.texts()


def test_comparing_an_export_shows_where_the_live_configuration_differs(scripted_app) -> None:
    app = _with_a_set(scripted_app)
    export = {"escalation_policy": {"escalation_rules": [
        {"escalation_delay_in_minutes": 90, "targets": [{"id": "S1", "type": "schedule_reference", "summary": "Support Leads"}]}]}}
    app.at.segmented_control(key="publish_target").set_value("pagerduty").run()
    app.at.file_uploader(key="publish_import_pagerduty").set_value(("ep.json", json.dumps(export).encode(), "application/json")).run()
    app.check()
    differences = _table(app, "Live")
    assert list(differences["What"])[:2] == ["Level 1 time to acknowledge", "Level 2"]
    assert list(differences["Live"])[0] == "90 min" and list(differences["Policy"])[0] == "60 min"
    app.at.file_uploader(key="publish_import_pagerduty").set_value(("bad.json", b"{nope", "application/json")).run()
    assert any("Not valid JSON" in e.value for e in app.at.error)


def test_in_a_team_the_author_cannot_approve_their_own_submission(scripted_app) -> None:
    app = _with_a_set(scripted_app)
    run_id = Studio().runs()[0].id
    ann = Studio(viewer=Viewer(owner="idp|ann", email="ann@example.com", admin=True))
    ann.reviews.submit(run_id)
    with pytest.raises(Exception, match="someone else must approve"):
        ann.reviews.approve(run_id)
    app.run()
    assert "In review" in app.texts()
