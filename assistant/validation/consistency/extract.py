"""Walk one Markdown document line by line and collect what it states.

Headings carry their level or severity down to the lines below them, tables are read once they
end, and code fences such as mermaid diagrams are skipped (a ```markdown fence around the whole
answer is read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.validation.consistency.names import NameFact, level_name, role_names
from assistant.validation.consistency.targets import TargetFact, clause_targets, table_targets
from assistant.validation.consistency.terms import quote_line, scopes

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?\*\*(.+?)\*\*\s*:?\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w-]*)")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if not stripped.startswith("|") and stripped.count("|") < 2:
        return None
    return [c.strip() for c in stripped.strip("|").split("|")]


@dataclass
class Extracted:
    """What one document states, ready to be compared with the others."""

    targets: list[TargetFact]
    levels: list[NameFact]
    roles: list[NameFact]
    level_mentions: list[NameFact]


def extract(document: str, text: str) -> Extracted:
    """Targets, level names, role names and level mentions stated in one Markdown document."""
    targets: list[TargetFact] = []
    levels: list[NameFact] = []
    roles: list[NameFact] = []
    mentions: list[NameFact] = []
    stack: list[tuple[int, list[str]]] = []
    table: list[tuple[int, str, list[str]]] = []
    fence: str | None = None
    lines = text.replace("\r\n", "\n").split("\n")

    def heading_scope() -> list[str]:
        for _, found in reversed(stack):
            if found:
                return found
        return []

    def flush_table() -> None:
        if table:
            targets.extend(table_targets(document, table, heading_scope()))
            header = [c.lower() for c in table[0][2]]
            for number, raw, cells in table[1:]:
                if len(cells) >= 2 and re.fullmatch(r"(?:\*\*)?(?:level|tier|l)\s*[-_]?\s*[0-9](?:\*\*)?", cells[0].strip(), re.IGNORECASE):
                    if len(header) >= 2 and re.search(r"name|level|tier|title", header[1]):
                        fact = level_name(document, number, raw, f"{cells[0].strip('* ')}: {cells[1]}")
                        if fact:
                            levels.append(fact)
            table.clear()

    for number, raw in enumerate(lines, 1):
        marker = _FENCE.match(raw)
        if fence is not None:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker and marker.group(2).lower() in ("mermaid", "json", "yaml", "python", "sql", "dot"):
            flush_table()
            fence = marker.group(1)
            continue
        if marker:
            continue  # a ```markdown fence around the whole answer: read its content
        cells = _cells(raw)
        if cells is not None:
            if not _SEPARATOR.match(raw):
                table.append((number, raw, cells))
            roles.extend(role_names(document, number, raw, raw))
            mentions.extend(NameFact(document, number, quote_line(raw), s, s) for s in scopes(raw) if s.startswith("Level"))
            continue
        flush_table()
        heading = _HEADING.match(raw)
        bold = _BOLD_LINE.match(raw) if heading is None else None
        if heading or bold:
            depth = len(heading.group(1)) if heading else 7
            label = heading.group(2) if heading else bold.group(1)  # type: ignore[union-attr]
            while stack and stack[-1][0] >= depth:
                stack.pop()
            stack.append((depth, [s for s in scopes(label) if s != "Level 0"]))
            fact = level_name(document, number, raw, re.sub(r"^[\W\d]*(?=[A-Za-z])", "", label) if not label.lower().startswith(("level", "tier", "l")) else label)
            if fact:
                levels.append(fact)
        else:
            lead = re.match(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?\*\*((?:level|tier|l)\s*[-_]?\s*[0-9][^*]*)\*\*", raw, re.IGNORECASE)
            if lead:
                fact = level_name(document, number, raw, lead.group(1))
                if fact:
                    levels.append(fact)
            targets.extend(clause_targets(document, number, raw, raw, heading_scope()))
        roles.extend(role_names(document, number, raw, raw))
        mentions.extend(NameFact(document, number, quote_line(raw), s, s) for s in scopes(raw) if s.startswith("Level"))
    flush_table()
    return Extracted(targets, levels, roles, mentions)
