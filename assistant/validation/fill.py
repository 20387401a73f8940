"""Fill the gaps of a person's own document: ask only for what it lacks, in its own terms, and put
the new text in without changing a byte of what they wrote.

The request names the sections the audit found missing (and the points a present section lacks),
with the document's own facts: its title, the role names and the level tiers it uses. The answer's
sections go in where the checklist order puts them, as headings in the document's own style
(``##``, a setext underline or a bold line), in the document's line endings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.packs import Checklist, Pack, Step
from assistant.validation.outline import HEADING, RULE_LINE, Node, Outline, parse_outline
from assistant.validation.repair import content_end, gaps_prompt, trimmed_lines
from assistant.validation.report import ValidationReport
from assistant.validation.claims import Claim
from assistant.validation.sections import find_sections, section_spans
from assistant.validation.textmatch import contains_phrase, normalise

_NUMBERING = re.compile(r"^\s*(?:\d{1,2}[.)]|section\s+\d+\s*[:.—–-])\s*", re.IGNORECASE)


def document_facts(text: str, report: ValidationReport, pack: Pack, organisation: str = "") -> list[str]:
    """What the document itself says about the team: its name, title, role names and level tiers."""
    facts = [f"- Organisation: {organisation}"] if organisation.strip() else []
    title = next((n.title for n in parse_outline(text).nodes if n.kind == HEADING), "")
    if title:
        facts.append(f"- The document is titled: {title}")
    words = normalise(text)
    roles = [name for names in pack.vocabulary.roles.values() for name in names if " + " not in name and len(name) > 3]
    used = [name for name in dict.fromkeys(roles) if contains_phrase(words, normalise(name))]
    if used:
        facts.append(f"- Roles it names (use these names, not others): {', '.join(used)}")
    tiers = [e.text.split(" → ")[0] for s in report.sections if s.evidence and " → " in s.evidence[0].text for e in s.evidence]
    if tiers:
        facts.append(f"- Levels it defines (refer to these, do not invent new ones): {', '.join(tiers)}")
    return facts


def gap_prompt(
    pack: Pack,
    step: Step,
    text: str,
    report: ValidationReport,
    facts: list[str],
    variables: Mapping[str, str | list[str]] | None = None,
) -> str:
    """The request: only the gaps of the team's document, in the document's own terms."""
    intro = (
        f"A team wrote its own “{step.title}” policy. Measured against {pack.title}, it {{gaps}}. "
        "Write ONLY what is listed below, each under its own Markdown heading (`## ` and the title as given), in the "
        "team's own terms (the names of its roles and levels below), complete and specific, with steps and times where "
        "they help. Do not repeat or rewrite anything the document already has, and add no preamble or closing remarks."
    )
    return gaps_prompt(
        pack, step, text, report, variables or {}, intro=intro,
        facts=("What the document itself says:", facts), outline_note="The document, in outline (fit into it):",
    )


def insert_sections(
    text: str, addition: str, checklist: Checklist, plan: Mapping[str, list[str]], roles: Mapping[str, list[str]] | None = None
) -> str:
    """``text`` with the addition's sections for ``plan`` put in; outside them, ``text`` is unchanged byte for byte.

    A missing section goes before the next section the document has (checklist order) or at its
    end, under a heading in the document's style; the points a present section lacks go at that
    section's end, after what it says.
    """
    outline, claims = find_sections(text, checklist, roles)
    add_outline, add_spans = section_spans(addition, checklist)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    style = _heading_style(outline, [found[0].node for found in claims.values() if found])
    order = [s.id for s in checklist.sections]
    inserts: list[tuple[int, int, list[str]]] = []
    for section_id, items in plan.items():
        node = add_spans.get(section_id)
        if node is None:
            continue
        body = trimmed_lines(add_outline.lines[node.body_start : node.end])
        existing = [c for c in claims.get(section_id, []) if c.has_body]
        if existing and items:
            at = outline.offset + content_end(outline.lines, existing[0].node)
            inserts.append((at, order.index(section_id), body))
            continue
        title = _NUMBERING.sub("", node.title).strip() or checklist.section(section_id).title
        at = _position(outline, claims, order, section_id)
        inserts.append((at, order.index(section_id), [*_heading(title, style), "", *body]))
    for at, _, block in sorted(inserts, key=lambda i: (i[0], i[1]), reverse=True):
        at = min(at, len(lines))  # the text's last line may end without a line break
        lines[at:at] = _separated(lines, at, block, newline)
    return "".join(lines)


def _heading_style(outline: Outline, sections: list[Node]) -> tuple[str, int]:
    """('atx', 2), ('setext', 1) or ('bold', 0): how the document marks its sections."""
    headings = [n for n in sections if n.kind == HEADING] or [n for n in outline.nodes if n.kind == HEADING and n.rank > 1]
    if not headings:
        return ("bold", 0) if sections else ("atx", 2)
    level = min(n.rank for n in headings)
    first = next(n for n in headings if n.rank == level)
    below = outline.lines[first.line + 1] if first.line + 1 < len(outline.lines) else ""
    setext = not outline.lines[first.line].lstrip().startswith("#") and RULE_LINE.match(below) and level <= 2
    return ("setext", level) if setext else ("atx", level)


def _heading(title: str, style: tuple[str, int]) -> list[str]:
    kind, level = style
    if kind == "bold":
        return [f"**{title}**"]
    if kind == "setext":
        return [title, ("=" if level == 1 else "-") * max(3, len(title))]
    return [f"{'#' * level} {title}"]


def _position(outline: Outline, claims: Mapping[str, list[Claim]], order: list[str], section_id: str) -> int:
    """Before the next section (checklist order) the document has at its top level, else at the end."""
    later = [
        found[0].node.line
        for sid in order[order.index(section_id) + 1 :]
        if (found := claims.get(sid)) and found[0].has_body and _top_level(found[0].node)
    ]
    return outline.offset + (min(later) if later else len(outline.lines))


def _top_level(node: Node) -> bool:
    """A section of the document itself: no parent, or only the document's title heading above it."""
    parent = node.parent
    return parent is None or (parent.parent is None and parent.rank == 1)


def _separated(lines: list[str], at: int, block: list[str], newline: str) -> list[str]:
    """The block as lines ending in ``newline``, with a blank line either side where the text has none."""
    before = lines[at - 1] if at > 0 else ""
    prefix = [newline] if before and not before.endswith(("\n", "\r")) else []  # end the document's last line
    prefix += [newline] if before.strip() else []
    suffix = [newline] if at < len(lines) and lines[at].strip() else []
    return [*prefix, *(line + newline for line in block), *suffix]
