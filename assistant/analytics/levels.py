"""Escalation levels and routing of a playbook, as data and as a Graphviz DOT diagram.

Pure text work (no providers, no store), used by the UI's levels diagram. The
levels come from the draft's levels section when it has a recognisable table
or list ("| L2 | Cross-functional | ... |", "### Level 3 — Incident Command",
"- **Level 1: Support Lead** — ..."), else from the pack's checklist items
for that section (the seed's five levels) together with the user's variables.
Routing comes from the routing section's table (escalation type -> paged
team, with the first time-to-ack column) and the severity mapping (P1 -> L3)
wherever the draft has one.

Everything placed in the DOT text is quoted and escaped: labels are data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel

from assistant.validation import section_spans
from assistant.packs import Pack

#: the id of the levels section in the escalation-procedure pack (and any pack that copies it)
LEVELS_SECTION = "levels"
ROUTING_SECTION = "routing"

_LEVEL_LABEL = re.compile(r"^\W*(?:level|lvl|tier|l)\s*[-_]?\s*(\d)\b\W*(.*)$", re.IGNORECASE)
_LINE_LEVEL = re.compile(
    r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)?\s*(?:level|tier)\s*(\d)\b\s*[:\-–—.)]?\s*(.*)$",
    re.IGNORECASE,
)
_SEVERITY = re.compile(r"^\W*(P|SEV|S)\s*-?\s*(\d)\b", re.IGNORECASE)
_OWNER_LINE = re.compile(
    r"^\s*[-*+]?\s*(?:\*\*|__)?\s*(owner|who leads|lead|led by|leads|escalation owner)\s*[:\-–—]?\s*(?:\*\*|__)?\s*[:\-–—]?\s*(.+)$",
    re.IGNORECASE,
)
_SEPARATOR_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")
_MARKUP = re.compile(r"(\*\*|__|`)")
_MAX_LABEL = 90


class Level(BaseModel):
    number: int
    name: str
    lead: str = ""
    criteria: str = ""

    @property
    def key(self) -> str:
        return f"L{self.number}"


class Route(BaseModel):
    trigger: str
    team: str
    ack: str = ""
    #: the level this escalation type starts at, when the draft says so
    level: int | None = None


class LevelMap(BaseModel):
    levels: list[Level]
    routes: list[Route] = []
    #: severity (e.g. "P1") -> level number
    severities: dict[str, int] = {}
    #: notes shown beside the ladder (support hours, systems, triggers)
    notes: list[str] = []
    source: Literal["draft", "manifest", "variables"]


# --- small text helpers -------------------------------------------------------------


def _plain(text: str) -> str:
    text = _MARKUP.sub("", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links -> their text
    return " ".join(text.split()).strip(" -–—:;")


def _short(text: str, limit: int = _MAX_LABEL) -> str:
    text = _plain(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if not stripped.startswith("|"):
        return None
    body = stripped.strip("|")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def _tables(lines: Sequence[str]) -> list[list[list[str]]]:
    """Markdown pipe tables in ``lines``: each a list of rows (header first), separator dropped."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in lines:
        cells = _cells(line)
        if cells is None:
            if len(current) >= 2:
                tables.append(current)
            current = []
            continue
        if all(_SEPARATOR_CELL.match(c) for c in cells if c) and current:
            continue
        current.append(cells)
    if len(current) >= 2:
        tables.append(current)
    return tables


def _column(header: list[str], *words: str, exclude: tuple[int | None, ...] = ()) -> int | None:
    """The first column whose header has one of ``words`` (whole words; "ack" is not "backup")."""
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)
    for index, name in enumerate(header):
        if index not in exclude and pattern.search(_plain(name)):
            return index
    return None


def _cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


def _section_lines(text: str, pack: Pack, step: str, section: str) -> list[str]:
    checklist = pack.checklist_for(step)
    if checklist is None or section not in {s.id for s in checklist.sections}:
        return []
    outline, spans = section_spans(text, checklist)
    node = spans.get(section)
    if node is None:
        return []
    return outline.lines[node.line : node.end]


