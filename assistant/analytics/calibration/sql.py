"""A policy as SQL on the canonical ``tickets`` table: each condition, trigger and level a NULL-safe predicate.

The ticket level is ``CASE WHEN <level 4> THEN 4 ... ELSE 0 END``, so a file of millions of rows
is counted by DuckDB in one pass; :class:`Scored` precomputes the costly text tests once for the
many questions calibration asks of the same tickets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from assistant.analytics.policy.model import Condition, EscalationPolicy, LevelPolicy, Trigger
from assistant.analytics.tickets.fields import NUMERIC_COLUMNS
from assistant.analytics.tickets.table import TicketTable

Key = tuple[int, int, int]  # (level, trigger index, condition index)
#: condition text (``Condition.describe()``) -> column of precomputed truth values
Alias = Mapping[str, str]


def sql_number(value: float) -> str:
    """A threshold as a SQL literal (finite numbers only: ``repr`` of NaN or infinity is not SQL)."""
    if not math.isfinite(value):
        raise ValueError("thresholds must be finite numbers")
    return repr(float(value))


def _text(value: str) -> str:
    """A condition value as a SQL literal, compared trimmed and in lower case like the ticket text."""
    return "'" + value.strip().lower().replace("'", "''") + "'"


def condition_sql(condition: Condition, threshold: float | None = None, alias: Alias | None = None) -> str:
    """A NULL-safe SQL predicate on the canonical ``tickets`` table (columns are whitelisted by the model).

    With ``alias``, a text or yes/no condition reads its precomputed truth column instead.
    """
    column = condition.column
    if condition.op in (">", ">=", "<", "<=", "==", "!="):
        op = {"==": "=", "!=": "<>"}.get(condition.op, condition.op)
        value = condition.threshold if threshold is None else threshold
        return f"COALESCE({column} {op} {sql_number(value or 0.0)}, false)"
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
