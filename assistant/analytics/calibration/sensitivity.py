"""How fragile each threshold is: the tickets that change level if one numeric threshold moves.

A threshold that flips hundreds of tickets at ±10% deserves a careful look before it is written
into the playbook; :func:`flip_examples` names the tickets so a person can judge them.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.analytics.calibration.models import Flip, Sensitivity
from assistant.analytics.calibration.sql import Key, Scored, sql_number
from assistant.analytics.policy.model import EscalationPolicy
from assistant.analytics.tickets.table import TicketTable

SENSITIVITY_STEPS = (-0.25, -0.10, 0.10, 0.25)


def _moved(threshold: float, change: float) -> float:
    """``threshold`` moved by ``change`` of its size (a negative threshold moves away from zero the same way)."""
    return threshold + abs(threshold) * change


def threshold_sensitivity(table: TicketTable, policy: EscalationPolicy, steps: Sequence[float] = SENSITIVITY_STEPS) -> list[Sensitivity]:
    """For each numeric condition: tickets that change level when only its threshold moves by each step.

    Only tickets whose value lies between the old and the new thresholds can change, so each
    condition is one query over that slice of the table.
    """
    total = table.rows
    sql = Scored(table, policy)
    base = sql.assigned()
    base_escalated, base_major = table.one(
        f"SELECT count(*) FILTER (WHERE lvl >= 1), count(*) FILTER (WHERE lvl >= 3) FROM (SELECT {base} AS lvl FROM {sql.source})"
    )
    results = []
    for level, ti, ci, condition in policy.numeric_conditions():
        threshold = condition.threshold or 0.0
        trigger = policy.level(level).triggers[ti]  # type: ignore[union-attr]
        if threshold == 0 or not table.has(condition.column):
            continue
        moved = [_moved(threshold, step) for step in steps]
        low, high = min(moved + [threshold]), max(moved + [threshold])
        selects = []
        for value in moved:
            variant = sql.assigned({(level, ti, ci): value})
            selects.append(
                f"count(*) FILTER (WHERE ({variant}) <> base), "
                f"count(*) FILTER (WHERE ({variant}) >= 1) - count(*) FILTER (WHERE base >= 1), "
                f"count(*) FILTER (WHERE ({variant}) >= 3) - count(*) FILTER (WHERE base >= 3)"
            )
        row = table.one(
            f"SELECT {', '.join(selects)} FROM (SELECT *, {base} AS base FROM {sql.source} "
            f"WHERE {condition.column} BETWEEN {sql_number(low)} AND {sql_number(high)})"
        )
        flips = [
            Flip(
                change=step,
                threshold=round(value, 6),
                flipped=row[3 * i] or 0,
                escalation_rate=(base_escalated + (row[3 * i + 1] or 0)) / total,
                level3plus_rate=(base_major + (row[3 * i + 2] or 0)) / total,
            )
            for i, (step, value) in enumerate(zip(steps, moved))
        ]
        results.append(
            Sensitivity(level=level, trigger=trigger.name, trigger_index=ti, condition_index=ci, column=condition.column, op=condition.op, threshold=threshold, flips=flips)
        )
    return results


def flip_examples(table: TicketTable, policy: EscalationPolicy, key: Key, threshold: float, limit: int = 20) -> list[dict[str, object]]:
    """Tickets that change level if the condition at ``key`` used ``threshold``: id, value, from and to level."""
    level, ti, ci = key
    condition = policy.level(level).triggers[ti].conditions[ci]  # type: ignore[union-attr]
    sql = Scored(table, policy)
    base = sql.assigned()
    variant = sql.assigned({key: threshold})
    low, high = sorted((condition.threshold or 0.0, threshold))
    rows = table.query(
        f"SELECT ticket_id, created_at, {condition.column}, base, moved FROM (SELECT *, {base} AS base, {variant} AS moved FROM {sql.source} "
        f"WHERE {condition.column} BETWEEN {sql_number(low)} AND {sql_number(high)}) WHERE base <> moved ORDER BY created_at LIMIT {int(limit)}"
    )
    return [
        {"ticket_id": r[0], "created_at": r[1], condition.column: r[2], "from_level": r[3], "to_level": r[4]} for r in rows
    ]
