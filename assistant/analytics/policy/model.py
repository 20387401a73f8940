"""The escalation policy as a pydantic model: per level 1–4, measurable triggers and response targets.

Prose triggers ("billing dispute >$5K") cannot be counted against ticket history; an
:class:`EscalationPolicy` can. Its conditions name the ticket fields of
:mod:`assistant.analytics.tickets.fields`, and the validators reject an operator that does not fit
its field, so every policy that exists can be turned into SQL.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.analytics.tickets.fields import BOOLEAN_COLUMNS, CONDITION_COLUMNS, NUMERIC_COLUMNS, TEXT_COLUMNS


Operator = Literal[">", ">=", "<", "<=", "==", "!=", "in", "not_in", "is_true", "is_false"]
#: how urgent a level is, in the words ticketing and paging tools map to their own priorities
Severity = Literal["P1", "P2", "P3", "P4"]
#: a level's severity when the policy does not state one: the higher the level, the more urgent
DEFAULT_SEVERITY: dict[int, Severity] = {1: "P3", 2: "P2", 3: "P1", 4: "P1"}
NUMERIC_OPS: frozenset[str] = frozenset({">", ">=", "<", "<=", "==", "!="})
LIST_OPS: frozenset[str] = frozenset({"in", "not_in"})
FLAG_OPS: frozenset[str] = frozenset({"is_true", "is_false"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Condition(_Model):
    """One test on a ticket field: ``arr > 50000``, ``priority in [P1]``, ``churn_threat is_true``."""

    column: str = Field(description="a ticket field: " + ", ".join(sorted(CONDITION_COLUMNS)))
    op: Operator
    threshold: float | None = Field(default=None, description="for >, >=, <, <=, ==, != on numeric fields")
    values: list[str] | None = Field(default=None, description="for in / not_in on text fields (case-insensitive)")

    @field_validator("column")
    @classmethod
    def _known_column(cls, value: str) -> str:
        if value not in CONDITION_COLUMNS:
            raise ValueError(f"unknown column {value!r}; use one of: {', '.join(sorted(CONDITION_COLUMNS))}")
        return value

    @model_validator(mode="after")
    def _operands(self) -> Condition:
        if self.op in NUMERIC_OPS:
            if self.column not in NUMERIC_COLUMNS:
                raise ValueError(f"{self.op!r} compares numbers, but {self.column} is not numeric; use 'in' with values")
            if self.threshold is None or not math.isfinite(self.threshold):
                raise ValueError(f"{self.column} {self.op} needs a finite 'threshold'")
            if self.values:
                raise ValueError(f"{self.column} {self.op} takes a 'threshold', not 'values'")
        elif self.op in LIST_OPS:
            if self.column not in TEXT_COLUMNS:
                raise ValueError(f"{self.op!r} needs a text field; {self.column} is not one")
            if not self.values or not any(v.strip() for v in self.values):
                raise ValueError(f"{self.column} {self.op} needs a non-empty 'values' list")
            if self.threshold is not None:
                raise ValueError(f"{self.column} {self.op} takes 'values', not a 'threshold'")
        elif self.column not in BOOLEAN_COLUMNS:
            raise ValueError(f"{self.op!r} needs a yes/no field ({', '.join(sorted(BOOLEAN_COLUMNS))})")
        return self

    @property
    def numeric(self) -> bool:
        return self.op in NUMERIC_OPS

    def describe(self) -> str:
        if self.op in NUMERIC_OPS:
            return f"{self.column} {self.op} {format_number(self.threshold or 0.0)}"
        if self.op in LIST_OPS:
            word = "in" if self.op == "in" else "not in"
            return f"{self.column} {word} [{', '.join(self.values or [])}]"
        return f"{self.column} is {'true' if self.op == 'is_true' else 'false'}"

    def value_text(self) -> str:
        """The operand as one table cell: ``50000``, ``P1, P2`` or empty."""
        if self.op in NUMERIC_OPS:
            return format_number(self.threshold or 0.0)
        if self.op in LIST_OPS:
            return ", ".join(self.values or [])
        return ""


class Trigger(_Model):
    """A named escalation trigger: its conditions combined with ``all`` (default) or ``any``."""

    name: str = Field(min_length=1)
    match: Literal["all", "any"] = "all"
    conditions: list[Condition] = Field(min_length=1)

    def describe(self) -> str:
        joiner = " AND " if self.match == "all" else " OR "
        return joiner.join(c.describe() for c in self.conditions)


class ResponseTargets(_Model):
    """How fast the level answers: first acknowledgement, update cadence, resolution target (minutes)."""

    ack_minutes: float = Field(gt=0)
    update_minutes: float | None = Field(default=None, gt=0)
    resolution_minutes: float | None = Field(default=None, gt=0)


class LevelPolicy(_Model):
    level: int = Field(ge=1, le=4)
    name: str = Field(min_length=1)
    #: a ticket reaches this level when ``any`` (default) or ``all`` of its triggers hold
    match: Literal["any", "all"] = "any"
    triggers: list[Trigger] = Field(min_length=1)
    targets: ResponseTargets
    #: when the level applies, in people's words (the triggers are the measurable part)
    criteria: str = Field(default="", max_length=500)
    #: how urgent the level is (unset: :data:`DEFAULT_SEVERITY`)
    severity: Severity | None = None
    #: the team that owns the level: a group in the ticketing tool, an on-call schedule in the paging tool
    routing: str = Field(default="", max_length=100)
    #: the roles engaged at this level, by name (they must be among the policy's roles)
    roles: list[str] = []

    @property
    def effective_severity(self) -> Severity:
        return self.severity or DEFAULT_SEVERITY[self.level]


class Role(_Model):
    """A role the playbook names (Incident Commander, Comms Lead...) and what it does."""

    name: str = Field(min_length=1, max_length=80)
    duty: str = Field(default="", max_length=300)


class WarRoom(_Model):
    """Where people meet once an escalation is big enough: opened from ``opens_at_level`` up."""

    opens_at_level: int = Field(default=3, ge=1, le=4)
    #: the channel to open, as a pattern: ``#esc-{ticket_id}``
    channel: str = Field(default="#esc-{ticket_id}", min_length=1, max_length=80)
    #: where the call happens (a standing bridge, or "the incident template's video link")
    bridge: str = Field(default="", max_length=200)


class Naming(_Model):
    """How escalations and what the studio publishes are named."""

    #: an escalation's title, as a pattern: ``[L{level}] {company}: {summary}``
    incident_title: str = Field(default="[L{level}] {company}: {summary}", min_length=1, max_length=120)
    #: the prefix of every tag and of the names of what the studio publishes (so it recognises its own)
    tag_prefix: str = Field(default="esc", pattern=r"^[a-z][a-z0-9_]{0,19}$")


class EscalationPolicy(_Model):
    """Levels 1–4 with measurable triggers and response targets; a ticket counts at its highest matching level."""

    title: str = "Escalation policy"
    #: where it came from: variables (offline), model, edited, calibrated, imported
    source: str = "variables"
    levels: list[LevelPolicy] = Field(min_length=1)
    #: the roles the levels engage (empty: any name goes)
    roles: list[Role] = []
    war_room: WarRoom | None = None
    naming: Naming = Naming()

    @model_validator(mode="after")
    def _unique_levels(self) -> EscalationPolicy:
        numbers = [lv.level for lv in self.levels]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"each level may appear once; got levels {numbers}")
        self.levels.sort(key=lambda lv: lv.level)
        return self

    @model_validator(mode="after")
    def _known_roles(self) -> EscalationPolicy:
        """A level may only engage a role the policy defines, so a renamed role cannot go unnoticed."""
        known = {role.name for role in self.roles}
        for lv in self.levels if known else []:
            unknown = [name for name in lv.roles if name not in known]
            if unknown:
                raise ValueError(f"level {lv.level} engages {', '.join(map(repr, unknown))}, which the policy's roles do not define")
        return self

    def level(self, number: int) -> LevelPolicy | None:
        return next((lv for lv in self.levels if lv.level == number), None)

    def columns(self) -> set[str]:
        return {c.column for lv in self.levels for t in lv.triggers for c in t.conditions}

    def numeric_conditions(self) -> list[tuple[int, int, int, Condition]]:
        """(level, trigger index, condition index, condition) for every threshold that can move."""
        return [
            (lv.level, ti, ci, c)
            for lv in self.levels
            for ti, t in enumerate(lv.triggers)
            for ci, c in enumerate(t.conditions)
            if c.numeric
        ]


def format_number(value: float) -> str:
    """``50000.0`` -> ``50000``; ``0.6`` stays ``0.6``."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
