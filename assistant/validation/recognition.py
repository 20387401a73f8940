"""Sections a team wrote in its own words: a tier scheme for the levels, a run of role parts for
the ownership model, and the evidence lines that show a body-recognised section's job.

Titles find most sections (:mod:`assistant.validation.titles`); what they miss is recognised here
and marked ``renamed`` with the lines that show it, so a report can say "found under another name".
"""

from __future__ import annotations

from collections.abc import Mapping

from assistant.packs import Checklist, Section
from assistant.validation.bodies import body_text, missing_items
from assistant.validation.claims import Claim
from assistant.validation.outline import Node, Outline
from assistant.validation.roles import OWNERSHIP, owner_sections, role_runs
from assistant.validation.schemes import Tier, scheme_node, tiers_in
from assistant.validation.textmatch import names, normalise
from assistant.validation.titles import TitleMatcher

_EVIDENCE_LINES = 4


def claim_scheme(outline: Outline, checklist: Checklist, claims: dict[str, list[Claim]], matcher: TitleMatcher) -> None:
    """A tier scheme satisfies the levels section's items; where no heading names that section, the
    scheme is it (renamed), unless the scheme sits inside another section whose title does not name levels."""
    section = next((s for s in checklist.sections if s.scheme), None)
    node = scheme_node(outline)
    if section is None or node is None:
        return
    tiers = tiers_in(outline, node.body_start, node.end)
    for claim in claims.get(section.id, []):
        if claim.has_body and claim.node.line <= node.line < max(claim.node.end, node.line + 1):
            claim.missing_items, claim.evidence = [], [tier.line for tier in tiers]
            return
    if any(c.has_body for c in claims.get(section.id, [])):
        return
    inside_other = any(
        other.has_body and other.node.line < node.line < other.node.end
        for sid, found in claims.items()
        if sid != section.id
        for other in found
    )
    if inside_other and section.id not in matcher.match(node.title):
        return
    claims.setdefault(section.id, []).append(Claim(node, True, [], renamed=True, evidence=[t.line for t in tiers]))


def scheme_tiers(outline: Outline, claim: Claim) -> list[Tier]:
    """The tiers a levels claim's evidence points at, most severe first."""
    lines = set(claim.evidence)
    if not lines:
        return []
    start, end = min(lines), max(lines) + 1
    return [tier for tier in tiers_in(outline, start, end) if tier.line in lines]


def claim_roles(
    outline: Outline, checklist: Checklist, claims: dict[str, list[Claim]], roles: Mapping[str, list[str]]
) -> None:
    """Parts named after three or more roles are the ownership section (renamed) when no heading names it."""
    section = next((s for s in checklist.sections if s.ownership), None)
    if section is None or any(c.has_body for c in claims.get(section.id, [])):
        return
    for run in [*role_runs(outline, roles), *([node] for node in owner_sections(outline, roles))]:
        if any(_inside_claim(node, claims) for node in run):
            continue
        body = " ".join(body_text(outline, node) + " " + normalise(node.title) for node in run)
        evidence = [node.line for node in run] if len(run) > 1 else [run[0].line, *_ownership_lines(outline, run[0])]
        claims.setdefault(section.id, []).append(Claim(run[0], True, missing_items(section, body), True, evidence))
        return


def _ownership_lines(outline: Outline, node: Node) -> list[int]:
    return [i for i in range(node.body_start, node.end) if OWNERSHIP.search(outline.lines[i])][: _EVIDENCE_LINES - 1]


def _inside_claim(node: Node, claims: dict[str, list[Claim]]) -> bool:
    return any(c.node.line < node.line < c.node.end for found in claims.values() for c in found if c.has_body)


def evidence_lines(outline: Outline, node: Node, section: Section) -> list[int]:
    """The first lines of ``node``'s body that name one of the section's items or evidence."""
    phrases = [p for sign in [*section.items, *section.evidence] for p in sign.phrases]
    found = []
    for index in range(node.body_start, node.end):
        if len(found) == _EVIDENCE_LINES:
            break
        line = normalise(outline.lines[index])
        if line and any(names(line, phrase) for phrase in phrases):
            found.append(index)
    return found
