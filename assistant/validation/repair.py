"""Targeted repair: ask only for what is missing, then merge it into the draft.

A full regeneration re-sends the prompt and re-bills the whole answer. The
repair prompt instead names the missing sections (with their required items)
and, for incomplete sections, only the items they lack; it gives the facts and
a compact outline of what already exists so names and numbers stay consistent.
The answer is merged into the draft in checklist order: a missing section is
inserted, an empty one replaced, and the new points of an incomplete one are
added at its end.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.packs import Checklist, ListValue, Pack, Section, Step, fill_placeholders
from assistant.validation.outline import RULE_LINE, Node, Outline, parse_outline
from assistant.validation.report import ValidationReport
from assistant.validation.sections import find_sections, section_spans
from assistant.validation.textmatch import normalise

_HEADING = re.compile(r"^(\s{0,3})(#{1,6})(\s+)")
_OUTLINE_LIMIT = 40


def draft_outline(draft: str, limit: int = _OUTLINE_LIMIT) -> list[str]:
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


def repair_plan(report: ValidationReport, checklist: Checklist) -> dict[str, list[str]]:
    """What a repair asks for, in checklist order: each missing section (no items: the whole of it)
    and each incomplete section with only the items it lacks.

    A missing runbook window or templates section that incomplete parts (roles) lack as an item is
    written inside those parts, not once more as a section of its own.
    """
    gaps = report.gaps
    sections = {section_id: checklist.section(section_id) for section_id in gaps}
    in_parts = {normalise(item) for section_id, items in gaps.items() if sections[section_id].part for item in items}
    return {
        section_id: items
        for section_id, items in gaps.items()
        if items or not (sections[section_id].nested and normalise(sections[section_id].title) in in_parts)
    }


def _section_spec(
    section: Section, number: int | None, variables: Mapping[str, str | list[str]], only: list[str]
) -> list[str]:
    title = f"{number}) {section.title}" if number else section.title
    lines = [f"### {title}"]
    lines += [f"- {fill_placeholders(item.text, variables)}" for item in section.items if not only or item.text in only]
    return lines + [""]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def gaps_request(
    pack: Pack, checklist: Checklist, plan: Mapping[str, list[str]], variables: Mapping[str, str | list[str]]
) -> list[str]:
    """The lines of a request that name exactly the gaps: whole sections to write, then points to add."""
    numbering = {s.id: i for i, s in enumerate(checklist.listed, 1)}
    whole = [sid for sid, items in plan.items() if not items]
    partial = [sid for sid, items in plan.items() if items]
    parts: list[str] = []
    if whole:
        parts += ["Sections to write:", ""]
        for section_id in whole:
            parts += _section_spec(checklist.section(section_id), numbering.get(section_id), variables, [])
    if partial:
        parts += [
            "Points to add to sections the draft already has (write only these points under the section's heading; "
            "they are added at the end of that section):",
            "",
        ]
        for section_id in partial:
            section = checklist.section(section_id)
            parts += _section_spec(section, numbering.get(section_id), variables, list(plan[section_id]))
    return parts


def gaps_summary(plan: Mapping[str, list[str]]) -> str:
    """'is missing 2 required sections and lacks required points in 1 section'."""
    whole = sum(1 for items in plan.values() if not items)
    partial = len(plan) - whole
    gaps = [f"is missing {_plural(whole, 'required section')}"] if whole else []
    gaps += [f"lacks required points in {_plural(partial, 'section')}"] if partial else []
    return " and ".join(gaps)


def gaps_prompt(
    pack: Pack,
    step: Step,
    text: str,
    report: ValidationReport,
    variables: Mapping[str, str | list[str]],
    *,
    intro: str,
    facts: tuple[str, list[str]],
    outline_note: str,
) -> str:
    """A request for exactly the gaps: ``intro`` (with ``{gaps}`` for what is missing), the sections and
    points to write, the ``facts`` under their heading, and the text's outline under ``outline_note``."""
    checklist = pack.checklist_for(step.id)
    if checklist is None:
        raise ValueError(f"step {step.id!r} has no checklist to complete against")
    plan = repair_plan(report, checklist)
    parts = [intro.format(gaps=gaps_summary(plan)), "", *gaps_request(pack, checklist, plan, variables)]
    heading, lines = facts
    if lines:
        parts += [heading, *lines, ""]
    outline = draft_outline(text)
    if outline:
        parts += [outline_note, *outline, ""]
    return "\n".join(parts).rstrip() + "\n"


