"""Starting from a live configuration: Zendesk and PagerDuty exports read back as a policy, and where they disagree."""

from __future__ import annotations

import pytest

from assistant.analytics.policy import EscalationPolicy, PolicyError
from assistant.publish import import_policy, live_differences, profile_lines, publish

from fake_vendors import FakeVendor

PAGERDUTY_EXPORT = {
    "escalation_policy": {
        "id": "PABC123", "type": "escalation_policy", "name": "Customer escalations",
        "escalation_rules": [
            {"escalation_delay_in_minutes": 45, "targets": [{"id": "PS1", "type": "schedule_reference", "summary": "Support Leads"}]},
            {"escalation_delay_in_minutes": 30, "targets": [{"id": "PS2", "type": "schedule_reference", "summary": "Escalation Engineering"}]},
            {"escalation_delay_in_minutes": 15, "targets": [{"id": "PS3", "type": "schedule_reference", "summary": "Major Incident"}]},
        ],
    }
}


def test_what_zendesk_has_reads_back_as_the_published_policy_and_a_changed_target_shows(policy: EscalationPolicy, zendesk: FakeVendor, environ) -> None:
    publish(policy, "zendesk", apply=True, environ=environ)
    export = {kind: list(zendesk.objects[key].values()) for kind, key in
              (("sla_policies", "sla_policy"), ("triggers", "trigger"), ("groups", "group"))}
    live = import_policy("zendesk", export)
    assert [(lv.level, lv.routing, lv.effective_severity) for lv in live.levels] == [
        (1, "Support Leads", "P3"), (2, "Escalation Engineering", "P2"), (3, "Incident Command", "P1"), (4, "Executive Escalation", "P1")]
    assert live.level(3).roles == ["Incident Commander", "Escalation Owner", "Comms Lead", "SME Lead"]
    assert live_differences("zendesk", live, policy) == []
    sla = zendesk.named("sla_policy", "[esc] L3 Incident Command")
    sla["policy_metrics"][0]["target"] = 30
    drift = live_differences("zendesk", import_policy("zendesk", export), policy)
    assert [c.describe() for c in drift] == ["Level 3 time to acknowledge: 30 min -> 15 min"]


def test_a_pagerduty_escalation_policy_gives_levels_teams_and_acknowledgement_targets(policy: EscalationPolicy) -> None:
    live = import_policy("pagerduty", PAGERDUTY_EXPORT)
    assert [(lv.level, lv.routing, lv.targets.ack_minutes) for lv in live.levels] == [
        (1, "Support Leads", 45), (2, "Escalation Engineering", 30), (3, "Major Incident", 15)]
    assert live.source == "imported" and live.level(3).triggers[0].describe() == "priority in [P1]"
    assert [c.describe() for c in live_differences("pagerduty", live, policy)] == [
        "Level 1 time to acknowledge: 45 min -> 60 min",
        "Level 3 team: Major Incident -> Incident Command",
        "Level 4: added (Executive Escalation, acknowledge within 15 min)",
    ]
    lines = profile_lines(live)
    assert lines["target_metrics"][0] == "Time-to-ack < 45 min (P3, Level 1)"
    assert lines["common_escalation_triggers"][2] == "Level 3 Major Incident: P1, routed to Major Incident"


@pytest.mark.parametrize(("target", "data", "message"), [
    ("zendesk", {"triggers": []}, "no 'sla_policies' with first_reply_time targets"),
    ("pagerduty", {"services": []}, "no 'escalation_policy' or 'escalation_policies' with rules"),
    ("zendesk", ["not", "an", "object"], "Expected a JSON object from zendesk"),
])
def test_an_export_with_nothing_to_read_is_refused_saying_what_was_expected(target: str, data, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        import_policy(target, data)  # type: ignore[arg-type]
