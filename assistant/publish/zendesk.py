"""The policy as Zendesk Support configuration: ticket triggers and SLA policies, as REST API bodies.

Each trigger of each level becomes one ticket trigger: its conditions (plus "not yet at this
level") decide when it fires; its actions set the level's priority, tag the ticket with the level,
assign the level's group and notify it with the roles to engage, the targets and the war room.
Each level becomes one SLA policy for tickets with its tag: first reply (acknowledge), periodic
update (the update cadence) and requester wait time (resolution), in calendar minutes.

Ticket fields Zendesk has natively (priority) are matched natively; text and yes/no fields are
matched by tags (a drop-down or checkbox field adds its tag); numbers by a custom field when one is
mapped (``fields={"arr": 360001}``), else by a tag intake must set, which the notes say.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from assistant.analytics.policy import Condition, EscalationPolicy, LevelPolicy, Severity, Trigger, format_number
from assistant.publish.model import Bundle, Resource, managed_name, reference

#: the policy's severities in Zendesk's priorities
PRIORITIES: dict[Severity, str] = {"P1": "urgent", "P2": "high", "P3": "normal", "P4": "low"}
_ORDER = ["P1", "P2", "P3", "P4"]
_NUMERIC_OPERATORS = {">": "greater_than", ">=": "greater_than_equal", "<": "less_than", "<=": "less_than_equal", "==": "is", "!=": "is_not"}
_NUMERIC_WORDS = {">": "over", ">=": "at_least", "<": "under", "<=": "at_most", "==": "is", "!=": "not"}
#: the SLA metric each response target is measured by
SLA_METRICS = {"ack_minutes": "first_reply_time", "update_minutes": "periodic_update_time", "resolution_minutes": "requester_wait_time"}
CATEGORY = "Escalation playbook"


def tag(*parts: str) -> str:
    """A Zendesk tag: lower case, letters, digits and underscores (``category_data_loss``)."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", "_".join(parts).casefold())).strip("_")[:80]


def level_tag(prefix: str, level: int) -> str:
    return tag(prefix, f"l{level}")


def _priority_condition(condition: Condition) -> dict[str, Any] | None:
    """``priority in [P1, P2]`` as Zendesk's own priority field, when one comparison says it."""
    chosen = sorted({v.strip().upper() for v in condition.values or []} & set(_ORDER), key=_ORDER.index)
    if condition.op == "not_in":
        chosen = [p for p in _ORDER if p not in chosen]
    if not chosen:
        return None
    if len(chosen) == 1:
        return {"field": "priority", "operator": "is", "value": PRIORITIES[chosen[0]]}  # type: ignore[index]
    first, last = _ORDER.index(chosen[0]), _ORDER.index(chosen[-1])
    if last - first + 1 != len(chosen):
        return None
    if first == 0 and last < 3:
        return {"field": "priority", "operator": "greater_than", "value": PRIORITIES[_ORDER[last + 1]]}  # type: ignore[index]
    if last == 3 and first > 0:
        return {"field": "priority", "operator": "less_than", "value": PRIORITIES[_ORDER[first - 1]]}  # type: ignore[index]
    return None


def condition(cond: Condition, fields: Mapping[str, int], notes: list[str], where: str) -> dict[str, Any]:
    """One policy condition as a Zendesk trigger condition."""
    if cond.column == "priority" and cond.op in ("in", "not_in"):
        native = _priority_condition(cond)
        if native is not None:
            return native
    if cond.op in ("in", "not_in"):
        tags = " ".join(tag(cond.column, value) for value in cond.values or [])
        return {"field": "current_tags", "operator": "includes" if cond.op == "in" else "not_includes", "value": tags}
    if cond.op in ("is_true", "is_false"):
        return {"field": "current_tags", "operator": "includes" if cond.op == "is_true" else "not_includes", "value": tag(cond.column)}
    threshold = format_number(cond.threshold or 0.0)
    if cond.column in fields:
        return {"field": f"custom_fields_{fields[cond.column]}", "operator": _NUMERIC_OPERATORS[cond.op], "value": threshold}
    flag = tag(cond.column, _NUMERIC_WORDS[cond.op], threshold.replace("-", "minus").replace(".", "_"))
    notes.append(
        f"{where}: '{cond.describe()}' is matched by the tag '{flag}' (set it at intake), or map {cond.column} to a "
        f"Zendesk number field (--zendesk-field {cond.column}=FIELD_ID)."
    )
    return {"field": "current_tags", "operator": "includes", "value": flag}


