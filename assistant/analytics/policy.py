"""The playbook's escalation triggers as data: a pydantic model, YAML, a table, and structured output.

Prose triggers ("billing dispute >$5K") cannot be counted against ticket history; an
:class:`EscalationPolicy` can. Per level (1–4) it holds triggers — each a set of conditions on
the ticket fields of :mod:`assistant.tickets`, combined with ``all``/``any`` — and the level's
response targets. It comes from three places, all producing the same model:

- :func:`policy_from_variables`: derived deterministically from the organisation profile
  (the offline path; no model needed);
- a real model asked for JSON that fits :func:`policy_json_schema` (:func:`policy_request` +
  :func:`parse_policy_answer`);
- a person editing it as YAML (:func:`load_policy_yaml`) or as a table (:func:`policy_from_rows`).

Pure data work: no DuckDB here (the SQL lives in :mod:`assistant.calibration`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import UserInputError
from assistant.analytics.tickets.fields import BOOLEAN_COLUMNS, CONDITION_COLUMNS, NUMERIC_COLUMNS, TEXT_COLUMNS

if TYPE_CHECKING:
    from assistant.providers.base import CompletionRequest, Provider


class PolicyError(UserInputError):
    """A policy (YAML, table or model answer) is not valid; the message says where and how to fix it."""


Operator = Literal[">", ">=", "<", "<=", "==", "!=", "in", "not_in", "is_true", "is_false"]
NUMERIC_OPS: frozenset[str] = frozenset({">", ">=", "<", "<=", "==", "!="})
LIST_OPS: frozenset[str] = frozenset({"in", "not_in"})
FLAG_OPS: frozenset[str] = frozenset({"is_true", "is_false"})

LEVEL_NAMES = {
    1: "Support Lead / Specialist",
    2: "Cross-functional (Engineering/Product/Billing)",
    3: "Incident Command",
    4: "Executive Escalation",
}
#: sensible response targets when the profile names none (seed 004: "P1 every 30–60 min")
DEFAULT_TARGETS = {
    1: (60.0, 240.0, 2880.0),
    2: (30.0, 120.0, 1440.0),
    3: (15.0, 30.0, 480.0),
    4: (15.0, 60.0, 1440.0),
}


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


class EscalationPolicy(_Model):
    """Levels 1–4 with measurable triggers and response targets; a ticket counts at its highest matching level."""

    title: str = "Escalation policy"
    #: where it came from: variables (offline), model, edited, calibrated
    source: str = "variables"
    levels: list[LevelPolicy] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_levels(self) -> EscalationPolicy:
        numbers = [lv.level for lv in self.levels]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"each level may appear once; got levels {numbers}")
        self.levels.sort(key=lambda lv: lv.level)
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


# --- errors with locations -----------------------------------------------------------------------


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _yaml_line(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """1-based line of the YAML node at a pydantic error location (the deepest one that exists)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def describe_validation(error: ValidationError, source: str, root: yaml.Node | None = None) -> str:
    """Every problem as ``source line N: levels[1].triggers[0].conditions[0].op: message``."""
    parts = []
    for err in error.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "tagged-union")))]
        line = _yaml_line(root, loc) if root is not None else None
        where = f" line {line}" if line else ""
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{source}{where}: {_path(loc)}: {message}")
    return "; ".join(parts)


# --- YAML --------------------------------------------------------------------------------------------


def dump_policy_yaml(policy: EscalationPolicy) -> str:
    """Readable YAML: unset operands left out, order kept."""
    data = policy.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def parse_policy_yaml(text: str, source: str = "policy") -> EscalationPolicy:
    """A policy from YAML text; errors name the source, the line and the field path."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PolicyError(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)}).") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: expected a mapping with 'levels' (see `playbook policy` for an example).")
    try:
        return EscalationPolicy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(describe_validation(exc, source, root)) from None


def load_policy_yaml(path: Path | str) -> EscalationPolicy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{path}: file not found. Write one with `playbook policy --out {path.name}`.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot be read ({exc}).") from None
    return parse_policy_yaml(text, str(path))


# --- the table form (the app's editable grid) ------------------------------------------------------

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


def policy_from_rows(
    conditions: Sequence[Mapping[str, Any]], targets: Sequence[Mapping[str, Any]], *, title: str = "Escalation policy"
) -> EscalationPolicy:
    """The grid back into a policy; rows of the same level and trigger name form one trigger.

    Errors name the grid row (1-based) and what to fix.
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
        levels.append({**level, "triggers": [{k: v for k, v in t.items() if k != "rows"} for t in triggers]})
    try:
        return EscalationPolicy.model_validate({"title": title, "source": "edited", "levels": levels})
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
            messages.append(f"Levels table, level {levels[int(loc[1])]['level']}: {_path(loc[3:]) if loc[3:] else 'targets'}: {message}")
        elif len(loc) >= 2 and loc[0] == "levels":
            messages.append(f"Level {levels[int(loc[1])]['level']}: {_path(loc[2:]) or 'level'}: {message}")
        else:
            messages.append(f"{_path(loc)}: {message}")
    return "; ".join(messages)


