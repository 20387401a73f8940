"""The required-sections validator: is every section there, with a real body and its items?

Pure text work (no providers, no store). The sections are found by
:mod:`assistant.validation.sections` and judged by :mod:`assistant.validation.verdicts`
(present, incomplete or missing); this module puts those verdicts, the lints and
truncation together into a :class:`~assistant.validation.report.ValidationReport`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from assistant.packs import Checklist, Pack
from assistant.validation.lints import LintFinding, banned_phrases, finding, has_timeframe, unfilled_placeholders
from assistant.validation.outline import Outline
from assistant.validation.report import SectionResult, ValidationReport
from assistant.validation.claims import Claim
from assistant.validation.sections import find_sections
from assistant.validation.truncation import ends_mid_section
from assistant.validation.verdicts import section_results


def validate(
    text: str,
    checklist: Checklist,
    *,
    name: str = "",
    variables: Iterable[str] = (),
    banned: Iterable[str] = (),
    known_truncated: bool = False,
    roles: Mapping[str, list[str]] | None = None,
    finished: bool = False,
) -> ValidationReport:
    """Judge ``text`` against ``checklist`` and run the lints.

    ``known_truncated`` is set by the chain when the provider reported
    ``finish_reason=length``; otherwise truncation is detected from the text, except in a
    ``finished`` document (a policy a person wrote and published: nothing cut it off).
    ``roles`` is the pack's role vocabulary. A finished document is not asked for what only a model's
    answer has (its own deliverable checklist).
    """
    if finished:
        checklist = Checklist(sections=[s for s in checklist.sections if not s.answer_only])
    outline, claims = find_sections(text, checklist, roles)
    results = section_results(outline, checklist, claims)
    lints = _lints(outline, checklist, results, claims, variables, banned)
    cut_at = None if finished else ends_mid_section(outline)
    truncated = known_truncated or cut_at is not None
    if truncated:
        last = cut_at if cut_at is not None else len(outline.lines) - 1
        line = outline.original_line(last)
        lints.append(finding("truncated", f"The answer stops mid-section (last line {line}).", line))
    # the same finding twice (one placeholder written twice on a line) is one thing to fix
    lints = sorted(dict.fromkeys(lints), key=lambda lint: (lint.line or 0, lint.code))
    return ValidationReport(checklist=name, sections=results, lints=lints, truncated=truncated)


def _lints(
    outline: Outline,
    checklist: Checklist,
    results: list[SectionResult],
    claims: dict[str, list[Claim]],
    variables: Iterable[str],
    banned: Iterable[str],
) -> list[LintFinding]:
    lines = outline.lines
    found = list(unfilled_placeholders(lines, outline, variables))
    found.extend(banned_phrases(lines, outline, banned))
    for section, result in zip(checklist.sections, results, strict=True):
        if not section.timed or result.status == "missing":
            continue
        node = claims[section.id][0].node
        if not has_timeframe("\n".join(lines[node.line : node.end])):
            found.append(
                finding(
                    "missing_timeframe",
                    f"Section “{section.title}” gives no timeframes for its actions.",
                    outline.original_line(node.line),
                )
            )
    return found


def validate_step(
    text: str, pack: Pack, step_id: str, *, known_truncated: bool = False, finished: bool = False
) -> ValidationReport:
    """Validate an answer to one step of a pack (its checklist, variables, banned phrases and role
    vocabulary); ``finished``: a person's published document, never read as cut off."""
    step = pack.step(step_id)
    checklist = pack.checklist_for(step.id) or Checklist(sections=[])
    return validate(
        text,
        checklist,
        name=f"{pack.name}/{step.id}",
        variables=[v.name for v in pack.variables],
        banned=pack.banned_phrases,
        known_truncated=known_truncated,
        roles=pack.vocabulary.roles,
        finished=finished,
    )
