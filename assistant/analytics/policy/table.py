"""The policy as the app's editable grid: one row per condition and one per level, and back.

A grid is what a person can edit in a browser without learning YAML; errors therefore point at
grid rows, not at model paths.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from assistant.analytics.policy.errors import PolicyError, field_path
from assistant.analytics.policy.model import LIST_OPS, NUMERIC_OPS, EscalationPolicy


CONDITION_ROW_KEYS = ("level", "trigger", "trigger_match", "column", "op", "value")
TARGET_ROW_KEYS = ("level", "name", "match", "ack_minutes", "update_minutes", "resolution_minutes")


def policy_to_rows(policy: EscalationPolicy) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(one row per condition, one row per level) for an editable grid."""
    conditions = [
        {"level": lv.level, "trigger": t.name, "trigger_match": t.match, "column": c.column, "op": c.op, "value": c.value_text()}
        for lv in policy.levels
        for t in lv.triggers
        for c in t.conditions
    ]
    targets = [
        {
            "level": lv.level,
            "name": lv.name,
            "match": lv.match,
            "ack_minutes": lv.targets.ack_minutes,
            "update_minutes": lv.targets.update_minutes,
            "resolution_minutes": lv.targets.resolution_minutes,
        }
        for lv in policy.levels
    ]
    return conditions, targets


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def _condition_from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    op = str(row.get("op") or "").strip()
    value = row.get("value")
    data: dict[str, Any] = {"column": str(row.get("column") or "").strip(), "op": op}
    if op in NUMERIC_OPS:
        text = "" if _blank(value) else str(value).replace(",", "").replace("$", "").strip()
        try:
            data["threshold"] = float(text)
        except ValueError:
            raise ValueError(f"value {value!r} is not a number") from None
    elif op in LIST_OPS:
        data["values"] = [] if _blank(value) else [v.strip() for v in str(value).split(",") if v.strip()]
    return data


#: what a level keeps from the policy it was edited from: the grid shows only triggers and targets
_LEVEL_EXTRAS = ("criteria", "severity", "routing", "roles")


def policy_from_rows(
    conditions: Sequence[Mapping[str, Any]], targets: Sequence[Mapping[str, Any]], *, base: EscalationPolicy | None = None
) -> EscalationPolicy:
    """The grid back into a policy; rows of the same level and trigger name form one trigger.

    What the grid does not show (the title, roles, routing, war room, naming) is kept from
    ``base``, the policy the grid was made from. Errors name the grid row (1-based) and what to fix.
    """
    by_level: dict[int, dict[str, Any]] = {}
    for number, row in enumerate(targets, 1):
        if all(_blank(row.get(k)) for k in TARGET_ROW_KEYS):
            continue
        try:
            level = int(float(row.get("level")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise PolicyError(f"Levels table row {number}: 'level' must be 1, 2, 3 or 4.") from None
        by_level[level] = {
            "level": level,
            "name": "" if _blank(row.get("name")) else str(row["name"]),
            "match": "any" if _blank(row.get("match")) else str(row["match"]).strip(),
            "targets": {k: None if _blank(row.get(k)) else row.get(k) for k in ("ack_minutes", "update_minutes", "resolution_minutes")},
            "triggers": {},
        }
    for number, row in enumerate(conditions, 1):
        if all(_blank(row.get(k)) for k in CONDITION_ROW_KEYS):
            continue
        try:
            level = int(float(row.get("level")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise PolicyError(f"Conditions table row {number}: 'level' must be 1, 2, 3 or 4.") from None
        if level not in by_level:
            raise PolicyError(f"Conditions table row {number}: level {level} has no row in the levels table; add it there first.")
        name = "" if _blank(row.get("trigger")) else str(row["trigger"]).strip()
        if not name:
            raise PolicyError(f"Conditions table row {number}: give the trigger a name (rows with the same name form one trigger).")
        try:
            condition = _condition_from_row(row)
        except ValueError as exc:
            raise PolicyError(f"Conditions table row {number}: {exc}.") from None
        trigger = by_level[level]["triggers"].setdefault(
            name, {"name": name, "match": "all" if _blank(row.get("trigger_match")) else str(row["trigger_match"]).strip(), "conditions": [], "rows": []}
        )
        trigger["conditions"].append(condition)
        trigger["rows"].append(number)
    levels = []
    for level in by_level.values():
        triggers = list(level["triggers"].values())
        if not triggers:
            raise PolicyError(f"Level {level['level']} has no conditions; add at least one row for it in the conditions table, or delete the level.")
        before = base.level(level["level"]) if base is not None else None
        extras = before.model_dump(include=set(_LEVEL_EXTRAS)) if before is not None else {}
        levels.append({**level, **extras, "triggers": [{k: v for k, v in t.items() if k != "rows"} for t in triggers]})
    kept = base.model_dump(include={"title", "roles", "war_room", "naming"}) if base is not None else {}
    try:
        return EscalationPolicy.model_validate({**kept, "source": "edited", "levels": levels})
    except ValidationError as exc:
        raise PolicyError(_describe_rows(exc, levels)) from None


def _describe_rows(error: ValidationError, levels: list[dict[str, Any]]) -> str:
    """Validation errors pointed at grid rows instead of model paths where possible."""
    messages = []
    for err in error.errors():
        loc = list(err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if len(loc) >= 6 and loc[0] == "levels" and loc[2] == "triggers" and loc[4] == "conditions":
            level = levels[int(loc[1])]
            trigger = level["triggers"][int(loc[3])]
            messages.append(f"Level {level['level']} trigger {trigger['name']!r}, condition {int(loc[5]) + 1}: {message}")
        elif len(loc) >= 3 and loc[0] == "levels" and loc[2] == "targets":
            messages.append(f"Levels table, level {levels[int(loc[1])]['level']}: {field_path(loc[3:]) if loc[3:] else 'targets'}: {message}")
        elif len(loc) >= 2 and loc[0] == "levels":
            messages.append(f"Level {levels[int(loc[1])]['level']}: {field_path(loc[2:]) or 'level'}: {message}")
        else:
            messages.append(f"{field_path(loc)}: {message}")
    return "; ".join(messages)
