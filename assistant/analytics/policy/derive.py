"""A policy derived from the organisation profile with no model: the offline path.

The profile's trigger lines ("billing dispute >$5K", "P1 outage") are read with regular
expressions into measurable conditions, so calibration works even without a provider key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from assistant.analytics.policy import conventions
from assistant.analytics.policy.model import DEFAULT_SEVERITY, Condition, EscalationPolicy, LevelPolicy, ResponseTargets, Trigger

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


def starting_level(line: str) -> int | None:
    """The level a profile trigger line starts at (the highest any trigger in it asks for), or ``None``.

    The same reading as :func:`policy_from_variables`, so the levels diagram places a trigger where
    the derived policy counts it ("security incident" -> 3, "billing dispute >$5K" -> 2).
    """
    return max((level for level, _ in _triggers_for(line, [])), default=None)


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
    Each level also names the team that owns it and the roles it engages, and the policy states its
    war room and naming conventions (:mod:`.conventions`): what ticketing and paging tools need.
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
                criteria="Any of: " + "; ".join(t.name for t in triggers[number]),
                severity=DEFAULT_SEVERITY[number],
                routing=conventions.LEVEL_ROUTING[number],
                roles=conventions.LEVEL_ROLES[number],
            )
        )
    company = pack_variables.get("company_name")
    title = f"{company} escalation policy" if isinstance(company, str) and company else "Escalation policy"
    return EscalationPolicy(
        title=title, source="variables", levels=levels, roles=conventions.roles(),
        war_room=conventions.war_room(pack_variables), naming=conventions.naming(),
    )