# --- derivation from the organisation profile (the offline path) ---------------------------------

_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*([km])?\b", re.IGNORECASE)
_HOURS = re.compile(r"within\s+(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|minutes?|mins?)\b", re.IGNORECASE)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(minutes?|mins?|m|hours?|hrs?|h)\b", re.IGNORECASE)


def _money(text: str) -> float | None:
    match = _MONEY.search(text)
    if not match:
        return None
    value = float(match.group(1).replace(",", ""))
    return value * {"k": 1_000, "m": 1_000_000}.get((match.group(2) or "").lower(), 1)


def _items(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    separator = "\n" if "\n" in value else ","
    return [part.strip().strip('"').strip() for part in value.split(separator) if part.strip().strip('"').strip()]


def _segments(value: str | list[str] | None) -> list[str]:
    text = " ".join(_items(value)) if isinstance(value, list) else (value or "")
    text = re.sub(r"\(.*?\)", "", text)
    return [s.strip().strip('"') for s in re.split(r"/|,|\bvs\.?\b|\bversus\b|;", text) if s.strip().strip('"')]


def _top_tier(segments: list[str]) -> str:
    for wanted in ("enterprise", "vip", "premium", "strategic", "platinum"):
        for segment in segments:
            if wanted in segment.lower():
                return segment.split()[0] if wanted in segment.split()[0].lower() else segment
    return segments[-1] if segments else "Enterprise"


def _named_tier(text: str, segments: list[str]) -> str | None:
    lowered = text.lower()
    for segment in segments:
        word = segment.split()[0] if segment.split() else segment
        if word and re.search(rf"\b{re.escape(word.lower())}\b", lowered):
            return word
    return None


def _cond(column: str, op: str, threshold: float | None = None, values: list[str] | None = None) -> Condition:
    return Condition(column=column, op=op, threshold=threshold, values=values)  # type: ignore[arg-type]


def _triggers_for(item: str, segments: list[str]) -> list[tuple[int, Trigger]]:
    """Every trigger one line of the profile's triggers describes (a line may name several)."""
    text = item.lower()
    found: list[tuple[int, Trigger]] = []
    label = item.strip().rstrip(".")
    amount = _money(item)

    if re.search(r"churn|terminat|cancel|intent to leave|non-renew", text):
        conditions = [_cond("churn_threat", "is_true")]
        if amount is not None and re.search(r"\barr\b|revenue|contract|acv", text):
            conditions.append(_cond("arr", ">", amount))
        elif re.search(r"\bvip\b|enterprise|strategic", text):
            conditions.append(_cond("tier", "in", values=[_top_tier(segments)]))
        found.append((4, Trigger(name=label if len(found) == 0 else "Churn threat", conditions=conditions)))
    if re.search(r"legal|lawsuit|litigat|regulat|attorney|lawyer", text):
        found.append((4, Trigger(name="Legal or regulatory threat", conditions=[_cond("category", "in", values=["legal"])])))
    if re.search(r"public|social|journalist|influencer|press|\bpr\b|media", text):
        found.append(
            (4, Trigger(name="Public complaint (social, strongly negative)", conditions=[_cond("channel", "in", values=["social"]), _cond("sentiment", "<=", -0.7)]))
        )
    if re.search(r"security|breach|vulnerab|compromis", text):
        found.append((3, Trigger(name="Security incident", conditions=[_cond("category", "in", values=["security"]), _cond("priority", "in", values=["P1", "P2"])])))
    if re.search(r"data loss|data integrity|data corruption|lost data", text):
        found.append((3, Trigger(name="Data loss or integrity risk", conditions=[_cond("category", "in", values=["data loss"])])))
    if re.search(r"\boutage\b|\bdown\b|major incident|\bp1\b|\bsev ?1\b", text):
        conditions = [_cond("priority", "in", values=["P1"])]
        if re.search(r"\boutage\b|\bdown\b", text):
            conditions.append(_cond("category", "in", values=["outage"]))
        found.append((3, Trigger(name="P1 outage" if len(conditions) == 2 else "P1 incident", conditions=conditions)))
    if re.search(r"\bp2\b|\bsev ?2\b", text):
        conditions = [_cond("priority", "in", values=["P2"])]
        tier = _named_tier(item, segments)
        if tier:
            conditions.append(_cond("tier", "in", values=[tier]))
        hours = _HOURS.search(item)
        if hours:
            number = float(hours.group(1))
            minutes = number if hours.group(2).lower().startswith("m") else number * 60
            conditions.append(_cond("resolution_minutes", ">", minutes))
        found.append((2, Trigger(name=label, conditions=conditions)))
    if re.search(r"billing|invoice|refund|dispute|charge", text):
        conditions = [_cond("category", "in", values=["billing"])]
        if amount is not None:
            conditions.append(_cond("disputed_amount", ">", amount))
        found.append((2, Trigger(name=label if amount is not None else "Billing dispute", conditions=conditions)))
    return found


_DEFAULT_TRIGGER_LINES = [
    "P1 outage",
    "data loss",
    "security incident",
    "VIP churn threat",
    "billing dispute >$5K",
    "public social media complaint",
]
_LEVEL1_TRIGGERS = [
    Trigger(name="Repeat contact (reopened twice or more)", conditions=[Condition(column="reopen_count", op=">=", threshold=2)]),
    Trigger(name="Strongly negative sentiment", conditions=[Condition(column="sentiment", op="<=", threshold=-0.6)]),
]


def _ack_targets(metrics: list[str]) -> dict[int, float]:
    """``Time-to-ack < 15 min (P1)`` -> {3: 15, 4: 15}; P2 -> level 2; unscoped -> levels 3 and 4."""
    found: dict[int, float] = {}
    for metric in metrics:
        lowered = metric.lower()
        if not re.search(r"\back\b|acknowledg|time[- ]to[- ]ack", lowered):
            continue
        duration = _DURATION.search(metric)
        if not duration:
            continue
        value = float(duration.group(1)) * (60 if duration.group(2).lower().startswith("h") else 1)
        if re.search(r"\bp2\b|level 2|\bl2\b", lowered):
            found[2] = value
        elif re.search(r"\bp3\b|level 1|\bl1\b", lowered):
            found[1] = value
        else:
            found.setdefault(3, value)
            found.setdefault(4, value)
    return found


def policy_from_variables(pack_variables: Mapping[str, Any]) -> EscalationPolicy:
    """A policy from the escalation-procedure variables, with no model (the offline provider's way).

    The triggers text is read line by line (``billing dispute >$5K`` -> billing category and a
    disputed amount over 5,000; ``intent to terminate ... ARR > $50,000`` -> churn threat and ARR
    over 50,000; ``P1 outage`` -> priority P1 and category outage; and so on). Level 1 gets repeat
    contact and negative sentiment triggers; a level the text says nothing about gets the seed's
    typical trigger. Acknowledgement targets come from the target metrics where they give minutes.
    """
    segments = _segments(pack_variables.get("customer_segments"))
    lines = _items(pack_variables.get("common_escalation_triggers")) or list(_DEFAULT_TRIGGER_LINES)
    triggers: dict[int, list[Trigger]] = {1: list(_LEVEL1_TRIGGERS), 2: [], 3: [], 4: []}
    seen: set[str] = set()
    for line in lines:
        for level, trigger in _triggers_for(line, segments):
            key = trigger.describe()
            if key not in seen:
                seen.add(key)
                triggers[level].append(trigger)
    for level, line in ((2, "billing dispute >$5K"), (3, "P1 outage"), (4, "VIP churn threat")):
        if not triggers[level]:
            triggers[level] = [t for lv, t in _triggers_for(line, segments) if lv == level]
    acks = _ack_targets(_items(pack_variables.get("target_metrics")))
    levels = []
    for number in (1, 2, 3, 4):
        ack, update, resolution = DEFAULT_TARGETS[number]
        levels.append(
            LevelPolicy(
                level=number,
                name=LEVEL_NAMES[number],
                triggers=triggers[number],
                targets=ResponseTargets(ack_minutes=acks.get(number, ack), update_minutes=update, resolution_minutes=resolution),
            )
        )
    company = pack_variables.get("company_name")
    title = f"{company} escalation policy" if isinstance(company, str) and company else "Escalation policy"
    return EscalationPolicy(title=title, source="variables", levels=levels)


# --- structured output from a real model -------------------------------------------------------------

FIELD_GUIDE = {
    "priority": "text P1–P4 (P1 most urgent)",
    "tier": "customer tier / segment name, e.g. Free, Pro, Enterprise",
    "arr": "annual recurring revenue of the account in dollars",
    "channel": "email, chat, ticket portal, phone, social",
    "category": "e.g. outage, security, data loss, billing, bug, integration, legal, how-to",
    "reopen_count": "times the ticket was reopened",
    "csat": "satisfaction score 1–5",
    "sentiment": "customer sentiment from -1 (angry) to 1 (happy)",
    "first_response_minutes": "minutes to the first reply",
    "resolution_minutes": "minutes from creation to resolution",
    "escalate_minutes": "minutes from creation to escalation",
    "disputed_amount": "dollar amount in a billing dispute",
    "churn_threat": "yes/no: the customer threatened to leave",
    "escalated": "yes/no: the ticket was escalated",
    "escalation_reason": "why it was escalated",
    "escalated_at": "(timestamp; not for conditions)",
}


def policy_json_schema() -> dict[str, Any]:
    """The JSON schema a model's answer must fit (pydantic's, from :class:`EscalationPolicy`)."""
    return EscalationPolicy.model_json_schema()


def policy_request(playbook: str, *, model: str, max_tokens: int = 3000) -> CompletionRequest:
    """A structured-output request: the draft, the schema, the fields, and "JSON only"."""
    from assistant.providers.base import CompletionRequest

    fields = "\n".join(f"- {name}: {FIELD_GUIDE.get(name, '')}" for name in sorted(CONDITION_COLUMNS))
    prompt = (
        "Extract the escalation triggers and response targets of the escalation playbook below as data.\n\n"
        "Rules:\n"
        "- One entry per escalation level 1–4 (Level 0 is standard support and is left out).\n"
        "- Each trigger is a list of conditions on the ticket fields listed below; `match: all` means every "
        "condition must hold. Use numbers for thresholds (5000, not \"$5K\"); minutes for every time.\n"
        "- Use `in` with `values` for text fields, `is_true` for yes/no fields, and >, >=, <, <= with `threshold` "
        "for numbers.\n"
        "- targets: ack_minutes (first acknowledgement), update_minutes (customer update cadence), "
        "resolution_minutes (resolution target), as the playbook states them.\n\n"
        f"Ticket fields:\n{fields}\n\n"
        "Answer with ONE JSON object that validates against this JSON schema, and nothing else: no prose, "
        "no explanation.\n\n"
        f"JSON schema:\n```json\n{json.dumps(policy_json_schema(), indent=1)}\n```\n\n"
        f"The playbook:\n<<<PLAYBOOK\n{playbook.strip()}\nPLAYBOOK>>>\n"
    )
    return CompletionRequest(
        model=model,
        prompt=prompt,
        system="You convert operations documents into JSON data. You answer with JSON only.",
        max_tokens=max_tokens,
        temperature=0.0,
    )


_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)```", re.DOTALL)


def parse_policy_answer(text: str) -> EscalationPolicy:
    """The policy in a model's answer: a bare JSON object, or one inside a ```json fence.

    Raises :class:`PolicyError` saying what was wrong (no JSON, bad JSON at line/column, or which
    fields do not fit the schema).
    """
    fenced = _FENCE.search(text)
    candidate = fenced.group(1) if fenced else text
    start, end = candidate.find("{"), candidate.rfind("}")
    if start < 0 or end <= start:
        raise PolicyError(
            "The model's answer holds no JSON object. Ask again, or derive the policy from the organisation profile "
            "(offline) and edit it."
        )
    try:
        data = json.loads(candidate[start : end + 1])
    except json.JSONDecodeError as exc:
        raise PolicyError(f"The model's answer is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). Ask again.") from None
    if isinstance(data, dict):
        data.setdefault("source", "model")
    try:
        return EscalationPolicy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError("The model's JSON does not fit the policy schema: " + describe_validation(exc, "answer")) from None


def obtain_policy(provider: Provider, playbook: str, variables: Mapping[str, Any], *, model: str) -> EscalationPolicy:
    """The policy for a draft: from the model's structured output, or from the variables when offline."""
    from assistant.providers.base import collect

    if provider.name == "offline" or not playbook.strip():
        return policy_from_variables(variables)
    answer = collect(provider, policy_request(playbook, model=model))
    return parse_policy_answer(answer.text)
