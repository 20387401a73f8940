"""Targeted repair: ask only for what is missing, then merge it into the draft.

A full regeneration re-sends the prompt and re-bills the whole answer. The
repair prompt instead names the missing or empty sections (with their
required items), gives the facts and a compact outline of what already
exists so names and numbers stay consistent, and asks for those sections
only. The answer is merged into the draft in checklist order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.validation.report import ValidationReport
from assistant.validation.sections import section_spans
from assistant.validation.outline import Node, Outline, parse_outline
from assistant.packs import ListValue, fill_placeholders
from assistant.packs import Checklist, Pack, Section, Step

_HEADING = re.compile(r"^(\s{0,3})(#{1,6})(\s+)")
_OUTLINE_LIMIT = 40


def _outline(draft: str, limit: int = _OUTLINE_LIMIT) -> list[str]:
    """The draft's headings (and heading-like lines), indented by level, as a compact summary."""
    outline = parse_outline(draft)
    entries = [f"{'  ' * min(max(n.rank - 1, 0), 3)}- {n.title}" for n in outline.nodes if n.kind != "item"]
    if len(entries) > limit:
        entries = entries[:limit] + [f"- … ({len(entries) - limit} more headings)"]
    return entries


def _facts(pack: Pack, variables: Mapping[str, str | list[str]]) -> list[str]:
    lines = []
    for variable in pack.variables:
        value = variables.get(variable.name)
        if value:
            shown = ListValue(value).inline if isinstance(value, list) else value
            lines.append(f"- {variable.label}: {shown}")
    return lines


def _section_spec(section: Section, number: int | None, variables: Mapping[str, str | list[str]]) -> list[str]:
    title = f"{number}) {section.title}" if number else section.title
    lines = [f"### {title}"]
    lines += [f"- {fill_placeholders(item.text, variables)}" for item in section.items]
    return lines


def build_repair_prompt(
    pack: Pack,
    step: Step,
    draft: str,
    report: ValidationReport,
    variables: Mapping[str, str | list[str]],
) -> str:
    """The follow-up prompt: only the missing sections, with what they must contain."""
    checklist = pack.checklist_for(step.id)
    if checklist is None:
        raise ValueError(f"step {step.id!r} has no checklist to repair against")
    wanted = list(report.missing)  # missing or empty, in checklist order
    numbering = {s.id: i for i, s in enumerate(checklist.listed, 1)}
    specs: list[str] = []
    for section_id in wanted:
        specs += _section_spec(checklist.section(section_id), numbering.get(section_id), variables)
        specs.append("")
    outline = _outline(draft)
    parts = [
        f"You are completing a draft “{step.title}” for {pack.title}. The draft is good but is missing "
        f"{len(wanted)} required section{'s' if len(wanted) != 1 else ''}. Write ONLY these sections, each under its own "
        "Markdown heading (`## ` followed by the number and title exactly as given), complete and specific, "
        "with tables, steps and times where they help. Do not repeat or rewrite sections that already exist, "
        "and add no preamble or closing remarks.",
        "",
        "Sections to write:",
        "",
        *specs,
        "Facts about the organisation:",
        *_facts(pack, variables),
        "",
    ]
    if outline:
        parts += [
            "The existing draft, in outline (keep its names, levels, roles, numbers and targets consistent):",
            *outline,
            "",
        ]
    return "\n".join(parts).rstrip() + "\n"


def _shift_headings(lines: list[str], target_level: int, current_level: int) -> list[str]:
    delta = target_level - current_level
    if delta == 0:
        return lines
    shifted = []
    for line in lines:
        match = _HEADING.match(line)
        if match:
            level = min(6, max(1, len(match.group(2)) + delta))
            line = f"{match.group(1)}{'#' * level}{match.group(3)}{line[match.end():]}"
        shifted.append(line)
    return shifted


def _section_level(spans: Mapping[str, Node]) -> int | None:
    """The heading level the document uses for its sections (e.g. 2 for ``##``)."""
    levels = [node.rank for node in spans.values() if node.kind == "heading"]
    return min(levels) if levels else None


def merge_repair(draft: str, addition: str, checklist: Checklist, wanted: list[str]) -> str:
    """Insert the repaired sections into ``draft`` in checklist order.

    Empty sections are replaced; missing ones go before the next section the
    draft already has (or at the end). Substantial text in the addition outside
    the wanted sections is appended rather than dropped; an addition holding
    none of the wanted sections leaves the draft unchanged.
    """
    draft_outline, draft_spans = section_spans(draft, checklist)
    add_outline, add_spans = section_spans(addition, checklist)
    add_lines = add_outline.lines
    pieces: dict[str, list[str]] = {}
    for section_id in wanted:
        node = add_spans.get(section_id)
        if node is not None:
            pieces[section_id] = add_lines[node.line : node.end]
    if not pieces:
        return draft  # an answer that holds none of the wanted sections is not merged

    target_level = _section_level(draft_spans) or 2
    add_level = _section_level(add_spans) or target_level
    lines = draft.replace("\r\n", "\n").split("\n")
    order = [s.id for s in checklist.sections]
    # apply from the bottom up so earlier line numbers stay valid
    edits: list[tuple[int, int, int, list[str]]] = []
    for section_id, piece in pieces.items():
        block = _shift_headings(piece, target_level, add_level)
        while block and not block[-1].strip():
            block.pop()
        block = [*block, ""]
        existing = draft_spans.get(section_id)
        if existing is not None:  # an empty section: replace it
            start = draft_outline.offset + existing.line
            end = draft_outline.offset + existing.end
            edits.append((start, end, order.index(section_id), block))
            continue
        # only sections standing at the top of the draft mark a position: time windows sit inside
        # earlier parts, while the final checklist, though allowed to nest, usually stands alone
        later = [
            draft_spans[s]
            for s in order[order.index(section_id) + 1 :]
            if s in draft_spans and not _inside_another(draft_spans[s], draft_spans)
        ]
        if later:
            at = draft_outline.offset + min(node.line for node in later)
        else:
            at = draft_outline.offset + len(draft_outline.lines)
            while at > draft_outline.offset and not lines[at - 1].strip():
                at -= 1
            block = ["", *block]
        edits.append((at, at, order.index(section_id), block))
    # bottom-up keeps earlier line numbers valid; at one position, later sections go in first
    for start, end, _, block in sorted(edits, key=lambda e: (e[0], e[2]), reverse=True):
        lines[start:end] = block
    merged = "\n".join(lines).rstrip("\n") + "\n"
    leftovers = _unmatched_text(add_outline, add_spans, pieces)
    return merged + ("\n" + leftovers + "\n" if leftovers else "")


def _inside_another(node: Node, spans: Mapping[str, Node]) -> bool:
    return any(other is not node and other.line < node.line < other.end for other in spans.values())


def _unmatched_text(outline: Outline, spans: Mapping[str, Node], used: Mapping[str, list[str]]) -> str:
    """Substantial text in the repair answer after its first merged section that no merged
    section covers (kept, not dropped); a preamble before the first section is dropped."""
    covered: set[int] = set()
    for section_id in used:
        covered.update(range(spans[section_id].line, spans[section_id].end))
    first = min(spans[s].line for s in used)
    rest = [line for i, line in enumerate(outline.lines) if i not in covered and i > first]
    text = "\n".join(rest).strip()
    return text if len(text.split()) >= 12 else ""