# --- parsing a draft ----------------------------------------------------------------------


def _levels_from_table(lines: Sequence[str]) -> list[Level]:
    for table in _tables(lines):
        header, rows = table[0], table[1:]
        found: dict[int, Level] = {}
        name_col = _column(header, "name", "title")
        lead_col = _column(header, "who", "lead", "owner", "led by", exclude=(name_col,))
        criteria_col = _column(header, "criteria", "trigger", "definition", "when", "entry", exclude=(name_col, lead_col))
        for row in rows:
            for index, cell in enumerate(row):
                match = _LEVEL_LABEL.match(_plain(cell))
                if not match or len(_plain(cell)) > 60:
                    continue
                number = int(match.group(1))
                name, criteria = _plain(match.group(2)), _plain(_cell(row, criteria_col))
                if name_col is not None and name_col != index:
                    name = _plain(_cell(row, name_col))
                elif not name:
                    # "| Level 2 | Cross-functional (Engineering) | ..." without a Name column
                    neighbour = index + 1 if criteria_col in (None, index + 1) else criteria_col
                    name, rest = _split_name(_cell(row, neighbour))
                    if neighbour == criteria_col:
                        criteria = rest
                found.setdefault(
                    number,
                    Level(
                        number=number,
                        name=_short(name or f"Level {number}", 48),
                        lead=_short(_cell(row, lead_col), 48),
                        criteria=_short(criteria),
                    ),
                )
                break
        if len(found) >= 2:
            return [found[n] for n in sorted(found)]
    return []


def _split_name(rest: str) -> tuple[str, str]:
    """"Standard Support** — when ..." or "Cross-functional — when ..." -> (name, description)."""
    bold = re.split(r"\*\*|__", rest, maxsplit=1)
    if len(bold) == 2 and _plain(bold[0]):
        return _plain(bold[0]), _plain(bold[1])
    plain = _plain(rest)
    for separator in (" — ", " – ", " - ", ": ", "; ", ", ", ". "):
        head, found, tail = plain.partition(separator)
        if found and len(head) <= 48:
            return head, tail
    clause = re.split(r"\s(?:helps|is|are|handles|owns|covers|for|when|where|if)\s", plain, maxsplit=1)
    if len(clause) == 2 and 0 < len(clause[0]) <= 48:
        return clause[0], plain
    return plain, ""


def _levels_from_lines(lines: Sequence[str]) -> list[Level]:
    found: dict[int, Level] = {}
    current: int | None = None
    for line in lines:
        match = _LINE_LEVEL.match(line)
        if match:
            number = int(match.group(1))
            name, description = _split_name(match.group(2))
            if number not in found:
                found[number] = Level(number=number, name=_short(name or f"Level {number}", 48), criteria=_short(description))
            current = number
            continue
        owner = _OWNER_LINE.match(line)
        if owner and current is not None and not found[current].lead:
            found[current] = found[current].model_copy(update={"lead": _short(owner.group(2), 48)})
    return [found[n] for n in sorted(found)] if len(found) >= 2 else []


def _severities(text: str, known: set[int]) -> dict[str, int]:
    """A severity table mapping P1..P4 to a level ("| P1 | ... | L3 |")."""
    for table in _tables(text.splitlines()):
        header, rows = table[0], table[1:]
        level_col = _column(header, "level", "tier")
        if level_col is None:
            continue
        mapping: dict[str, int] = {}
        for row in rows:
            labels = [_plain(c) for c in row if len(_plain(c)) <= 24]
            severity = next((_SEVERITY.match(c) for c in labels if _SEVERITY.match(c)), None)
            level = _LEVEL_LABEL.match(_plain(_cell(row, level_col)))
            if severity and level and int(level.group(1)) in known:
                mapping[f"{severity.group(1).upper()}{severity.group(2)}"] = int(level.group(1))
        if len(mapping) >= 2:
            return mapping
    return {}


