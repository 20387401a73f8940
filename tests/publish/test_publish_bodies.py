"""The bodies the policy becomes, for the example company and for any valid policy, fit the vendors' API descriptions."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from assistant.analytics.policy import Condition, EscalationPolicy
from assistant.publish import TARGETS, api_description, body_problems, bundle
from assistant.publish.zendesk import condition

from policy_strategies import policies


def _by_name(policy: EscalationPolicy, target: str) -> dict[str, dict]:
    return {r.name: r.fields for r in bundle(policy, target).resources}  # type: ignore[arg-type]


@pytest.mark.parametrize("target", TARGETS)
def test_the_api_descriptions_are_valid_openapi(target: str) -> None:
    validate(api_description(target))  # type: ignore[arg-type]


@pytest.mark.parametrize("target", TARGETS)
def test_every_body_of_the_example_company_fits_its_vendor(policy: EscalationPolicy, target: str) -> None:
    made = bundle(policy, target)  # type: ignore[arg-type]
    assert len(made.resources) == (15 if target == "zendesk" else 8)
    assert [p for r in made.resources for p in body_problems(r)] == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policies())
def test_random_valid_policies_make_bodies_that_fit_both_vendors(policy: EscalationPolicy) -> None:
    for target in TARGETS:
        made = bundle(policy, target)
        assert all(body_problems(r) == [] for r in made.resources)
        assert all(r.name.startswith(f"[{policy.naming.tag_prefix}] ") for r in made.resources)
        assert len({(r.kind, r.name) for r in made.resources}) == len(made.resources)


def test_a_level_3_trigger_sets_priority_tags_group_and_tells_the_team_what_to_do(policy: EscalationPolicy) -> None:
    trigger = _by_name(policy, "zendesk")["[esc] L3 P1 outage"]
    assert trigger["conditions"]["all"] == [
        {"field": "current_tags", "operator": "not_includes", "value": "esc_l3"},
        {"field": "priority", "operator": "is", "value": "urgent"},
        {"field": "current_tags", "operator": "includes", "value": "category_outage"},
    ]
    actions = {a["field"]: a["value"] for a in trigger["actions"]}
    assert actions["priority"] == "urgent" and actions["current_tags"] == "esc_l3 esc_escalated"
    assert actions["group_id"] == "${group:Incident Command}"
    group, subject, body = actions["notification_group"]
    assert group == "${group:Incident Command}" and subject.startswith("[L3 P1] {{ticket.title}}")
    assert "Acknowledge within 15 min." in body and "Update the customer every 30 min." in body
    assert "Engage: Incident Commander, Escalation Owner, Comms Lead, SME Lead." in body
    assert "Open the war room #esc-{{ticket.id}} (Slack huddle in the channel)." in body


def test_sla_policies_carry_each_levels_targets_for_its_priority(policy: EscalationPolicy) -> None:
    sla = _by_name(policy, "zendesk")["[esc] L3 Incident Command"]
    assert sla["filter"]["all"] == [{"field": "current_tags", "operator": "includes", "value": "esc_l3"}]
    assert {m["metric"]: (m["priority"], m["target"]) for m in sla["policy_metrics"]} == {
        "first_reply_time": ("urgent", 15), "periodic_update_time": ("urgent", 30), "requester_wait_time": ("urgent", 480),
    }


def test_conditions_use_zendesk_priority_tags_or_a_mapped_number_field() -> None:
    notes: list[str] = []
    assert condition(Condition(column="priority", op="in", values=["P1", "P2"]), {}, notes, "L3") == {
        "field": "priority", "operator": "greater_than", "value": "normal"}
    assert condition(Condition(column="priority", op="not_in", values=["P1"]), {}, notes, "L3") == {
        "field": "priority", "operator": "less_than", "value": "urgent"}
    assert condition(Condition(column="tier", op="in", values=["Enterprise", "VIP Plus"]), {}, notes, "L3") == {
        "field": "current_tags", "operator": "includes", "value": "tier_enterprise tier_vip_plus"}
    assert condition(Condition(column="churn_threat", op="is_false"), {}, notes, "L3") == {
        "field": "current_tags", "operator": "not_includes", "value": "churn_threat"}
    assert notes == []
    assert condition(Condition(column="arr", op=">", threshold=50000), {"arr": 360001}, notes, "L4") == {
        "field": "custom_fields_360001", "operator": "greater_than", "value": "50000"}
    assert condition(Condition(column="sentiment", op="<=", threshold=-0.7), {}, notes, "L4 'Public'") == {
        "field": "current_tags", "operator": "includes", "value": "sentiment_at_most_minus0_7"}
    assert notes == ["L4 'Public': 'sentiment <= -0.7' is matched by the tag 'sentiment_at_most_minus0_7' (set it at intake), "
                     "or map sentiment to a Zendesk number field (--zendesk-field sentiment=FIELD_ID)."]


def test_pagerduty_policies_climb_the_ladder_with_each_levels_ack_target_as_the_delay(policy: EscalationPolicy) -> None:
    made = {(r.kind, r.name): r.fields for r in bundle(policy, "pagerduty").resources}
    rules = made[("escalation_policy", "[esc] L2 Cross-functional (Engineering/Product/Billing)")]["escalation_rules"]
    assert [(r["escalation_delay_in_minutes"], r["targets"][0]["id"]) for r in rules] == [
        (30, "${schedule:Escalation Engineering}"), (15, "${schedule:Incident Command}"), (15, "${schedule:Executive Escalation}")]
    services = {name: fields for (kind, name), fields in made.items() if kind == "service"}
    assert services["[esc] L3 Incident Command"]["incident_urgency_rule"] == {"type": "constant", "urgency": "high"}
    assert services["[esc] L1 Support Lead / Specialist"]["incident_urgency_rule"]["urgency"] == "low"
    assert services["[esc] L3 Incident Command"]["escalation_policy"]["id"] == "${escalation_policy:[esc] L3 Incident Command}"
