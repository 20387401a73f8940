"""Where each of a checklist's sections is, found the way a careful reader finds them.

* every heading and heading-like line is a candidate (see :mod:`assistant.validation.outline`);
* a candidate's title is matched against each section's ``title`` and
  ``aliases`` after normalising case, punctuation and numbering;
* a candidate nested inside a matched section belongs to that section (so
  ``### Metrics to watch`` under the intake section does not make a metrics
  section), unless the checklist marks the section ``nested`` (runbook time
  windows, the final checklist);
* a candidate whose title matches nothing is recognised from its body when
  the body clearly covers a section's required items;
* a table of contents, an intro naming the sections, a keyword in another
  section's prose, or the model's own ticked checklist never make a section
  present.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from assistant.packs import Checklist, Section
from assistant.validation.bodies import body_text, has_real_body, missing_items
from assistant.validation.claims import Claim
from assistant.validation.recognition import claim_roles, claim_scheme, evidence_lines
from assistant.validation.outline import COLON_RANK, HEADING, Node, Outline, parse_outline
from assistant.validation.textmatch import names, normalise
from assistant.validation.titles import TitleMatcher


def find_sections(
    text: str, checklist: Checklist, roles: Mapping[str, list[str]] | None = None
) -> tuple[Outline, dict[str, list[Claim]]]:
    """Every place in ``text`` that holds one of the checklist's sections (``roles``: the pack's role vocabulary)."""
    matcher = TitleMatcher(checklist)
    sections = {s.id: s for s in checklist.sections}

    outline = parse_outline(text, _promoter(matcher, sections))
    claims: dict[str, list[Claim]] = {}
    unmatched_leaves: list[Node] = []

    def claim(section_id: str, node: Node) -> None:
        section = sections[section_id]
        present = has_real_body(outline, node)
        missing = missing_items(section, body_text(outline, node)) if present else [i.text for i in section.items]
        claims.setdefault(section_id, []).append(Claim(node, present, missing))

    title_node = _title_heading(outline)

    def visit(node: Node, owners: list[str]) -> None:
        """``owners``: the sections claimed by the nearest matched ancestor (empty at the top).

        Inside a section only ``nested`` sections may be claimed, except that a nested kind of
        section (a time window) owns nothing exclusively: roles organised by window still count.
        The document's own title heading may name a section, but owns nothing below it (unless it is
        a fan-out part's title, "# SME Lead runbook", which holds that part).
        """
        matched = matcher.match(node.title)
        if node.rank == COLON_RANK:
            matched = [sid for sid in matched if matcher.names_whole(node.title, sid)]
        if matched and not owners and _is_document_title(matcher, sections, node, matched):
            matched = []
        if node is title_node and not any(sections[sid].part for sid in matched):
            for section_id in matched:
                claim(section_id, node)
            for child in node.children:
                visit(child, [])
            return
        if owners:
            open_owner = all(sections[o].nested for o in owners)
            taken = [sid for sid in matched if sections[sid].nested or open_owner]
            for section_id in taken:
                claim(section_id, node)
            owners = taken if taken and open_owner else owners
        elif matched:
            for section_id in matched:
                claim(section_id, node)
            owners = matched
        elif matcher.is_toc(node.title):
            return
        elif (job := _job_over_one_heading(outline, checklist, matcher, node)) is not None:
            # "How to communicate" over "Initial communication … Resolution": its "Resolution" is a message
            # of the communication plan, not the closure section
            evidence = evidence_lines(outline, node, job)
            claims.setdefault(job.id, []).append(
                Claim(node, True, missing_items(job, body_text(outline, node)), True, evidence)
            )
            owners = [job.id]
        elif not any(matcher.match(d.title) for d in node.descendants()):
            if not matcher.is_intro(node.title):
                unmatched_leaves.append(node)
        for child in node.children:
            visit(child, owners)

    for root in outline.roots:
        visit(root, [])
    claim_scheme(outline, checklist, claims, matcher)
    claim_roles(outline, checklist, claims, roles or {})
    _infer_from_bodies(outline, checklist, unmatched_leaves, claims)
    _fill_part_windows(outline, checklist, claims)
    return outline, {key: sorted(found, key=lambda c: c.rank_key) for key, found in claims.items()}


def _promoter(matcher: TitleMatcher, sections: Mapping[str, Section]) -> Callable[[Node, Node], bool]:
    def promote(parent: Node, child: Node) -> bool:
        """Is this sub-heading really a sibling the model mis-levelled?"""
        child_ids = matcher.match(child.title)
        parent_ids = matcher.match(parent.title)
        if not child_ids or not parent_ids or not set(child_ids).isdisjoint(parent_ids):
            return False
        if child.number is not None and parent.number is not None:
            return child.number > parent.number  # "### 5)" or "**5) ...**" under "## 4)"
        if child.kind != "heading":
            return False  # an unnumbered bold line after a heading is a sub-label of its section
        return all(sections[c].part for c in child_ids) and all(sections[p].part for p in parent_ids)  # two roles

    return promote


def _is_document_title(matcher: TitleMatcher, sections: Mapping[str, Section], node: Node, matched: list[str]) -> bool:
    """A heading over two or more children that name other top-level sections is the document's title
    (unless it is itself a nested kind of section, like a time window holding the roles)."""
    if all(sections[sid].nested for sid in matched):
        return False
    others = {
        sid for child in node.children for sid in matcher.match(child.title) if sid not in matched and not sections[sid].nested
    }
    return len(others) >= 2


def _job_over_one_heading(outline: Outline, checklist: Checklist, matcher: TitleMatcher, node: Node) -> Section | None:
    """The section an unnamed heading's whole body is, when only one heading below it names a section
    and that is another one (so the named one is a sub-part of it, never a section of its own)."""
    if not node.children or node.rank == 1 or matcher.is_intro(node.title):
        return None  # a document's title over what is left of it is no section
    below = {sid for d in node.descendants() for sid in matcher.match(d.title)}
    if len(below) != 1:
        return None
    jobs = [s for s in _recognise(outline, checklist, node, set()) if s.id not in below and not s.nested]
    return jobs[0] if len(jobs) == 1 else None


def _title_heading(outline: Outline) -> Node | None:
    """The document's one top heading (``# Incident playbook``) over two or more headings, if it has one."""
    tops = [root for root in outline.roots if root.kind == HEADING]
    if len(tops) != 1 or tops[0].rank != 1:
        return None
    return tops[0] if sum(1 for child in tops[0].children if child.kind == HEADING) >= 2 else None