def _routes(lines: Sequence[str], severities: Mapping[str, int]) -> list[Route]:
    for table in _tables(lines):
        header, rows = table[0], table[1:]
        trigger_col = _column(header, "type", "trigger", "escalation", "situation", "issue")
        team_col = _column(header, "paged", "team", "route", "who", "owner", "on call", "on-call", exclude=(trigger_col,))
        if trigger_col is None or team_col is None or trigger_col == team_col:
            continue
        ack_col = _column(header, "ack", "acknowledg", "sla", "response", exclude=(trigger_col, team_col))
        routes = []
        for row in rows:
            trigger, team = _plain(_cell(row, trigger_col)), _plain(_cell(row, team_col))
            if not trigger or not team:
                continue
            level = None
            hint = re.search(r"\b(?:L|level\s*|tier\s*)(\d)\b", trigger, re.IGNORECASE)
            if hint:
                level = int(hint.group(1))
            else:
                severity = re.search(r"\b(P\d)\b", trigger, re.IGNORECASE)
                if severity:
                    level = severities.get(severity.group(1).upper())
            routes.append(
                Route(trigger=_short(trigger, 48), team=_short(team, 48), ack=_short(_cell(row, ack_col), 32), level=level)
            )
        if routes:
            return routes[:12]
    return []


def levels_from_draft(text: str, pack: Pack, step: str = "playbook") -> LevelMap | None:
    """The levels (and routing) a playbook draft defines, or ``None`` when none can be read."""
    lines = _section_lines(text, pack, step, LEVELS_SECTION)
    if not lines:
        return None
    levels = _levels_from_table(lines) or _levels_from_lines(lines)
    if not levels:
        return None
    severities = _severities(text, {level.number for level in levels})
    routes = _routes(_section_lines(text, pack, step, ROUTING_SECTION), severities)
    return LevelMap(levels=levels, routes=routes, severities=severities, source="draft")


# --- from the manifest and the variables ------------------------------------------------


def _text_value(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value or "")


def levels_from_manifest(pack: Pack, variables: Mapping[str, object], step: str = "playbook") -> LevelMap | None:
    """The pack's own level items (e.g. "Level 0: Standard Support"), with the user's facts as notes.

    Packs without a levels section fall back to a list variable of support tiers, if they have one.
    """
    notes = []
    for name, label in (("support_hours", "Hours"), ("systems_used", "Systems"), ("support_channels", "Channels")):
        if variables.get(name):
            notes.append(f"{label}: {_short(_text_value(variables[name]), 70)}")
    triggers = variables.get("common_escalation_triggers")
    routes: list[Route] = []
    if isinstance(triggers, (list, tuple)):
        routes = [Route(trigger=_short(str(t), 48), team="", level=None) for t in list(triggers)[:8]]
    checklist = pack.checklist_for(step)
    if checklist is not None and LEVELS_SECTION in {s.id for s in checklist.sections}:
        levels = []
        for item in checklist.section(LEVELS_SECTION).items:
            match = _LINE_LEVEL.match(item.text)
            if match:
                name, _, detail = match.group(2).partition("(")
                levels.append(Level(number=int(match.group(1)), name=_short(name, 48), criteria=_short(detail.rstrip(")"))))
        if len(levels) >= 2:
            return LevelMap(levels=levels, routes=routes, notes=notes, source="manifest")
    tiers = next(
        (variables[v.name] for v in pack.variables if v.type == "list" and "tier" in v.name and variables.get(v.name)),
        None,
    )
    if isinstance(tiers, (list, tuple)) and len(tiers) >= 2:
        levels = []
        for number, tier in enumerate(tiers):
            name, _, detail = str(tier).partition(":")
            levels.append(Level(number=number, name=_short(name, 48), criteria=_short(detail)))
        return LevelMap(levels=levels, routes=routes, notes=notes, source="variables")
    return None