def _notification(policy: EscalationPolicy, level: LevelPolicy, trigger: Trigger) -> tuple[str, str]:
    subject = f"[L{level.level} {level.effective_severity}] {{{{ticket.title}}}} — {trigger.name}"
    targets = level.targets
    lines = [
        f"Ticket {{{{ticket.id}}}} is now a Level {level.level} escalation ({level.name}): {trigger.name}.",
        f"Acknowledge within {format_number(targets.ack_minutes)} min.",
    ]
    if targets.update_minutes:
        lines.append(f"Update the customer every {format_number(targets.update_minutes)} min.")
    if level.roles:
        lines.append("Engage: " + ", ".join(level.roles) + ".")
    room = policy.war_room
    if room is not None and level.level >= room.opens_at_level:
        channel = room.channel.replace("{ticket_id}", "{{ticket.id}}")
        lines.append(f"Open the war room {channel}" + (f" ({room.bridge})." if room.bridge else "."))
    lines.append("{{ticket.link}}")
    return subject, "\n".join(lines)


def _trigger(policy: EscalationPolicy, level: LevelPolicy, trigger: Trigger, title: str, fields: Mapping[str, int], notes: list[str]) -> Resource:
    prefix = policy.naming.tag_prefix
    matched = [condition(c, fields, notes, f"L{level.level} '{trigger.name}'") for c in trigger.conditions]
    guard = {"field": "current_tags", "operator": "not_includes", "value": level_tag(prefix, level.level)}
    conditions = {"all": [guard, *matched], "any": []} if trigger.match == "all" else {"all": [guard], "any": matched}
    actions: list[dict[str, Any]] = [
        {"field": "priority", "value": PRIORITIES[level.effective_severity]},
        {"field": "current_tags", "value": f"{level_tag(prefix, level.level)} {tag(prefix, 'escalated')}"},
    ]
    if level.routing:
        group = reference("group", level.routing)
        subject, body = _notification(policy, level, trigger)
        actions += [{"field": "group_id", "value": group}, {"field": "notification_group", "value": [group, subject, body]}]
    description = f"Level {level.level} ({level.name}) when: {trigger.describe()}. Published from '{policy.title}'."
    fields_ = {
        "title": title, "active": True, "description": description[:500], "conditions": conditions, "actions": actions,
        "category_id": reference("trigger_category", managed_name(prefix, CATEGORY)),
    }
    return Resource(kind="trigger", name=title, body={"trigger": fields_}, level=level.level)


def _sla_policy(policy: EscalationPolicy, level: LevelPolicy) -> Resource:
    prefix = policy.naming.tag_prefix
    name = managed_name(prefix, f"L{level.level} {level.name}")
    targets = level.targets.model_dump()
    metrics = [
        {"priority": PRIORITIES[level.effective_severity], "metric": metric, "target": math.ceil(targets[key]), "business_hours": False}
        for key, metric in SLA_METRICS.items()
        if targets.get(key)
    ]
    fields_ = {
        "title": name,
        "description": f"Level {level.level} response targets (minutes, calendar hours). Published from '{policy.title}'.",
        "filter": {"all": [{"field": "current_tags", "operator": "includes", "value": level_tag(prefix, level.level)}], "any": []},
        "policy_metrics": metrics,
    }
    return Resource(kind="sla_policy", name=name, body={"sla_policy": fields_}, level=level.level)


def zendesk_bundle(policy: EscalationPolicy, fields: Mapping[str, int] | None = None) -> Bundle:
    """The trigger category, one trigger per policy trigger and one SLA policy per level."""
    prefix = policy.naming.tag_prefix
    notes: list[str] = []
    category = managed_name(prefix, CATEGORY)
    resources = [Resource(kind="trigger_category", name=category, body={"trigger_category": {"name": category}})]
    titles: set[str] = set()
    for level in policy.levels:
        for trigger in level.triggers:
            title = managed_name(prefix, f"L{level.level} {trigger.name}")[:250]
            while title in titles:
                title += "'"
            titles.add(title)
            resources.append(_trigger(policy, level, trigger, title, fields or {}, notes))
    resources += [_sla_policy(policy, level) for level in policy.levels]
    return Bundle(target="zendesk", prefix=prefix, resources=resources, notes=list(dict.fromkeys(notes)))
