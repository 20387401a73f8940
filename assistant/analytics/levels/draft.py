"""The levels and routing a playbook draft defines, read from its own tables and lists.

The levels come from the draft's levels section when it has a recognisable table or list
("| L2 | Cross-functional | ... |", "### Level 3 — Incident Command", "- **Level 1: Support
Lead** — ..."). Routing comes from the routing section's table (escalation type -> paged team,
with the first time-to-ack column) and the severity mapping (P1 -> L3) wherever the draft has
one. A route's level is what the draft states: a level tag in the escalation type ("L3 · ...",
"(L2)"), a severity it maps, or the one level whose entry criteria name that escalation type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.analytics.levels.model import MAX_ROUTES, Level, LevelMap, Route
from assistant.analytics.levels.text import cell, column, plain, tables, words
from assistant.packs import Pack
from assistant.validation import section_spans

#: the id of the levels section in the escalation-procedure pack (and any pack that copies it)
LEVELS_SECTION = "levels"
ROUTING_SECTION = "routing"

LEVEL_LABEL = re.compile(r"^\W*(?:level|lvl|tier|l)\s*[-_]?\s*(\d)\b\W*(.*)$", re.IGNORECASE)
LINE_LEVEL = re.compile(
    r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)?\s*(?:level|tier)\s*(\d)\b\s*[:\-–—.)]?\s*(.*)$",
    re.IGNORECASE,
)
_SEVERITY = re.compile(r"^\W*(P|SEV|S)\s*-?\s*(\d)\b", re.IGNORECASE)
_OWNER_LINE = re.compile(
    r"^\s*[-*+]?\s*(?:\*\*|__)?\s*(owner|who leads|lead|led by|leads|escalation owner)\s*[:\-–—]?\s*(?:\*\*|__)?\s*[:\-–—]?\s*(.+)$",
    re.IGNORECASE,
)
_LEVEL_HINT = re.compile(r"\b(?:L|level\s*|tier\s*)(\d)\b", re.IGNORECASE)
#: "L3 · ", "Level 2: " at the start of an escalation type: the diagram shows it beside that level
_LEADING_LEVEL = re.compile(r"^(?:L|level\s*|tier\s*)\d\b\s*[·:\-–—.)|]?\s*", re.IGNORECASE)


def _section_lines(text: str, pack: Pack, step: str, section: str) -> list[str]:
    checklist = pack.checklist_for(step)
    if checklist is None or section not in {s.id for s in checklist.sections}:
        return []
    outline, spans = section_spans(text, checklist)
    node = spans.get(section)
    if node is None:
        return []
    return outline.lines[node.line : node.end]


def split_name(rest: str) -> tuple[str, str]:
    """"Standard Support** — when ..." or "Cross-functional — when ..." -> (name, description)."""
    bold = re.split(r"\*\*|__", rest, maxsplit=1)
    if len(bold) == 2 and plain(bold[0]):
        return plain(bold[0]), plain(bold[1])
    text = plain(rest)
    for separator in (" — ", " – ", " - ", ": ", "; ", ", ", ". "):
        head, found, tail = text.partition(separator)
        if found and len(head) <= 48:
            return head, tail
    clause = re.split(r"\s(?:helps|is|are|handles|owns|covers|for|when|where|if)\s", text, maxsplit=1)
    if len(clause) == 2 and 0 < len(clause[0]) <= 48:
        return clause[0], text
    return text, ""


def _level_from_row(row: list[str], index: int, number: int, columns: dict[str, int | None]) -> Level:
    """The level a table row describes; its label cell is ``row[index]`` ("L2", "Level 2 — Cross-functional")."""
    name_col, lead_col, criteria_col = columns["name"], columns["lead"], columns["criteria"]
    label = LEVEL_LABEL.match(plain(row[index]))
    name, criteria = plain(label.group(2)) if label else "", plain(cell(row, criteria_col))
    if name_col is not None and name_col != index:
        name = plain(cell(row, name_col))
    elif not name:
        # "| Level 2 | Cross-functional (Engineering) | ..." without a Name column
        neighbour = index + 1 if criteria_col in (None, index + 1) else criteria_col
        name, rest = split_name(cell(row, neighbour))
        if neighbour == criteria_col:
            criteria = rest
    return Level(number=number, name=name or f"Level {number}", lead=plain(cell(row, lead_col)), criteria=criteria)


def _levels_from_table(lines: Sequence[str]) -> list[Level]:
    for table in tables(lines):
        header, rows = table[0], table[1:]
        name_col = column(header, "name", "title")
        lead_col = column(header, "who", "lead", "owner", "led by", exclude=(name_col,))
        criteria_col = column(header, "criteria", "trigger", "definition", "when", "entry", exclude=(name_col, lead_col))
        columns = {"name": name_col, "lead": lead_col, "criteria": criteria_col}
        found: dict[int, Level] = {}
        for row in rows:
            for index, text in enumerate(row):
                match = LEVEL_LABEL.match(plain(text))
                if match and len(plain(text)) <= 60:
                    number = int(match.group(1))
                    found.setdefault(number, _level_from_row(row, index, number, columns))
                    break
        if len(found) >= 2:
            return [found[n] for n in sorted(found)]
    return []


def _levels_from_lines(lines: Sequence[str]) -> list[Level]:
    found: dict[int, Level] = {}
    current: int | None = None
    for line in lines:
        match = LINE_LEVEL.match(line)
        if match:
            number = int(match.group(1))
            name, description = split_name(match.group(2))
            if number not in found:
                found[number] = Level(number=number, name=name or f"Level {number}", criteria=description)
            current = number
            continue
        owner = _OWNER_LINE.match(line)
        if owner and current is not None and not found[current].lead:
            found[current] = found[current].model_copy(update={"lead": plain(owner.group(2))})
    return [found[n] for n in sorted(found)] if len(found) >= 2 else []


def _severities(text: str, known: set[int]) -> dict[str, int]:
    """A severity table mapping P1..P4 to a level ("| P1 | ... | L3 |")."""
    for table in tables(text.splitlines()):
        header, rows = table[0], table[1:]
        level_col = column(header, "level", "tier")
        if level_col is None:
            continue
        mapping: dict[str, int] = {}
        for row in rows:
            labels = [plain(c) for c in row if len(plain(c)) <= 24]
            severity = next((_SEVERITY.match(c) for c in labels if _SEVERITY.match(c)), None)
            level = LEVEL_LABEL.match(plain(cell(row, level_col)))
            if severity and level and int(level.group(1)) in known:
                mapping[f"{severity.group(1).upper()}{severity.group(2)}"] = int(level.group(1))
        if len(mapping) >= 2:
            return mapping
    return {}


def _route_level(trigger: str, severities: Mapping[str, int], levels: Sequence[Level]) -> int | None:
    """The level the draft starts ``trigger`` at: its level tag, its severity, or the one level whose
    entry criteria name it ("Security indicator" under L3's "any security indicator")."""
    hint = _LEVEL_HINT.search(trigger)
    if hint:
        return int(hint.group(1))
    severity = re.search(r"\b(P\d)\b", trigger, re.IGNORECASE)
    if severity and severity.group(1).upper() in severities:
        return severities[severity.group(1).upper()]
    phrase = words(trigger)
    naming = [level.number for level in levels if phrase.strip() and phrase in words(level.criteria)]
    return naming[0] if len(naming) == 1 else None


def _routes(lines: Sequence[str], severities: Mapping[str, int], levels: Sequence[Level]) -> tuple[list[Route], int]:
    """The routing table's rows (at most :data:`MAX_ROUTES`) and how many rows were left out."""
    for table in tables(lines):
        header, rows = table[0], table[1:]
        trigger_col = column(header, "type", "trigger", "escalation", "situation", "issue")
        team_col = column(header, "paged", "team", "route", "who", "owner", "on call", "on-call", exclude=(trigger_col,))
        if trigger_col is None or team_col is None or trigger_col == team_col:
            continue
        ack_col = column(header, "ack", "acknowledg", "sla", "response", exclude=(trigger_col, team_col))
        routes = []
        for row in rows:
            trigger, team = plain(cell(row, trigger_col)), plain(cell(row, team_col))
            if trigger and team:
                level = _route_level(trigger, severities, levels)
                shown = _LEADING_LEVEL.sub("", trigger) or trigger
                routes.append(Route(trigger=shown, team=team, ack=plain(cell(row, ack_col)), level=level))
        if routes:
            return routes[:MAX_ROUTES], max(0, len(routes) - MAX_ROUTES)
    return [], 0


def levels_from_draft(text: str, pack: Pack, step: str = "playbook") -> LevelMap | None:
    """The levels (and routing) a playbook draft defines, or ``None`` when none can be read."""
    lines = _section_lines(text, pack, step, LEVELS_SECTION)
    if not lines:
        return None
    levels = _levels_from_table(lines) or _levels_from_lines(lines)
    if not levels:
        return None
    severities = _severities(text, {level.number for level in levels})
    routes, left_out = _routes(_section_lines(text, pack, step, ROUTING_SECTION), severities, levels)
    return LevelMap(levels=levels, routes=routes, severities=severities, source="draft", routes_left_out=left_out)