def section_spans(text: str, checklist: Checklist) -> tuple[Outline, dict[str, Node]]:
    """The best node for each section found (used to merge repairs into a draft)."""
    outline, claims = find_sections(text, checklist)
    return outline, {key: found[0].node for key, found in claims.items() if found}


def _infer_from_bodies(
    outline: Outline, checklist: Checklist, leaves: list[Node], claims: dict[str, list[Claim]]
) -> None:
    """A heading that names no section still counts when its body clearly is one.

    A heading over two or more sub-headings that are each recognised as a different section is the
    document's title, not a section covering them all (as with titles over named sections).
    """
    for node in leaves:
        recognised_below = {s.id for child in node.children for s in _recognise(outline, checklist, child, set())[:1]}
        if len(recognised_below) >= 2:
            continue
        taken = {section_id for section_id, found in claims.items() if any(c.has_body for c in found)}
        body = body_text(outline, node)
        for section in _recognise(outline, checklist, node, taken):
            evidence = evidence_lines(outline, node, section)
            claims.setdefault(section.id, []).append(Claim(node, True, missing_items(section, body), True, evidence))


def _recognise(outline: Outline, checklist: Checklist, node: Node, taken: set[str]) -> list[Section]:
    """The sections (not in ``taken``) whose items and evidence ``node``'s body clearly covers."""
    if not has_real_body(outline, node):
        return []
    body = body_text(outline, node)
    scored = []
    for section in checklist.sections:
        signs = [*section.items, *section.evidence]
        if len(signs) < 2 or section.id in taken:
            continue
        hits = [[p for p in sign.phrases if names(body, p)] for sign in signs]
        found = sum(1 for phrases in hits if phrases)
        ratio = found / len(signs)
        # two common words ("page", "backup") are not a section's job; a phrase of two words or more is
        specific = any(len(p.split()) > 1 for phrases in hits for p in phrases)
        if found >= 3 or (found >= 2 and (ratio >= 0.75 or (ratio >= 0.5 and specific))):
            scored.append((ratio, found, section))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    strong = [section for ratio, found, section in scored if ratio >= 0.75 and found >= 3]
    if len(strong) > 1:
        return strong  # one heading over two whole sections ("Comms" covering customer and internal)
    if scored and (len(scored) == 1 or scored[0][:2] != scored[1][:2]):
        return [scored[0][2]]
    return []


def _fill_part_windows(outline: Outline, checklist: Checklist, claims: dict[str, list[Claim]]) -> None:
    """A nested section (e.g. 'First hour') also counts when a part writes it as a label of its
    own — a line or table cell that starts with it ("| 0–15 min | ...", "First hour: ...") —
    rather than as a heading. A mention in prose ("use the templates in section 5") does not."""
    parts = [s for s in checklist.sections if s.part]
    for section in checklist.sections:
        if not section.nested or any(c.has_body for c in claims.get(section.id, [])):
            continue
        for part in parts:
            item = next((i for i in part.items if normalise(i.text) == normalise(section.title)), None)
            if item is None:
                continue
            phrases = [normalise(p) for p in item.phrases]
            for claim in claims.get(part.id, []):
                if claim.has_body and _labels_with(outline, claim.node, phrases):
                    claims.setdefault(section.id, []).append(Claim(claim.node, True, []))
                    break


def _labels_with(outline: Outline, node: Node, phrases: list[str]) -> bool:
    for line in outline.lines[node.body_start : node.end]:
        for cell in line.split("|"):
            start = normalise(cell)
            if any(start == p or start.startswith(p + " ") for p in phrases):
                return True
    return False
