"""The threshold solver: the value of one condition's threshold that puts a band's share where it should be.

Instead of searching, the threshold is read off the sorted values of the tickets it decides (a
quantile), and a person-friendly rounding of it is checked by a re-count.
"""

from __future__ import annotations

import math

from assistant.analytics.calibration.bands import BANDS
from assistant.analytics.calibration.sql import Key, Scored
from assistant.analytics.policy.model import EscalationPolicy
from assistant.analytics.tickets.table import TicketTable

_INTEGER_COLUMNS = {"reopen_count"}


def nice_threshold(value: float, column: str, digits: int = 2) -> float:
    """Round a suggested threshold the way a person would write it (``digits`` significant digits, integers for counts)."""
    if column in _INTEGER_COLUMNS:
        return float(round(value))
    if value == 0:
        return 0.0
    magnitude = math.floor(math.log10(abs(value)))
    step = 10.0 ** (magnitude - digits + 1)
    return float(round(round(value / step) * step, max(0, digits - 1 - magnitude)))


def with_thresholds(policy: EscalationPolicy, changes: dict[Key, float], source: str = "calibrated") -> EscalationPolicy:
    """A copy of the policy with some thresholds changed (the original stays as the person wrote it)."""
    data = policy.model_dump()
    for (level, ti, ci), value in changes.items():
        for lv in data["levels"]:
            if lv["level"] == level:
                lv["triggers"][ti]["conditions"][ci]["threshold"] = value
    data["source"] = source
    return EscalationPolicy.model_validate(data)


def band_rate(table: TicketTable, policy: EscalationPolicy, minimum: int) -> float:
    """Share of tickets at ``minimum`` or higher: the re-count that checks every candidate."""
    sql = Scored(table, policy)
    return table.one(f"SELECT count(*) FILTER (WHERE {sql.band(minimum)}) FROM {sql.source}")[0] / table.rows


def solve_threshold(table: TicketTable, policy: EscalationPolicy, key: Key, minimum: int, target: float) -> float | None:
    """The threshold for ``key`` that puts the band's share nearest ``target``, read off the sorted values.

    A ticket's band membership depends on this threshold only when no other trigger of the band
    already holds and the trigger's other conditions hold; among those tickets the threshold is the
    value of the right rank (a quantile), so one ordered query finds it.
    """
    level, ti, ci = key
    lv = policy.level(level)
    assert lv is not None
    trigger = lv.triggers[ti]
    condition = trigger.conditions[ci]
    if lv.match != "any" or trigger.match != "all" or any(l.match != "any" for l in policy.levels if l.level >= minimum):
        return None
    sql = Scored(table, policy)
    rest = [sql.trigger(l.level, i, t) for l in policy.levels if l.level >= minimum for i, t in enumerate(l.triggers) if (l.level, i) != (level, ti)]
    others = [sql.condition(c) for i, c in enumerate(trigger.conditions) if i != ci]
    rest_sql = " OR ".join(rest) if rest else "false"
    others_sql = " AND ".join(others) if others else "true"
    fixed, pool = table.one(
        f"SELECT count(*) FILTER (WHERE {rest_sql}), count(*) FILTER (WHERE NOT ({rest_sql}) AND {others_sql} AND {condition.column} IS NOT NULL) FROM {sql.source}"
    )
    wanted = round(target * table.rows) - fixed
    if pool == 0 or wanted < 0 or wanted > pool:
        return None
    # the k-th smallest value (0-based) that leaves exactly `wanted` tickets on the escalating side
    offset = {">": pool - wanted - 1, ">=": pool - wanted, "<": wanted, "<=": wanted - 1}.get(condition.op)
    if offset is None:
        return None
    where = f"NOT ({rest_sql}) AND {others_sql} AND {condition.column} IS NOT NULL"
    if offset < 0 or offset >= pool:
        # every (or no) ticket of the pool must count: step just past the extreme value
        low, high = table.one(f"SELECT min({condition.column}), max({condition.column}) FROM {sql.source} WHERE {where}")
        step = max(abs(low or 0.0), abs(high or 0.0), 1.0) * 0.01
        return float(low - step) if offset < 0 else float(high + step)
    value = table.one(
        f"SELECT {condition.column} FROM {sql.source} WHERE {where} ORDER BY {condition.column} LIMIT 1 OFFSET {int(offset)}"
    )[0]
    return None if value is None else float(value)


def cheapest_threshold(
    table: TicketTable,
    policy: EscalationPolicy,
    changes: dict[Key, float],
    band: str,
    minimum: int,
    levels_allowed: tuple[int, ...],
    target: float,
) -> tuple[float, Key, float, float] | None:
    """(relative change, key, threshold, band share) of the smallest single threshold change that lands the band inside.

    Each numeric condition of ``levels_allowed`` is solved for ``target``, then rounded to 2, 3 or 4
    significant digits: the first rounding whose re-count lies inside the band is that condition's offer.
    """
    low, high = BANDS[band]
    best: tuple[float, Key, float, float] | None = None
    for level, ti, ci, condition in policy.numeric_conditions():
        if level not in levels_allowed or not table.has(condition.column):
            continue
        raw = solve_threshold(table, policy, (level, ti, ci), minimum, target)
        if raw is None:
            continue
        for digits in (2, 3, 4):
            value = nice_threshold(raw, condition.column, digits)
            if value == condition.threshold:
                continue
            trial = with_thresholds(policy, {**changes, (level, ti, ci): value})
            new_rate = band_rate(table, trial, minimum)
            if low <= new_rate <= high:
                cost = abs(value - (condition.threshold or 0.0)) / max(abs(condition.threshold or 0.0), 1e-9)
                if best is None or cost < best[0]:
                    best = (cost, (level, ti, ci), value, new_rate)
                break
    return best