# --- DOT ------------------------------------------------------------------------------------

_COLOURS = ["#dcfce7", "#fef9c3", "#ffedd5", "#fee2e2", "#fecaca", "#fca5a5", "#f87171", "#ef4444", "#dc2626", "#b91c1c"]


def dot_string(text: str) -> str:
    """``text`` as a quoted DOT string (escapes quotes and backslashes; newlines become line breaks)."""
    cleaned = "".join(ch for ch in text if ch == "\n" or ch >= " ")
    escaped = cleaned.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _wrap(text: str, width: int = 34) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "\n".join(lines)


def to_dot(level_map: LevelMap, title: str = "") -> str:
    """A Graphviz digraph: the level ladder top to bottom (with the severities that start at each
    level), and the routing table as one note per escalation type, stacked beside it.

    Only plain constructs (clusters, invisible ordering edges, ``constraint=false``) are used:
    Graphviz's ``newrank`` with ``rank=same`` across clusters crashes some layouts.
    """
    out = [
        "digraph escalation {",
        '  graph [rankdir=TB, fontname="Helvetica", fontsize=13, nodesep=0.4, ranksep=0.45, labelloc=t];',
        '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", fillcolor="#f6f8fa", color="#57606a"];',
        '  edge [fontname="Helvetica", fontsize=10, color="#57606a"];',
    ]
    if title:
        out.append(f"  label={dot_string(title)};")
    keys = {level.number: level.key for level in level_map.levels}
    starts: dict[int, list[str]] = {}
    for severity, number in sorted(level_map.severities.items()):
        starts.setdefault(number, []).append(severity)
    out.append('  subgraph cluster_levels { label="Escalation levels"; style="rounded,dashed"; color="#8c959f";')
    for index, level in enumerate(level_map.levels):
        label = f"{level.key} · {level.name}"
        if level.lead:
            label += f"\nLead: {level.lead}"
        if level.number in starts:
            label += f"\nStarts here: {', '.join(starts[level.number])}"
        if level.criteria:
            label += f"\n{_wrap(level.criteria, 40)}"
        colour = _COLOURS[min(index, len(_COLOURS) - 1)]
        out.append(f"    {level.key} [label={dot_string(label)}, fillcolor={dot_string(colour)}];")
    for lower, higher in zip(level_map.levels, level_map.levels[1:]):
        out.append(f'    {lower.key} -> {higher.key} [label=" escalate", penwidth=1.6];')
    out.append("  }")
    if level_map.routes:
        with_teams = any(route.team for route in level_map.routes)
        heading = "Routing: who gets paged" if with_teams else "Common escalation triggers"
        out.append(f'  subgraph cluster_routing {{ label={dot_string(heading)}; style="rounded,dashed"; color="#8c959f";')
        for index, route in enumerate(level_map.routes):
            label = _wrap(route.trigger, 30)
            if route.team:
                label += f"\n→ {_wrap(route.team, 30)}"
            if route.ack:
                label += f"\nack {route.ack}"
            out.append(f'    route_{index} [label={dot_string(label)}, shape=note, fillcolor="#fff8c5"];')
        for index in range(1, len(level_map.routes)):
            out.append(f"    route_{index - 1} -> route_{index} [style=invis];")
        out.append("  }")
        for index, route in enumerate(level_map.routes):
            if route.level is not None and route.level in keys:
                out.append(f'  {keys[route.level]} -> route_{index} [style=dotted, arrowhead=none, constraint=false, color="#8c959f"];')
    if level_map.notes:
        note = "\n".join(_wrap(n, 44) for n in level_map.notes)
        out.append(f'  facts [label={dot_string(note)}, shape=note, fillcolor="#ffffff"];')
    out.append("}")
    return "\n".join(out) + "\n"
