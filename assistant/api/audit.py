"""Auditing the policy a team already has: read it in any format, check it as a finished document,
draft only what it lacks (with the chosen model or the offline composer) and hand it back.

The person's text is theirs: the drafted sections are put in around it, never over it, and the
document goes back out as Markdown (the same bytes plus the new sections), Word or HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.chain import ChainEvent, ChainRunner
from assistant.packs import Pack, Step
from assistant.validation import ValidationReport, document_facts, gap_prompt, insert_sections, repair_plan, validate_step


_PLACEHOLDER = re.compile(r"\[([A-Z][A-Z0-9_]*)\]")


@dataclass(frozen=True)
class FilledDocument:
    """The document with the drafted sections put in, and what it took."""

    text: str
    #: the filled document's own report
    report: ValidationReport
    #: titles of the sections asked for (whole, or the points they lacked)
    asked: list[str]
    provider: str
    model: str
    cost: float | None


def audit(text: str, pack: Pack, step: Step) -> ValidationReport:
    """A person's finished document against a step's checklist (never read as cut off)."""
    return validate_step(text, pack, step.id, finished=True)


def draft_variables(pack: Pack, organisation: str) -> dict[str, str | list[str]]:
    """What stands for the pack's variables when the facts are a document's, not a form's: the
    organisation's name when given; "your <label>" where a checklist item names a variable (so no raw
    placeholder reaches the draft); nothing otherwise, so drafts use their own general wording."""
    named = {name.lower() for checklist in pack.checklists.values() for s in checklist.sections for i in s.items
             for name in _PLACEHOLDER.findall(i.text)}
    variables: dict[str, str | list[str]] = {
        v.name: f"your {v.label.lower()}" if v.name in named else "" for v in pack.variables
    }
    first = next((v.name for v in pack.variables if v.type == "text"), None)
    if organisation.strip() and first is not None:
        variables[first] = organisation.strip()
    return variables


def fill(
    runner: ChainRunner,
    text: str,
    step: Step,
    *,
    organisation: str = "",
    on_event: Callable[[ChainEvent], None] | None = None,
) -> FilledDocument:
    """Ask ``runner``'s provider for exactly the document's gaps and put the answer in."""
    pack = runner.pack
    checklist = pack.checklist_for(step.id)
    report = audit(text, pack, step)
    if checklist is None or not report.gaps:
        return FilledDocument(text, report, [], runner.provider.name, runner.model, None)
    plan = repair_plan(report, checklist)
    prompt = gap_prompt(pack, step, text, report, document_facts(text, report, pack, organisation), runner.variables)
    addition, result = runner.draft_sections(step.id, prompt, plan, on_event=on_event)
    filled = insert_sections(text, addition, checklist, plan, pack.vocabulary.roles)
    asked = [checklist.section(section_id).title for section_id in plan]
    return FilledDocument(filled, audit(filled, pack, step), asked, runner.provider.name, runner.model, result.cost)
