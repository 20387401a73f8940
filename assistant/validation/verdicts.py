"""From the places that hold each section to one verdict per section: present, incomplete or missing.

A section is ``missing`` when nothing claims it (``absent``) or only empty headings do
(``empty``: "TBD", "N/A", a bare heading); ``incomplete`` when it has a real body but named
required items are found nowhere in it; ``present`` when every item is there. A section a
model split over several places has an item when any of its places has it, and a runbook
part (one role) has a window or the templates when the document gives them a section of
their own outside every part (runbooks organised by time window, one shared templates section).
"""

from __future__ import annotations

from assistant.packs import Checklist, Section
from assistant.validation.outline import Node, Outline
from assistant.validation.recognition import scheme_tiers
from assistant.validation.report import Evidence, FoundAs, SectionResult
from assistant.validation.schemes import pack_level
from assistant.validation.claims import Claim
from assistant.validation.textmatch import normalise


def section_results(outline: Outline, checklist: Checklist, claims: dict[str, list[Claim]]) -> list[SectionResult]:
    """One verdict per checklist section, in checklist order (``claims`` best place first)."""
    shared = _shared_sections(checklist, claims)
    return [_verdict(outline, section, claims.get(section.id, []), shared) for section in checklist.sections]


def _verdict(outline: Outline, section: Section, found: list[Claim], shared: set[str]) -> SectionResult:
    if not found:
        return SectionResult(id=section.id, title=section.title, status="missing", reason="absent")
    best = found[0]
    line = outline.original_line(best.node.line)
    bodies = [claim for claim in found if claim.has_body]
    if not bodies:
        return SectionResult(id=section.id, title=section.title, status="missing", reason="empty", line=line)
    lacking_everywhere = set.intersection(*(set(claim.missing_items) for claim in bodies))
    gaps = [
        item.text
        for item in section.items
        if item.text in lacking_everywhere and not (section.part and normalise(item.text) in shared)
    ]
    status = "renamed" if best.renamed else "incomplete" if gaps else "present"
    return SectionResult(
        id=section.id,
        title=section.title,
        status=status,
        line=line,
        missing_items=gaps,
        found_as=FoundAs(title=best.node.title, line=line) if best.renamed else None,
        evidence=_evidence(outline, section, best),
    )


def _evidence(outline: Outline, section: Section, claim: Claim) -> list[Evidence]:
    """The lines that show the section's job; a tier scheme's lines say which pack level each tier stands for."""
    tiers = scheme_tiers(outline, claim) if section.scheme else []
    if tiers:
        return [
            Evidence(
                line=outline.original_line(tier.line),
                text=f"{tier.label} → {section.items[pack_level(i, len(tiers), len(section.items))].text}",
            )
            for i, tier in enumerate(tiers)
            if section.items
        ]
    return [Evidence(line=outline.original_line(i), text=outline.lines[i].strip()[:200]) for i in claim.evidence]


def _shared_sections(checklist: Checklist, claims: dict[str, list[Claim]]) -> set[str]:
    """Normalised titles of nested sections (windows, templates) that stand outside every part."""
    parts = [claim.node for section in checklist.sections if section.part for claim in claims.get(section.id, [])]
    return {
        normalise(section.title)
        for section in checklist.sections
        if section.nested
        and any(claim.has_body and not _inside_any(claim.node, parts) for claim in claims.get(section.id, []))
    }


def _inside_any(node: Node, parts: list[Node]) -> bool:
    return any(part is node or part.line < node.line < part.end for part in parts)
