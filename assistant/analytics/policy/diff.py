"""What changed between two policies, in the policy's own terms: levels, triggers, targets, routing, roles.

Two approved versions of a playbook differ in text everywhere; what an ops lead signs off is
whether Level 3 now acknowledges in 10 minutes instead of 15, pages another team, or gained a
trigger. The same comparison reports where a drafted policy and a live configuration disagree.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from assistant.analytics.policy.model import EscalationPolicy, LevelPolicy, format_number

Area = Literal["level", "trigger", "target", "severity", "routing", "roles", "war room", "naming"]
_TARGETS = {"ack_minutes": "time to acknowledge", "update_minutes": "update cadence", "resolution_minutes": "resolution target"}


class PolicyChange(BaseModel):
    area: Area
    #: what it is about: "Level 3", "Level 3 trigger 'P1 outage'"
    subject: str
    before: str
    after: str

    def describe(self) -> str:
        if not self.before:
            return f"{self.subject}: added ({self.after})"
        if not self.after:
            return f"{self.subject}: removed (was {self.before})"
        return f"{self.subject}: {self.before} -> {self.after}"


def _minutes(value: float | None) -> str:
    return f"{format_number(value)} min" if value is not None else "none"


def _level_changes(old: LevelPolicy, new: LevelPolicy) -> list[PolicyChange]:
    subject = f"Level {new.level}"
    found = []
    if old.name != new.name:
        found.append(PolicyChange(area="level", subject=f"{subject} name", before=old.name, after=new.name))
    for key, label in _TARGETS.items():
        before, after = getattr(old.targets, key), getattr(new.targets, key)
        if before != after:
            found.append(PolicyChange(area="target", subject=f"{subject} {label}", before=_minutes(before), after=_minutes(after)))
    if old.effective_severity != new.effective_severity:
        found.append(PolicyChange(area="severity", subject=f"{subject} severity", before=old.effective_severity, after=new.effective_severity))
    if old.routing != new.routing:
        found.append(PolicyChange(area="routing", subject=f"{subject} team", before=old.routing or "none", after=new.routing or "none"))
    if old.roles != new.roles:
        found.append(PolicyChange(area="roles", subject=f"{subject} roles", before=", ".join(old.roles) or "none", after=", ".join(new.roles) or "none"))
    before = {t.name: t.describe() for t in old.triggers}
    after = {t.name: t.describe() for t in new.triggers}
    for name in [*before, *(n for n in after if n not in before)]:
        if before.get(name) != after.get(name):
            found.append(PolicyChange(area="trigger", subject=f"{subject} trigger '{name}'", before=before.get(name, ""), after=after.get(name, "")))
    return found


def policy_changes(old: EscalationPolicy, new: EscalationPolicy) -> list[PolicyChange]:
    """Every difference that matters to the people who run the policy, level by level, then policy-wide."""
    found: list[PolicyChange] = []
    numbers = sorted({lv.level for lv in old.levels} | {lv.level for lv in new.levels})
    for number in numbers:
        before, after = old.level(number), new.level(number)
        if before is None or after is None:
            shown = f"{(after or before).name}, acknowledge within {_minutes((after or before).targets.ack_minutes)}"  # type: ignore[union-attr]
            found.append(PolicyChange(area="level", subject=f"Level {number}", before="" if before is None else shown, after="" if after is None else shown))
            continue
        found += _level_changes(before, after)
    old_roles, new_roles = {r.name for r in old.roles}, {r.name for r in new.roles}
    for name in sorted(old_roles ^ new_roles):
        found.append(PolicyChange(area="roles", subject=f"Role '{name}'", before=name if name in old_roles else "", after=name if name in new_roles else ""))
    room = (old.war_room.model_dump() if old.war_room else None, new.war_room.model_dump() if new.war_room else None)
    if room[0] != room[1]:
        shown = [f"{r['channel']} from Level {r['opens_at_level']}" if r else "" for r in room]
        found.append(PolicyChange(area="war room", subject="War room", before=shown[0], after=shown[1]))
    if old.naming != new.naming:
        found.append(PolicyChange(area="naming", subject="Naming", before=old.naming.incident_title + f" (tags {old.naming.tag_prefix}_)",
                                  after=new.naming.incident_title + f" (tags {new.naming.tag_prefix}_)"))
    return found
