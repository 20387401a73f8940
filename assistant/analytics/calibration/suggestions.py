"""Suggested changes that bring the bands into range: a threshold change, a trigger moved down, or advice.

Level 3+ is fixed first because it also moves the overall rate. Each threshold change is the
smallest that works (:mod:`assistant.analytics.calibration.solver`); where text conditions drive a
band, a trigger is moved down a level — never a "stop-the-line" one — or a person is told which
trigger to make stricter. :func:`apply_suggestions` writes the accepted ones into the policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.analytics.calibration.bands import BAND_LABELS, BANDS, band_text
from assistant.analytics.calibration.counting import count_levels, escalation_rates, level_counts
from assistant.analytics.calibration.models import CalibrationReport, Suggestion
from assistant.analytics.calibration.solver import band_rate, cheapest_threshold, with_thresholds
from assistant.analytics.calibration.sql import Key, Scored
from assistant.analytics.policy.model import Condition, EscalationPolicy, format_number
from assistant.analytics.tickets.table import TicketTable


def suggest_thresholds(table: TicketTable, policy: EscalationPolicy, report: CalibrationReport | None = None) -> list[Suggestion]:
    """Threshold changes that bring each band's share into range, Level 3+ first (it also moves the overall rate).

    For a band out of range, each numeric condition of the levels that make up the band is solved
    for the band's midpoint; the smallest relative change that lands inside the band is chosen and
    checked by a re-count. When no threshold can do it (the band is driven by text conditions such
    as a category), an advice names the trigger that contributes most.
    """
    report = report or count_levels(table, policy)
    suggestions: list[Suggestion] = []
    current = policy
    changes: dict[Key, float] = {}
    for band, minimum, levels_allowed in (("level3plus", 3, (3, 4)), ("overall", 1, (1, 2))):
        low, high = BANDS[band]
        rate = band_rate(table, current, minimum)
        if low <= rate <= high:
            continue
        # aim a quarter of the band inside the edge that was crossed: a small, defensible move
        target = high - (high - low) / 4 if rate > high else low + (high - low) / 4
        best = cheapest_threshold(table, current, changes, band, minimum, levels_allowed, target)
        if best is not None:
            _, key, value, new_rate = best
            level, ti, ci = key
            condition = current.level(level).triggers[ti].conditions[ci]  # type: ignore[union-attr]
            changes[key] = value
            current = with_thresholds(current, changes)
            trigger = current.level(level).triggers[ti].name  # type: ignore[union-attr]
            suggestions.append(_threshold_suggestion(band, trigger, key, condition, value, rate, new_rate))
        else:
            move = _move(table, current, band, minimum, rate) if rate > high and minimum > 1 else None
            if move is not None:
                suggestions.append(move)
                current = apply_suggestions(current, [move])
                changes = {}
            else:
                suggestions.append(_advice(table, current, band, minimum, rate, levels_allowed))
    if suggestions:
        escalation, major = escalation_rates(level_counts(table, current)[0], table.rows)
        for suggestion in suggestions:
            if suggestion.kind in ("threshold", "move"):
                suggestion.expected_escalation_rate = escalation
                suggestion.expected_level3plus_rate = major
    return suggestions


def _threshold_suggestion(
    band: str, trigger: str, key: Key, condition: Condition, value: float, rate: float, new_rate: float
) -> Suggestion:
    """A threshold change with the reason a person reads: where the band is, what moves, where it lands."""
    low, high = BANDS[band]
    level, ti, ci = key
    direction = "tighten" if rate > high else "loosen"
    return Suggestion(
        kind="threshold",
        band=band,
        level=level,
        trigger=trigger,
        trigger_index=ti,
        condition_index=ci,
        column=condition.column,
        op=condition.op,
        current=condition.threshold,
        suggested=value,
        reason=(
            f"{BAND_LABELS[band]} is {rate:.2%}, {'above' if rate > high else 'below'} the {band_text(low, high)} band; "
            f"{direction} {condition.column} {condition.op} {format_number(condition.threshold or 0.0)} to "
            f"{format_number(value)} to bring it to {new_rate:.2%}."
        ),
    )


#: seed 004's "stop-the-line" criteria: never suggested for demotion, whatever the rates say
_STOP_THE_LINE = re.compile(r"secur|safety|data (?:loss|integrity)|breach|outage", re.IGNORECASE)


def stops_the_line(trigger_name: str) -> bool:
    """Is this a security, safety, data-loss or outage trigger, whose level is never lowered?"""
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
            f"{BAND_LABELS[band]} is {rate:.2%}, above the {band_text(low, high)} band, and its triggers are text conditions "
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
            f"{BAND_LABELS[band]} is {rate:.2%}, above the {band_text(low, high)} band, and no single threshold change brings it "
            f"inside. Level {level} trigger {trigger.name!r} ({trigger.describe()}) alone catches {share:.2%} of tickets: "
            "add a measurable condition to it (e.g. a priority or ARR floor)"
            + (" — it is a stop-the-line trigger, so keep its level." if stops_the_line(trigger.name) else " or move it down a level.")
        )
    else:
        reason = (
            f"{BAND_LABELS[band]} is {rate:.2%}, below the {band_text(low, high)} band. Check that the file maps the columns the "
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
    result = with_thresholds(policy, changes) if changes else policy  # type: ignore[arg-type]
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
