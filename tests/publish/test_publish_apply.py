"""Applying against loopback vendors that check every request: creates, then nothing, then only what changed;
never anything that is not the studio's; failures reported exactly."""

from __future__ import annotations

import pytest

from assistant.analytics.policy import EscalationPolicy
from assistant.errors import ConfigurationError
from assistant.publish import CredentialsRefused, publish

from fake_vendors import Fault, FakeVendor


def _statuses(publication) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for outcome in publication.report.outcomes:
        found.setdefault(outcome.status, []).append(f"{outcome.kind}:{outcome.name}")
    return found


def test_first_apply_creates_the_second_changes_nothing(policy, zendesk: FakeVendor, pagerduty: FakeVendor, environ) -> None:
    for target, vendor, count in (("zendesk", zendesk, 15), ("pagerduty", pagerduty, 8)):
        first = publish(policy, target, apply=True, environ=environ)
        assert first.report.ok and first.report.counts() == {"created": count}
        writes = len(vendor.writes())
        second = publish(policy, target, apply=True, environ=environ)
        assert second.plan.counts() == {"create": 0, "update": 0, "unchanged": count, "blocked": 0}
        assert second.report.counts() == {"unchanged": count} and len(vendor.writes()) == writes
        assert vendor.violations == []
    service = pagerduty.named("service", "[esc] L3 Incident Command")
    assert service["escalation_policy"]["id"] == pagerduty.named("escalation_policy", "[esc] L3 Incident Command")["id"]
    trigger = zendesk.named("trigger", "[esc] L3 P1 outage")
    group = zendesk.named("group", "Incident Command")["id"]
    assert {"field": "group_id", "value": str(group)} in trigger["actions"]
    assert trigger["category_id"] == zendesk.named("trigger_category", "[esc] Escalation playbook")["id"]


def test_a_policy_change_updates_only_what_it_changes_and_leaves_others_objects_alone(
    policy: EscalationPolicy, zendesk: FakeVendor, pagerduty: FakeVendor, environ
) -> None:
    theirs = zendesk.seed("trigger", title="Notify requester of received request", actions=[{"field": "status", "value": "open"}],
                          conditions={"all": [], "any": []})
    their_policy = pagerduty.seed("escalation_policy", type="escalation_policy", name="Engineering default", escalation_rules=[])
    before = (dict(theirs), dict(their_policy))
    for target in ("zendesk", "pagerduty"):
        publish(policy, target, apply=True, environ=environ)
    data = policy.model_dump()
    data["levels"][2]["targets"]["ack_minutes"] = 10
    faster = EscalationPolicy.model_validate(data)

    zd = publish(faster, "zendesk", apply=True, environ=environ)
    updated = {c.name: c.changed for c in zd.plan.changes if c.action == "update"}
    assert updated == {
        "[esc] L3 P1 outage": ["actions"], "[esc] L3 Data loss or integrity risk": ["actions"],
        "[esc] L3 Security incident": ["actions"], "[esc] L3 Incident Command": ["policy_metrics"],
    }
    assert zd.report.counts() == {"updated": 4, "unchanged": 11}
    pd = publish(faster, "pagerduty", apply=True, environ=environ)
    assert sorted(c.name for c in pd.plan.changes if c.action == "update") == [
        "[esc] L1 Support Lead / Specialist", "[esc] L2 Cross-functional (Engineering/Product/Billing)", "[esc] L3 Incident Command"]
    assert {c.kind for c in pd.plan.changes if c.action == "update"} == {"escalation_policy"}
    rules = pagerduty.named("escalation_policy", "[esc] L3 Incident Command")["escalation_rules"]
    assert rules[0]["escalation_delay_in_minutes"] == 10
    assert (zendesk.objects["trigger"][str(theirs["id"])], pagerduty.objects["escalation_policy"][str(their_policy["id"])]) == before
    touched = {path for _, path, _ in zendesk.writes() + pagerduty.writes()}
    assert f"/api/v2/triggers/{theirs['id']}" not in touched and f"/escalation_policies/{their_policy['id']}" not in touched
    assert zendesk.violations == [] and pagerduty.violations == []


def test_a_trigger_the_policy_dropped_is_reported_obsolete_and_never_deleted(policy, zendesk: FakeVendor, environ) -> None:
    publish(policy, "zendesk", apply=True, environ=environ)
    data = policy.model_dump()
    data["levels"][3]["triggers"] = data["levels"][3]["triggers"][:1]
    result = publish(EscalationPolicy.model_validate(data), "zendesk", apply=True, environ=environ)
    assert result.plan.obsolete == ["[esc] L4 Legal or regulatory threat", "[esc] L4 Public complaint (social, strongly negative)"]
    assert "left alone" in result.plan.text()
    assert {method for method, _, _ in zendesk.requests} == {"GET", "POST"}


