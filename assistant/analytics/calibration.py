"""Calibrate a policy's triggers on ticket history (seed 004, refinement 1).

"Test [the criteria] on 60–90 days of historical tickets. Count how many would qualify for each
escalation level ... refine triggers so that only ~5–10% of tickets become escalations, and only
~0.5–2% become Level 3 incidents." This module does exactly that, in SQL on the DuckDB ``tickets``
table of :mod:`assistant.tickets`, so a file of millions of rows is counted in a second or two:

- per level, the tickets whose *highest* matching level it is, and the overall escalation rate;
- each rate against its target band, with a verdict;
- for each numeric condition, how many tickets change level if its threshold moves ±10% / ±25%;
- threshold changes that move the rates into their bands, found from quantiles of the values that
  decide the band (so one query finds the threshold instead of a search);
- :func:`apply_suggestions` and a Markdown "## Calibration" appendix for the playbook draft.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel

from assistant.analytics.policy.model import Condition, EscalationPolicy, LevelPolicy, Trigger, format_number
from assistant.analytics.tickets.fields import NUMERIC_COLUMNS
from assistant.analytics.tickets.table import TicketTable

Verdict = Literal["below", "within", "above"]

#: seed 004, refinement 1: share of all tickets
BANDS: dict[str, tuple[float, float]] = {"overall": (0.05, 0.10), "level3plus": (0.005, 0.02)}
BAND_LABELS = {"overall": "Escalated overall (Level 1 and above)", "level3plus": "Level 3 and above"}
#: the band each level's cumulative share (this level or higher) must meet; levels 2 and 4 get the bounds
#: the seed's two bands imply (L2+ lies between the L3+ floor and the overall ceiling; L4+ under the L3+ ceiling)
LEVEL_BANDS: dict[int, tuple[str, float, float]] = {
    1: ("overall", 0.05, 0.10),
    2: ("implied", 0.005, 0.10),
    3: ("level3plus", 0.005, 0.02),
    4: ("implied", 0.0, 0.02),
}
SENSITIVITY_STEPS = (-0.25, -0.10, 0.10, 0.25)
_INTEGER_COLUMNS = {"reopen_count"}


# --- report models -------------------------------------------------------------------------------


class TargetBand(BaseModel):
    band: str
    low: float
    high: float
    #: what is compared with the band: the share at this level or higher
    measure: Literal["cumulative_rate"] = "cumulative_rate"


class LevelResult(BaseModel):
    level: int
    name: str
    #: tickets whose highest matching level is this one
    count: int
    rate: float
    #: tickets at this level or higher
    cumulative_count: int
    cumulative_rate: float
    target_band: TargetBand
    verdict: Verdict
    #: tickets the history itself escalated to this level (when the file says)
    history_count: int | None = None


class BandResult(BaseModel):
    id: str
    label: str
    low: float
    high: float
    count: int
    rate: float
    verdict: Verdict


class Flip(BaseModel):
    change: float
    threshold: float
    #: tickets whose level changes (up or down) if only this threshold moves
    flipped: int
    escalation_rate: float
    level3plus_rate: float


class Sensitivity(BaseModel):
    level: int
    trigger: str
    trigger_index: int
    condition_index: int
    column: str
    op: str
    threshold: float
    flips: list[Flip]


class Suggestion(BaseModel):
    #: threshold: change one condition's threshold; move: move one trigger to ``to_level``; advice: for a person
    kind: Literal["threshold", "move", "advice"]
    band: str
    level: int
    trigger: str
    trigger_index: int | None = None
    condition_index: int | None = None
    column: str | None = None
    op: str | None = None
    current: float | None = None
    suggested: float | None = None
    to_level: int | None = None
    reason: str
    #: band rates once this and the earlier suggestions are applied (checked by a re-count)
    expected_escalation_rate: float | None = None
    expected_level3plus_rate: float | None = None


class CalibrationReport(BaseModel):
    tickets: int
    escalated: int
    escalation_rate: float
    level3plus_rate: float
    levels: list[LevelResult]
    bands: list[BandResult]
    sensitivity: list[Sensitivity] = []
    suggestions: list[Suggestion] = []
    warnings: list[str] = []
    #: the file's own escalation rate and how often the policy agrees with the level it records
    history_escalation_rate: float | None = None
    agreement: float | None = None
    source: str = ""
    period: str = ""
    elapsed_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(b.verdict == "within" for b in self.bands)

    def contract(self) -> dict[str, object]:
        """The JSON printed by ``playbook calibrate --format json``."""
        return self.model_dump(mode="json")


# --- SQL from a policy ---------------------------------------------------------------------------

Key = tuple[int, int, int]  # (level, trigger index, condition index)
#: condition text (``Condition.describe()``) -> column of precomputed truth values
Alias = Mapping[str, str]


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError("thresholds must be finite numbers")
    return repr(float(value))


def _text(value: str) -> str:
    return "'" + value.strip().lower().replace("'", "''") + "'"


def condition_sql(condition: Condition, threshold: float | None = None, alias: Alias | None = None) -> str:
    """A NULL-safe SQL predicate on the canonical ``tickets`` table (columns are whitelisted by the model).

    With ``alias``, a text or yes/no condition reads its precomputed truth column instead.
    """
    column = condition.column
    if condition.op in (">", ">=", "<", "<=", "==", "!="):
        op = {"==": "=", "!=": "<>"}.get(condition.op, condition.op)
        value = condition.threshold if threshold is None else threshold
        return f"COALESCE({column} {op} {_number(value or 0.0)}, false)"
    if alias is not None and condition.describe() in alias:
        return alias[condition.describe()]
    if condition.op in ("in", "not_in"):
        values = ", ".join(_text(v) for v in condition.values or [] if v.strip())
        negate = "NOT " if condition.op == "not_in" else ""
        return f"COALESCE(lower(trim({column})) {negate}IN ({values}), false)"
    return f"COALESCE({column} = {'true' if condition.op == 'is_true' else 'false'}, false)"


def trigger_sql(level: int, index: int, trigger: Trigger, overrides: dict[Key, float] | None = None, alias: Alias | None = None) -> str:
    parts = [condition_sql(c, (overrides or {}).get((level, index, ci)), alias) for ci, c in enumerate(trigger.conditions)]
    return "(" + (" AND " if trigger.match == "all" else " OR ").join(parts) + ")"


def level_sql(level: LevelPolicy, overrides: dict[Key, float] | None = None, alias: Alias | None = None) -> str:
    parts = [trigger_sql(level.level, ti, t, overrides, alias) for ti, t in enumerate(level.triggers)]
    return "(" + (" OR " if level.match == "any" else " AND ").join(parts) + ")"


def assigned_level_sql(policy: EscalationPolicy, overrides: dict[Key, float] | None = None, alias: Alias | None = None) -> str:
    """``CASE WHEN <level 4> THEN 4 WHEN <level 3> THEN 3 ... ELSE 0 END``: the highest level that matches."""
    whens = " ".join(
        f"WHEN {level_sql(lv, overrides, alias)} THEN {lv.level}" for lv in sorted(policy.levels, key=lambda lv: -lv.level)
    )
    return f"CASE {whens} ELSE 0 END"


def band_sql(policy: EscalationPolicy, minimum: int, overrides: dict[Key, float] | None = None, alias: Alias | None = None) -> str:
    """True when a ticket reaches ``minimum`` or higher."""
    parts = [level_sql(lv, overrides, alias) for lv in policy.levels if lv.level >= minimum]
    return "(" + " OR ".join(parts) + ")" if parts else "false"


class Scored:
    """A policy's SQL over a narrow table where each text/yes-no condition is computed once.

    Calibration asks dozens of questions of the same tickets (counts, each threshold moved, each
    candidate threshold checked); text tests such as ``lower(category) IN (...)`` are the costly
    part, so they are evaluated once into boolean columns and every later query reads those.
    """

    def __init__(self, table: TicketTable, policy: EscalationPolicy) -> None:
        self.table = table
        self.policy = policy
        needed = {c.describe(): c for lv in policy.levels for t in lv.triggers for c in t.conditions if not c.numeric}
        for name, alias in table.scored.items():
            if set(needed) <= set(alias):
                self.source, self.alias = name, alias
                return
        self.source = f"scored_{len(table.scored)}"
        self.alias = {text: f"c{i}" for i, text in enumerate(needed)}
        flags = "".join(f", {condition_sql(c)} AS {self.alias[text]}" for text, c in needed.items())
        numeric = ", ".join(sorted(NUMERIC_COLUMNS))
        table.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self.source} AS SELECT ticket_id, created_at, escalation_level, {numeric}{flags} FROM tickets"
        )
        table.scored[self.source] = self.alias

    def condition(self, condition: Condition, threshold: float | None = None) -> str:
        return condition_sql(condition, threshold, self.alias)

    def trigger(self, level: int, index: int, trigger: Trigger, overrides: dict[Key, float] | None = None) -> str:
        return trigger_sql(level, index, trigger, overrides, self.alias)

    def assigned(self, overrides: dict[Key, float] | None = None) -> str:
        return assigned_level_sql(self.policy, overrides, self.alias)

    def band(self, minimum: int) -> str:
        return band_sql(self.policy, minimum, None, self.alias)


# --- counting --------------------------------------------------------------------------------------


def _verdict(rate: float, low: float, high: float) -> Verdict:
    return "below" if rate < low else "above" if rate > high else "within"


def _counts(table: TicketTable, policy: EscalationPolicy) -> tuple[dict[int, int], dict[int, int] | None, float | None]:
    """(policy level -> tickets, history level -> tickets or None, share where they agree or None)."""
    sql = Scored(table, policy)
    assigned = sql.assigned()
    if table.has("escalation_level") or table.has("escalated"):
        rows = table.query(
            f"SELECT lvl, hist, count(*) FROM (SELECT {assigned} AS lvl, escalation_level AS hist FROM {sql.source}) GROUP BY ALL"
        )
        policy_counts: dict[int, int] = {}
        history: dict[int, int] = {}
        agree = 0
        known = 0
        for lvl, hist, count in rows:
            policy_counts[lvl] = policy_counts.get(lvl, 0) + count
            if hist is not None:
                history[hist] = history.get(hist, 0) + count
                known += count
                agree += count if hist == lvl else 0
        return policy_counts, history, (agree / known if known else None)
    rows = table.query(f"SELECT lvl, count(*) FROM (SELECT {assigned} AS lvl FROM {sql.source}) GROUP BY lvl")
    return {lvl: count for lvl, count in rows}, None, None


def _rates(counts: dict[int, int], total: int) -> tuple[float, float]:
    escalated = sum(c for lvl, c in counts.items() if lvl >= 1)
    major = sum(c for lvl, c in counts.items() if lvl >= 3)
    return escalated / total, major / total


def _warnings(table: TicketTable, policy: EscalationPolicy) -> list[str]:
    notes = []
    for lv in policy.levels:
        for trigger in lv.triggers:
            for condition in trigger.conditions:
                if not table.has(condition.column):
                    notes.append(
                        f"Level {lv.level} trigger {trigger.name!r} uses {condition.column}, which the ticket file has no "
                        f"column for: that condition counts as never true. Map a column to it to count this trigger."
                    )
    return notes


def calibrate(
    table: TicketTable,
    policy: EscalationPolicy,
    *,
    sensitivity: bool = True,
    suggest: bool = True,
) -> CalibrationReport:
    """Count the policy on the tickets, compare with the bands, and (by default) probe and suggest."""
    started = time.perf_counter()
    total = table.rows
    counts, history, agreement = _counts(table, policy)
    escalation_rate, major_rate = _rates(counts, total)
    levels = []
    for lv in policy.levels:
        cumulative = sum(c for lvl, c in counts.items() if lvl >= lv.level)
        band_id, low, high = LEVEL_BANDS[lv.level]
        levels.append(
            LevelResult(
                level=lv.level,
                name=lv.name,
                count=counts.get(lv.level, 0),
                rate=counts.get(lv.level, 0) / total,
                cumulative_count=cumulative,
                cumulative_rate=cumulative / total,
                target_band=TargetBand(band=band_id, low=low, high=high),
                verdict=_verdict(cumulative / total, low, high),
                history_count=None if history is None else history.get(lv.level, 0),
            )
        )
    escalated = sum(c for lvl, c in counts.items() if lvl >= 1)
    major = sum(c for lvl, c in counts.items() if lvl >= 3)
    bands = [
        BandResult(id=band, label=BAND_LABELS[band], low=low, high=high, count=count, rate=count / total, verdict=_verdict(count / total, low, high))
        for band, (low, high), count in (("overall", BANDS["overall"], escalated), ("level3plus", BANDS["level3plus"], major))
    ]
    summary = table.summary
    period = ""
    if summary.first_created and summary.last_created:
        days = (summary.last_created - summary.first_created).days + 1
        period = f"{summary.first_created:%Y-%m-%d} to {summary.last_created:%Y-%m-%d}, {days} days"
    report = CalibrationReport(
        tickets=total,
        escalated=escalated,
        escalation_rate=escalation_rate,
        level3plus_rate=major_rate,
        levels=levels,
        bands=bands,
        warnings=_warnings(table, policy),
        history_escalation_rate=None if history is None else sum(c for lvl, c in history.items() if lvl >= 1) / total,
        agreement=agreement,
        source=summary.path,
        period=period,
    )
    if sensitivity:
        report.sensitivity = threshold_sensitivity(table, policy)
    if suggest:
        report.suggestions = suggest_thresholds(table, policy, report)
    report.elapsed_seconds = time.perf_counter() - started
    return report


# --- sensitivity -------------------------------------------------------------------------------------


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
            f"WHERE {condition.column} BETWEEN {_number(low)} AND {_number(high)})"
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
        f"WHERE {condition.column} BETWEEN {_number(low)} AND {_number(high)}) WHERE base <> moved ORDER BY created_at LIMIT {int(limit)}"
    )
    return [
        {"ticket_id": r[0], "created_at": r[1], condition.column: r[2], "from_level": r[3], "to_level": r[4]} for r in rows
    ]


# --- suggestions -------------------------------------------------------------------------------------


def _nice(value: float, column: str, digits: int = 2) -> float:
    """Round a suggested threshold the way a person would write it (``digits`` significant digits, integers for counts)."""
    if column in _INTEGER_COLUMNS:
        return float(round(value))
    if value == 0:
        return 0.0
    magnitude = math.floor(math.log10(abs(value)))
    step = 10.0 ** (magnitude - digits + 1)
    return float(round(round(value / step) * step, max(0, digits - 1 - magnitude)))


def _with_thresholds(policy: EscalationPolicy, changes: dict[Key, float], source: str = "calibrated") -> EscalationPolicy:
    data = policy.model_dump()
    for (level, ti, ci), value in changes.items():
        for lv in data["levels"]:
            if lv["level"] == level:
                lv["triggers"][ti]["conditions"][ci]["threshold"] = value
    data["source"] = source
    return EscalationPolicy.model_validate(data)


def _band_rate(table: TicketTable, policy: EscalationPolicy, minimum: int) -> float:
    sql = Scored(table, policy)
    return table.one(f"SELECT count(*) FILTER (WHERE {sql.band(minimum)}) FROM {sql.source}")[0] / table.rows


def _solve(table: TicketTable, policy: EscalationPolicy, key: Key, minimum: int, target: float) -> float | None:
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


def suggest_thresholds(table: TicketTable, policy: EscalationPolicy, report: CalibrationReport | None = None) -> list[Suggestion]:
    """Threshold changes that bring each band's share into range, Level 3+ first (it also moves the overall rate).

    For a band out of range, each numeric condition of the levels that make up the band is solved
    for the band's midpoint; the smallest relative change that lands inside the band is chosen and
    checked by a re-count. When no threshold can do it (the band is driven by text conditions such
    as a category), an advice names the trigger that contributes most.
    """
    report = report or calibrate(table, policy, sensitivity=False, suggest=False)
    suggestions: list[Suggestion] = []
    current = policy
    changes: dict[Key, float] = {}
    for band, minimum, levels_allowed in (("level3plus", 3, (3, 4)), ("overall", 1, (1, 2))):
        low, high = BANDS[band]
        rate = _band_rate(table, current, minimum)
        if low <= rate <= high:
            continue
        # aim a quarter of the band inside the edge that was crossed: a small, defensible move
        target = high - (high - low) / 4 if rate > high else low + (high - low) / 4
        best: tuple[float, Key, float, float] | None = None
        for level, ti, ci, condition in current.numeric_conditions():
            if level not in levels_allowed or not table.has(condition.column):
                continue
            raw = _solve(table, current, (level, ti, ci), minimum, target)
            if raw is None:
                continue
            for digits in (2, 3, 4):
                value = _nice(raw, condition.column, digits)
                if value == condition.threshold:
                    continue
                trial = _with_thresholds(current, {**changes, (level, ti, ci): value})
                new_rate = _band_rate(table, trial, minimum)
                if low <= new_rate <= high:
                    cost = abs(value - (condition.threshold or 0.0)) / max(abs(condition.threshold or 0.0), 1e-9)
                    if best is None or cost < best[0]:
                        best = (cost, (level, ti, ci), value, new_rate)
                    break
        if best is not None:
            _, key, value, new_rate = best
            level, ti, ci = key
            condition = current.level(level).triggers[ti].conditions[ci]  # type: ignore[union-attr]
            changes[key] = value
            current = _with_thresholds(current, changes)
            direction = "tighten" if rate > high else "loosen"
            suggestions.append(
                Suggestion(
                    kind="threshold",
                    band=band,
                    level=level,
                    trigger=current.level(level).triggers[ti].name,  # type: ignore[union-attr]
                    trigger_index=ti,
                    condition_index=ci,
                    column=condition.column,
                    op=condition.op,
                    current=condition.threshold,
                    suggested=value,
                    reason=(
                        f"{BAND_LABELS[band]} is {rate:.2%}, {'above' if rate > high else 'below'} the {_band_text(low, high)} band; "
                        f"{direction} {condition.column} {condition.op} {format_number(condition.threshold or 0.0)} to "
                        f"{format_number(value)} to bring it to {new_rate:.2%}."
                    ),
                )
            )
        else:
            move = _move(table, current, band, minimum, rate) if rate > high and minimum > 1 else None
            if move is not None:
                suggestions.append(move)
                current = apply_suggestions(current, [move])
                changes = {}
            else:
                suggestions.append(_advice(table, current, band, minimum, rate, levels_allowed))
    if suggestions:
        escalation, major = _rates(_counts(table, current)[0], table.rows)
        for suggestion in suggestions:
            if suggestion.kind in ("threshold", "move"):
                suggestion.expected_escalation_rate = escalation
                suggestion.expected_level3plus_rate = major
    return suggestions


#: seed 004's "stop-the-line" criteria: never suggested for demotion, whatever the rates say
_STOP_THE_LINE = re.compile(r"secur|safety|data (?:loss|integrity)|breach|outage", re.IGNORECASE)


def stops_the_line(trigger_name: str) -> bool:
    return bool(_STOP_THE_LINE.search(trigger_name))


def _move(table: TicketTable, policy: EscalationPolicy, band: str, minimum: int, rate: float) -> Suggestion | None:
    """When text conditions (a category, a priority) push a band over, move the smallest trigger that fixes it down a level."""
    low, high = BANDS[band]
    candidates = [(lv.level, i, t) for lv in policy.levels if lv.level >= minimum for i, t in enumerate(lv.triggers)]
    if len(candidates) < 2 or policy.level(minimum - 1) is None:
        return None
    sql = Scored(table, policy)
    rests = []
    for level, index, _ in candidates:
        others = [sql.trigger(l, i, t) for l, i, t in candidates if (l, i) != (level, index)]
        rests.append(f"count(*) FILTER (WHERE {' OR '.join(others)})")
    own = [f"count(*) FILTER (WHERE {sql.trigger(l, i, t)})" for l, i, t in candidates]
    row = table.one(f"SELECT {', '.join(rests + own)} FROM {sql.source}")
    options = []
    for n, (level, index, trigger) in enumerate(candidates):
        new_rate = row[n] / table.rows
        if low <= new_rate <= high and not stops_the_line(trigger.name):
            options.append((row[len(candidates) + n], level, index, trigger, new_rate))
    if not options:
        return None
    _, level, index, trigger, new_rate = min(options, key=lambda o: o[0])
    return Suggestion(
        kind="move",
        band=band,
        level=level,
        trigger=trigger.name,
        trigger_index=index,
        to_level=minimum - 1,
        reason=(
            f"{BAND_LABELS[band]} is {rate:.2%}, above the {_band_text(low, high)} band, and its triggers are text conditions "
            f"no threshold moves. Handling Level {level} trigger {trigger.name!r} ({trigger.describe()}) at Level {minimum - 1} "
            f"instead brings it to {new_rate:.2%}; or make that trigger stricter."
        ),
    )


def _advice(table: TicketTable, policy: EscalationPolicy, band: str, minimum: int, rate: float, levels: Iterable[int]) -> Suggestion:
    """No threshold fixes the band: name the trigger that catches the most tickets in it."""
    low, high = BANDS[band]
    candidates = [(lv.level, i, t) for lv in policy.levels if lv.level in tuple(levels) for i, t in enumerate(lv.triggers)]
    if not candidates:
        candidates = [(lv.level, i, t) for lv in policy.levels if lv.level >= minimum for i, t in enumerate(lv.triggers)]
    sql = Scored(table, policy)
    counts = table.one("SELECT " + ", ".join(f"count(*) FILTER (WHERE {sql.trigger(l, i, t)})" for l, i, t in candidates) + f" FROM {sql.source}") if candidates else ()
    ranked = sorted(zip(counts, candidates), key=lambda pair: -pair[0])
    above = rate > high
    if not ranked:
        return Suggestion(kind="advice", band=band, level=minimum, trigger="", reason=f"{BAND_LABELS[band]} is {rate:.2%}: add triggers for it.")
    count, (level, ti, trigger) = ranked[0] if above else ranked[-1]
    share = count / table.rows
    if above:
        reason = (
            f"{BAND_LABELS[band]} is {rate:.2%}, above the {_band_text(low, high)} band, and no single threshold change brings it "
            f"inside. Level {level} trigger {trigger.name!r} ({trigger.describe()}) alone catches {share:.2%} of tickets: "
            "add a measurable condition to it (e.g. a priority or ARR floor)"
            + (" — it is a stop-the-line trigger, so keep its level." if stops_the_line(trigger.name) else " or move it down a level.")
        )
    else:
        reason = (
            f"{BAND_LABELS[band]} is {rate:.2%}, below the {_band_text(low, high)} band. Check that the file maps the columns the "
            f"triggers use, or widen triggers such as Level {level} {trigger.name!r} ({trigger.describe()}, {share:.2%} of tickets)."
        )
    return Suggestion(kind="advice", band=band, level=level, trigger=trigger.name, trigger_index=ti, reason=reason)


def apply_suggestions(policy: EscalationPolicy, suggestions: Iterable[Suggestion]) -> EscalationPolicy:
    """The policy with every threshold change and trigger move applied (advice is left for a person)."""
    suggestions = list(suggestions)
    changes = {
        (s.level, s.trigger_index, s.condition_index): s.suggested
        for s in suggestions
        if s.kind == "threshold" and s.trigger_index is not None and s.condition_index is not None and s.suggested is not None
    }
    result = _with_thresholds(policy, changes) if changes else policy  # type: ignore[arg-type]
    moves = [s for s in suggestions if s.kind == "move" and s.trigger_index is not None and s.to_level is not None]
    if not moves:
        return result
    data = result.model_dump()
    levels = {lv["level"]: lv for lv in data["levels"]}
    moved = []
    for s in sorted(moves, key=lambda m: (m.level, -(m.trigger_index or 0))):
        source = levels.get(s.level)
        if source is None or s.to_level not in levels or s.trigger_index >= len(source["triggers"]):  # type: ignore[operator]
            continue
        if source["triggers"][s.trigger_index]["name"] != s.trigger or len(source["triggers"]) < 2:
            continue
        moved.append((s.to_level, source["triggers"].pop(s.trigger_index)))
    for to_level, trigger in moved:
        levels[to_level]["triggers"].append(trigger)
    data["source"] = "calibrated"
    return EscalationPolicy.model_validate(data)


# --- the playbook appendix ----------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{value:.1%}" if value >= 0.001 or value == 0 else f"{value:.2%}"


def _band_text(low: float, high: float) -> str:
    def fmt(v: float) -> str:
        return f"{v * 100:g}%"

    return f"{fmt(low)}–{fmt(high)}"


def _mark(verdict: str) -> str:
    return {"within": "✓ within", "above": "✗ above", "below": "✗ below"}[verdict]


def _minutes(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 60 and value % 60 == 0:
        hours = int(value // 60)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{format_number(value)} min"


def calibration_appendix(report: CalibrationReport, policy: EscalationPolicy) -> str:
    """A "## Calibration" appendix (Markdown) to append to the playbook draft."""
    lines = [
        "## Calibration",
        "",
        f"Triggers calibrated on {report.tickets:,} historical tickets"
        + (f" ({report.period})" if report.period else "")
        + ", against the target bands for a mature escalation practice: about 5–10% of tickets escalated and "
        "0.5–2% at Level 3 or above.",
        "",
        "| Measure | Share of tickets | Tickets | Target band | Verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    for band in report.bands:
        lines.append(f"| {band.label} | {_pct(band.rate)} | {band.count:,} | {_band_text(band.low, band.high)} | {_mark(band.verdict)} |")
    lines += ["", "### Volume per level", "", "| Level | Name | Tickets at this level | Share | This level or higher |", "| --- | --- | --- | --- | --- |"]
    for level in report.levels:
        lines.append(f"| Level {level.level} | {level.name} | {level.count:,} | {_pct(level.rate)} | {_pct(level.cumulative_rate)} |")
    lines += [
        "",
        "### Calibrated triggers and response targets",
        "",
        "A ticket is handled at the highest level whose triggers it meets.",
        "",
        "| Level | Trigger | Measurable condition | Time to acknowledge | Update cadence | Resolution target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for lv in policy.levels:
        for trigger in lv.triggers:
            lines.append(
                f"| Level {lv.level} | {trigger.name} | {trigger.describe()} | {_minutes(lv.targets.ack_minutes)} | "
                f"every {_minutes(lv.targets.update_minutes)} | {_minutes(lv.targets.resolution_minutes)} |"
            )
    thresholds = [s for s in report.suggestions if s.kind in ("threshold", "move")]
    advice = [s for s in report.suggestions if s.kind == "advice"]
    if thresholds or advice:
        lines += ["", "### Suggested changes", ""]
        lines += [f"- {s.reason}" for s in thresholds + advice]
    if report.sensitivity:
        lines += [
            "",
            "### Threshold sensitivity",
            "",
            "Tickets that would change level if one threshold moved (all else unchanged):",
            "",
            "| Level | Condition | −25% | −10% | +10% | +25% |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for item in report.sensitivity:
            cells = " | ".join(f"{f.flipped:,}" for f in item.flips)
            lines.append(f"| Level {item.level} | {item.column} {item.op} {format_number(item.threshold)} | {cells} |")
    if report.warnings:
        lines += ["", "### Data notes", ""] + [f"- {w}" for w in report.warnings]
    return "\n".join(lines).rstrip() + "\n"


_CALIBRATION_HEADING = re.compile(r"(?m)^##[ \t]+Calibration[ \t]*$")


def with_calibration_appendix(draft: str, appendix: str) -> str:
    """The draft with its "## Calibration" appendix replaced (or added at the end)."""
    match = _CALIBRATION_HEADING.search(draft)
    if match is None:
        return draft.rstrip() + "\n\n" + appendix
    following = re.compile(r"(?m)^#{1,2}[ \t]+\S").search(draft, match.end())
    end = following.start() if following else len(draft)
    tail = draft[end:]
    return draft[: match.start()] + appendix + ("\n" + tail if tail else "")
