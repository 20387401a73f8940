"""The policy as PagerDuty configuration: escalation policies and services, as REST API v2 bodies.

Each level N gets an escalation policy whose rules page the on-call schedule of level N's team
first and, unacknowledged within that level's acknowledgement target, the teams of the levels
above it in turn: the policy's ladder as PagerDuty's escalation delays. Each level also gets a
service using that policy, whose urgency follows the level's severity (P1/P2 high, P3/P4 low), so
an escalation raised at a level pages the right people with the right urgency.
"""

from __future__ import annotations

import math

from assistant.analytics.policy import EscalationPolicy, LevelPolicy, Severity, format_number
from assistant.publish.model import Bundle, Resource, managed_name, reference

URGENCY: dict[Severity, str] = {"P1": "high", "P2": "high", "P3": "low", "P4": "low"}


def _policy_name(policy: EscalationPolicy, level: LevelPolicy) -> str:
    return managed_name(policy.naming.tag_prefix, f"L{level.level} {level.name}")


def _escalation_policy(policy: EscalationPolicy, level: LevelPolicy, notes: list[str]) -> Resource | None:
    ladder = [lv for lv in policy.levels if lv.level >= level.level and lv.routing]
    if not ladder or ladder[0].level != level.level:
        notes.append(f"L{level.level} names no team (routing), so no PagerDuty escalation policy pages it.")
        return None
    rules = [
        {
            "escalation_delay_in_minutes": max(1, math.ceil(lv.targets.ack_minutes)),
            "targets": [{"id": reference("schedule", lv.routing), "type": "schedule_reference"}],
        }
        for lv in ladder
    ]
    path = " -> ".join(f"{lv.routing} ({format_number(lv.targets.ack_minutes)} min)" for lv in ladder)
    name = _policy_name(policy, level)
    fields = {
        "type": "escalation_policy",
        "name": name,
        "description": f"Level {level.level} escalations: {path}. Published from '{policy.title}'."[:1000],
        "num_loops": 0,
        "on_call_handoff_notifications": "if_has_services",
        "escalation_rules": rules,
    }
    return Resource(kind="escalation_policy", name=name, body={"escalation_policy": fields}, level=level.level)


def _service(policy: EscalationPolicy, level: LevelPolicy) -> Resource:
    name = _policy_name(policy, level)
    fields = {
        "type": "service",
        "name": name,
        "description": f"Raise Level {level.level} ({level.effective_severity}) escalations here: {level.criteria or level.name}"[:1000],
        "escalation_policy": {"id": reference("escalation_policy", name), "type": "escalation_policy_reference"},
        "incident_urgency_rule": {"type": "constant", "urgency": URGENCY[level.effective_severity]},
    }
    return Resource(kind="service", name=name, body={"service": fields}, level=level.level)


def pagerduty_bundle(policy: EscalationPolicy) -> Bundle:
    """One escalation policy and one service per level that names its team; policies first."""
    notes: list[str] = []
    policies = [ep for level in policy.levels if (ep := _escalation_policy(policy, level, notes)) is not None]
    services = [_service(policy, policy.level(ep.level)) for ep in policies if ep.level is not None and policy.level(ep.level)]  # type: ignore[arg-type]
    return Bundle(target="pagerduty", prefix=policy.naming.tag_prefix, resources=[*policies, *services], notes=notes)