def build_repair_prompt(
    pack: Pack,
    step: Step,
    draft: str,
    report: ValidationReport,
    variables: Mapping[str, str | list[str]],
) -> str:
    """The follow-up prompt: only the missing sections and the missing points of incomplete ones."""
    intro = (
        f"You are completing a draft “{step.title}” for {pack.title}. The draft is good but {{gaps}}. "
        "Write ONLY what is listed below, each under its own Markdown heading (`## ` followed by the number and title "
        "exactly as given), complete and specific, with tables, steps and times where they help. Do not repeat or "
        "rewrite anything the draft already has, and add no preamble or closing remarks."
    )
    return gaps_prompt(
        pack, step, draft, report, variables, intro=intro,
        facts=("Facts about the organisation:", _facts(pack, variables)),
        outline_note="The existing draft, in outline (keep its names, levels, roles, numbers and targets consistent):",
    )


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
    """Merge the repair answer's ``wanted`` sections into ``draft`` in checklist order.

    A section the draft has with a real body (an incomplete one) gets the addition's points at
    its end; an empty one is replaced; a missing one goes before the next section the draft
    already has (or at the end). Substantial text in the addition outside the wanted sections is
    appended rather than dropped; an addition holding none of the wanted sections leaves the
    draft unchanged.
    """
    draft_outline, draft_claims = find_sections(draft, checklist)
    draft_spans = {key: found[0].node for key, found in draft_claims.items() if found}
    add_outline, add_spans = section_spans(addition, checklist)
    pieces = {sid: add_spans[sid] for sid in wanted if sid in add_spans}
    if not pieces:
        return draft  # an answer that holds none of the wanted sections is not merged

    target_level = _section_level(draft_spans) or 2
    add_level = _section_level(add_spans) or target_level
    lines = draft.replace("\r\n", "\n").split("\n")
    order = [s.id for s in checklist.sections]
    offset = draft_outline.offset
    edits: list[tuple[int, int, int, list[str]]] = []
    for section_id, node in pieces.items():
        rank = order.index(section_id)
        existing = draft_claims.get(section_id, [])
        if existing and existing[0].has_body:  # incomplete: its new points go at the end of the section
            body = trimmed_lines(_shift_headings(add_outline.lines[node.body_start : node.end], target_level, add_level))
            if body:
                at = content_end(draft_outline.lines, existing[0].node)
                edits.append((offset + at, offset + at, rank, ["", *body]))
            continue
        block = [*trimmed_lines(_shift_headings(add_outline.lines[node.line : node.end], target_level, add_level)), ""]
        if existing:  # an empty section: replace it
            edits.append((offset + existing[0].node.line, offset + existing[0].node.end, rank, block))
            continue
        # only sections standing at the top of the draft mark a position: time windows sit inside
        # earlier parts, while the final checklist, though allowed to nest, usually stands alone
        later = [
            draft_spans[s]
            for s in order[rank + 1 :]
            if s in draft_spans and not _inside_another(draft_spans[s], draft_spans)
        ]
        if later:
            at = offset + min(later_node.line for later_node in later)
        else:
            at = offset + len(draft_outline.lines)
            while at > offset and not lines[at - 1].strip():
                at -= 1
            block = ["", *block]
        edits.append((at, at, rank, block))
    # bottom-up keeps earlier line numbers valid; at one position, later sections go in first
    for start, end, _, block in sorted(edits, key=lambda e: (e[0], e[2]), reverse=True):
        lines[start:end] = block
    merged = "\n".join(lines).rstrip("\n") + "\n"
    leftovers = _unmatched_text(add_outline, add_spans, pieces)
    return merged + ("\n" + leftovers + "\n" if leftovers else "")


def trimmed_lines(lines: list[str]) -> list[str]:
    """``lines`` without blank lines at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def content_end(lines: list[str], node: Node) -> int:
    """Where a section's own text ends: before the blank lines and rules that close it."""
    end = node.end
    while end > node.body_start and (not lines[end - 1].strip() or RULE_LINE.match(lines[end - 1])):
        end -= 1
    return end


def _inside_another(node: Node, spans: Mapping[str, Node]) -> bool:
    return any(other is not node and other.line < node.line < other.end for other in spans.values())


def _unmatched_text(outline: Outline, spans: Mapping[str, Node], used: Mapping[str, Node]) -> str:
    """Substantial text in the repair answer after its first merged section that no merged
    section covers (kept, not dropped); a preamble before the first section is dropped."""
    covered: set[int] = set()
    for section_id in used:
        covered.update(range(spans[section_id].line, spans[section_id].end))
    first = min(spans[s].line for s in used)
    rest = [line for i, line in enumerate(outline.lines) if i not in covered and i > first]
    text = "\n".join(rest).strip()
    return text if len(text.split()) >= 12 else ""
