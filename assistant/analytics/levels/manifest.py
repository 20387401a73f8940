"""The levels before any draft exists: the pack's own level items and the organisation profile.

The profile's trigger lines are placed at the level the derived policy gives them
(:func:`assistant.analytics.policy.starting_level`), the reading the Calibration page counts
tickets with, so the ladder and the calibration agree on where "security incident" starts.
"""

from __future__ import annotations

from collections.abc import Mapping

from assistant.analytics.levels.draft import LEVEL_LABEL, LEVELS_SECTION, LINE_LEVEL
from assistant.analytics.levels.model import MAX_ROUTES, Level, LevelMap, Route
from assistant.analytics.levels.text import plain
from assistant.analytics.policy import starting_level
from assistant.packs import Pack

_FACTS = (("support_hours", "Hours"), ("systems_used", "Systems"), ("support_channels", "Channels"))


def _sentence(text: str) -> str:
    """"billing dispute >$5K" as a list entry reads "Billing dispute >$5K"."""
    return text[:1].upper() + text[1:]


def _text_value(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value or "")


def _trigger_routes(variables: Mapping[str, object], placed: bool) -> tuple[list[Route], int]:
    """The profile's trigger lines as routes with no team; ``placed``: at the policy's starting level."""
    triggers = variables.get("common_escalation_triggers")
    if not isinstance(triggers, (list, tuple)):
        return [], 0
    lines = [_sentence(text) for t in triggers if (text := plain(str(t)))]
    routes = [Route(trigger=line, level=starting_level(line) if placed else None) for line in lines[:MAX_ROUTES]]
    return routes, max(0, len(lines) - MAX_ROUTES)


def _pack_levels(pack: Pack, step: str) -> list[Level]:
    """"Level 3: Incident Command (major incident, security, widespread outage)" items of the levels section."""
    checklist = pack.checklist_for(step)
    if checklist is None or LEVELS_SECTION not in {s.id for s in checklist.sections}:
        return []
    levels = []
    for item in checklist.section(LEVELS_SECTION).items:
        match = LINE_LEVEL.match(item.text)
        if match:
            name, _, detail = match.group(2).partition("(")
            criteria = _sentence(plain(detail.rstrip(")")))
            levels.append(Level(number=int(match.group(1)), name=plain(name), criteria=criteria))
    return levels


def _tier_level(index: int, tier: str) -> Level:
    """"L2 Specialist: advanced troubleshooting" -> L2 Specialist; "Tier 3: engineering" -> L3 Engineering."""
    head, _, detail = (plain(part) for part in str(tier).partition(":"))
    tag = LEVEL_LABEL.match(head)
    if tag is None:
        return Level(number=index, name=head or f"Level {index}", criteria=_sentence(detail))
    name = plain(tag.group(2))
    if not name:
        name, detail = detail, ""
    number = int(tag.group(1))
    return Level(number=number, name=_sentence(name) or f"Level {number}", criteria=_sentence(detail))


def _tier_levels(pack: Pack, variables: Mapping[str, object]) -> list[Level]:
    """Levels from a list variable of support tiers ("L1 Agent: ...", "Tier 2: ..."), for packs without level items.

    The tiers' own numbers are kept when every tier has a different one; otherwise they count from 0.
    """
    tiers = next(
        (variables[v.name] for v in pack.variables if v.type == "list" and "tier" in v.name and variables.get(v.name)),
        None,
    )
    if not isinstance(tiers, (list, tuple)):
        return []
    levels = [_tier_level(index, str(tier)) for index, tier in enumerate(tiers)]
    if len({level.number for level in levels}) < len(levels):
        levels = [level.model_copy(update={"number": index}) for index, level in enumerate(levels)]
    return sorted(levels, key=lambda level: level.number)


def levels_from_manifest(pack: Pack, variables: Mapping[str, object], step: str = "playbook") -> LevelMap | None:
    """The pack's own level items (e.g. "Level 0: Standard Support"), with the user's facts as notes.

    Packs without a levels section fall back to a list variable of support tiers, if they have one.
    """
    notes = [f"{label}: {plain(_text_value(variables[name]))}" for name, label in _FACTS if variables.get(name)]
    for source, levels in (("manifest", _pack_levels(pack, step)), ("variables", _tier_levels(pack, variables))):
        if len(levels) >= 2:
            # tiers of another pack are numbered their own way: the policy's levels do not apply to them
            routes, left_out = _trigger_routes(variables, placed=source == "manifest")
            return LevelMap(levels=levels, routes=routes, notes=notes, source=source, routes_left_out=left_out)  # type: ignore[arg-type]
    return None