def test_a_dry_run_reads_but_never_writes_and_without_credentials_reads_nothing(policy, zendesk: FakeVendor, environ) -> None:
    dry = publish(policy, "zendesk", environ=environ)
    assert dry.report is None and dry.plan.counts()["create"] == 15 and zendesk.writes() == []
    offline = publish(policy, "zendesk", environ={})
    assert not offline.plan.live_read and "live configuration was not read" in offline.plan.text()
    with pytest.raises(ConfigurationError, match="Set ZENDESK_SUBDOMAIN and ZENDESK_EMAIL and ZENDESK_API_TOKEN to apply"):
        publish(policy, "zendesk", apply=True, environ={})
    with pytest.raises(ConfigurationError, match="Set ZENDESK_EMAIL and ZENDESK_API_TOKEN too"):
        publish(policy, "zendesk", environ={"ZENDESK_SUBDOMAIN": "atlasflow"})


def test_refused_credentials_say_which_variables_to_check_and_stop_the_apply(policy, zendesk: FakeVendor, environ) -> None:
    zendesk.faults.append(Fault("GET", "/api/v2/trigger_categories", 401))
    with pytest.raises(CredentialsRefused, match=r"Zendesk refused the credentials \(401\): check ZENDESK_EMAIL and ZENDESK_API_TOKEN"):
        publish(policy, "zendesk", apply=True, environ=environ)
    zendesk.faults.append(Fault("POST", "/api/v2/slas/policies", 403))
    result = publish(policy, "zendesk", apply=True, environ=environ)
    statuses = _statuses(result)
    assert len(statuses["created"]) == 11 and statuses["failed"] == ["sla_policy:[esc] L1 Support Lead / Specialist"]
    assert len(statuses["skipped"]) == 3 and not result.report.ok
    assert all(o.message == "not attempted: the credentials were refused" for o in result.report.outcomes if o.status == "skipped")
    assert "needs admin rights" in next(o.message for o in result.report.outcomes if o.status == "failed")


def test_rate_limits_are_waited_out_and_server_errors_retried_then_reported(policy, zendesk: FakeVendor, environ) -> None:
    waits: list[float] = []
    zendesk.faults.append(Fault("POST", "/api/v2/triggers", 429, times=2, headers={"retry-after": "7"}))
    zendesk.faults.append(Fault("POST", "/api/v2/slas/policies", 503, times=4))
    result = publish(policy, "zendesk", apply=True, environ=environ, sleep=waits.append)
    statuses = _statuses(result)
    assert waits[:2] == [7.0, 7.0] and len(statuses["created"]) == 14
    assert statuses["failed"] == ["sla_policy:[esc] L1 Support Lead / Specialist"]
    failed = next(o for o in result.report.outcomes if o.status == "failed")
    assert failed.message.startswith("Zendesk POST /api/v2/slas/policies: Zendesk failed (503) after 3 retries; try again later.")
    assert "in part: 14 created, 1 failed" in result.report.text()
    again = publish(policy, "zendesk", apply=True, environ=environ, sleep=waits.append)
    assert again.report.counts() == {"created": 1, "unchanged": 14}


def test_a_resource_whose_dependency_failed_is_skipped_naming_it(policy, pagerduty: FakeVendor, environ) -> None:
    pagerduty.faults.append(Fault("POST", "/escalation_policies", 500, times=4))
    result = publish(policy, "pagerduty", apply=True, environ=environ, sleep=lambda _: None)
    skipped = [o for o in result.report.outcomes if o.status == "skipped"]
    assert [o.name for o in skipped] == ["[esc] L1 Support Lead / Specialist"]
    assert skipped[0].message == "depends on escalation_policy '[esc] L1 Support Lead / Specialist', which failed or was blocked"
    assert result.report.counts() == {"created": 6, "failed": 1, "skipped": 1}


def test_a_missing_schedule_blocks_the_policies_that_page_it(policy, pagerduty: FakeVendor, environ) -> None:
    executive = pagerduty.named("schedule", "Executive Escalation")
    del pagerduty.objects["schedule"][str(executive["id"])]
    result = publish(policy, "pagerduty", apply=True, environ=environ)
    blocked = [c for c in result.plan.changes if c.action == "blocked"]
    assert len(blocked) == 4 and blocked[0].reason == "no on-call schedule named 'Executive Escalation': create it, or change the level's routing"
    assert result.report.counts() == {"blocked": 4, "skipped": 4} and pagerduty.writes() == []


def test_vendor_messages_are_shown_without_the_credentials(policy, zendesk: FakeVendor, environ) -> None:
    zendesk.faults.append(Fault("POST", "/api/v2/trigger_categories", 422))
    result = publish(policy, "zendesk", apply=True, environ=environ)
    message = result.report.outcomes[0].message
    assert "rejected it (422)" in message and "echo" in message
    assert environ["ZENDESK_API_TOKEN"] not in result.report.text() and "Basic ***" in message
