"""Start from what exists: a Zendesk trigger and SLA export, or a PagerDuty escalation policy, read back as a policy.

A Zendesk export (the JSON of ``GET /api/v2/slas/policies``, optionally with ``triggers`` and
``groups`` lists in the same object) gives one level per SLA policy: its targets from the SLA
metrics, its severity from their priority, its team from the group the triggers assign, its roles
from their notifications. A PagerDuty escalation policy (``{"escalation_policy": ...}`` or a list)
gives one level per rule: its acknowledgement target from the rule's delay, its team from the rule's
first target. What a configuration cannot say (the measurable triggers) is stated as the level's
severity, so the policy is valid and a person refines it; :func:`profile_lines` turns it into the
Organisation form's target metrics and triggers.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.analytics.policy import DEFAULT_SEVERITY, EscalationPolicy, PolicyChange, PolicyError, Role, Severity, policy_changes
from assistant.publish.model import Target

_SEVERITY_OF = {"urgent": "P1", "high": "P2", "normal": "P3", "low": "P4"}
_TARGET_OF = {"first_reply_time": "ack_minutes", "next_reply_time": "update_minutes", "periodic_update_time": "update_minutes",
              "requester_wait_time": "resolution_minutes", "total_resolution_time": "resolution_minutes"}
_LEVEL = re.compile(r"\b(?:L|Level\s*)([1-4])\b", re.IGNORECASE)
_PREFIX = re.compile(r"^\[[^\]]+\]\s*")
#: what each kind of live configuration can state, in policy terms (a level's presence, not its name)
COMPARABLE = {"zendesk": ("target", "severity", "routing", "roles"), "pagerduty": ("routing",)}


def _name(title: str, number: int) -> str:
    return _LEVEL.sub("", _PREFIX.sub("", title), count=1).strip(" -:·") or f"Level {number}"


def _level(number: int, name: str, severity: Severity, targets: dict[str, float], routing: str = "", roles: list[str] | None = None) -> dict[str, Any]:
    return {
        "level": number, "name": name, "severity": severity, "routing": routing, "roles": roles or [], "targets": targets,
        "triggers": [{"name": f"Imported {severity} ticket", "conditions": [{"column": "priority", "op": "in", "values": [severity]}]}],
        "criteria": "Imported from the live configuration: state the measurable triggers.",
    }


def _numbered(items: list[tuple[str, Any]]) -> list[tuple[int, str, Any]]:
    """Level numbers from the titles ("L3", "Level 3"), else in the order given, 1 to 4."""
    found = [(int(m.group(1)) if (m := _LEVEL.search(title)) else None, title, item) for title, item in items]
    free = iter(n for n in range(1, 5) if n not in {f[0] for f in found})
    return [(number if number is not None else next(free, 0), title, item) for number, title, item in found][:4]


def _zendesk_levels(data: dict[str, Any]) -> list[dict[str, Any]]:
    groups = {str(g.get("id")): str(g.get("name")) for g in data.get("groups") or []}
    triggers = data.get("triggers") or []
    levels = []
    for number, title, sla in _numbered([(str(s.get("title") or ""), s) for s in data.get("sla_policies") or []]):
        metrics = sla.get("policy_metrics") or []
        severity = _SEVERITY_OF.get(str(metrics[0].get("priority")) if metrics else "", DEFAULT_SEVERITY.get(number, "P3"))
        targets = {_TARGET_OF[m["metric"]]: float(m["target"]) for m in metrics if m.get("metric") in _TARGET_OF and m.get("target")}
        if "ack_minutes" not in targets:
            continue
        tags = {str(c.get("value")) for c in (sla.get("filter") or {}).get("all") or [] if c.get("field") == "current_tags"}
        mine = [t for t in triggers if any(tag in str(a.get("value")) for a in t.get("actions") or [] for tag in tags if tag)]
        actions = {a.get("field"): a.get("value") for t in mine for a in t.get("actions") or []}
        body = actions.get("notification_group", ["", "", ""])[2] if isinstance(actions.get("notification_group"), list) else ""
        roles = [r.strip() for r in m.group(1).split(",")] if (m := re.search(r"Engage: ([^.\n]+)", str(body))) else []
        levels.append(_level(number, _name(title, number), severity, targets, groups.get(str(actions.get("group_id")), ""), roles))  # type: ignore[arg-type]
    return levels


def _pagerduty_levels(data: dict[str, Any]) -> list[dict[str, Any]]:
    policies = data.get("escalation_policies") or ([data["escalation_policy"]] if isinstance(data.get("escalation_policy"), dict) else [])
    if not policies:
        return []
    chosen = max(policies, key=lambda p: len(p.get("escalation_rules") or []))
    levels = []
    for number, rule in enumerate((chosen.get("escalation_rules") or [])[:4], 1):
        target = (rule.get("targets") or [{}])[0]
        routing = str(target.get("summary") or target.get("name") or "")
        ack = float(rule.get("escalation_delay_in_minutes") or 0) or 1.0
        levels.append(_level(number, routing or f"Level {number}", DEFAULT_SEVERITY[number], {"ack_minutes": ack}, routing))
    return levels


def import_policy(target: Target, data: Any, title: str = "Imported escalation policy") -> EscalationPolicy:
    """A policy from ``target``'s exported configuration; refuses one with nothing to read, saying what it expected."""
    if not isinstance(data, dict):
        raise PolicyError(f"Expected a JSON object from {target}.")
    levels = _zendesk_levels(data) if target == "zendesk" else _pagerduty_levels(data)
    if not levels:
        wanted = "'sla_policies' with first_reply_time targets" if target == "zendesk" else "'escalation_policy' or 'escalation_policies' with rules"
        raise PolicyError(f"Nothing to import: the {target} export has no {wanted}.")
    names = sorted({role for level in levels for role in level["roles"]})
    return EscalationPolicy.model_validate(
        {"title": title, "source": "imported", "levels": levels, "roles": [Role(name=n).model_dump() for n in names]}
    )


def live_differences(target: Target, live: EscalationPolicy, drafted: EscalationPolicy) -> list[PolicyChange]:
    """Where the live configuration (before) and the drafted policy (after) disagree, on what the live one can state."""
    areas = COMPARABLE[target]

    def stated(change: PolicyChange) -> bool:
        if change.area == "level":
            return not change.subject.endswith(" name")
        if change.area == "target" and target == "pagerduty":
            return change.subject.endswith("time to acknowledge")
        return change.area in areas

    return [c for c in policy_changes(live, drafted) if stated(c)]


def profile_lines(policy: EscalationPolicy) -> dict[str, list[str]]:
    """The Organisation form's target metrics and triggers as the imported policy states them."""
    metrics = [f"Time-to-ack < {lv.targets.ack_minutes:g} min ({lv.effective_severity}, Level {lv.level})" for lv in policy.levels]
    metrics += [f"Customer updates every {lv.targets.update_minutes:g} min ({lv.effective_severity}, Level {lv.level})"
                for lv in policy.levels if lv.targets.update_minutes]
    triggers = [f"Level {lv.level} {lv.name}: {lv.effective_severity}" + (f", routed to {lv.routing}" if lv.routing else "") for lv in policy.levels]
    return {"target_metrics": metrics, "common_escalation_triggers": triggers}
