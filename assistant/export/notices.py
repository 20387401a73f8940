"""What the first page of every format says before anyone reads on: whether the set is approved or a
draft, offline drafts, parts that never finished, parts written before the text they read changed,
and checklist gaps.

A document is forwarded, printed and read by people who never saw the app. Each format shows
these notes in the same words above its contents, so nobody takes a draft for the finished thing.
Why a step is out of date comes from the document set (a step it read, or a variable, changed).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.export.document import OFFLINE_NOTE, ExportDocument, ExportStep
from assistant.validation import ValidationReport

DRAFT_LABEL = "Draft - not approved"
#: statuses whose text is a whole answer: a finished attempt, or a current version a person or a repair made
FINISHED = frozenset({"done", "edited", "pasted", "repaired", "restored", "imported", "calibrated"})
_WHY_UNFINISHED = {
    "pending": "it has not finished a run yet",
    "running": "it was still being written when this file was made",
    "interrupted": "it was interrupted before it finished",
    "cancelled": "it was stopped before it finished",
    "failed": "it failed before it finished",
    "incomplete": "some of its parts failed",
    "truncated": "it was cut off at the model's length limit",
}


@dataclass(frozen=True)
class Notice:
    """One note, read as "label: text" (the label set in bold)."""

    #: offline, unfinished, outdated or checklist
    kind: str
    label: str
    text: str


def notices(document: ExportDocument) -> list[Notice]:
    """The notes for the first page: approved or draft first, then the most serious; a finished,
    current, complete, approved set carries only its approval."""
    label, _, text = OFFLINE_NOTE.partition(": ")
    if document.approval:
        found = [Notice("approved", document.approval, "signed off; an edit starts a new draft that needs approval again.")]
    else:
        found = [Notice("draft", DRAFT_LABEL, "nobody has approved this version of the set; it may still change.")]
    found += [Notice("offline", label, text)] if document.offline else []
    found += [_unfinished(step) for step in document.steps if step.status not in FINISHED]
    found += [
        Notice("outdated", "Out of date", f"{step.title}: {'; '.join(step.stale)}. Re-run it so it follows the current set.")
        for step in document.steps
        if step.stale
    ]
    for step in document.steps:
        if step.report is not None and not step.report.ok:
            found.append(Notice("checklist", "Checklist", f"{step.title}: {_verdict(step.report)} (see the Checklist appendix)."))
    return found


def _unfinished(step: ExportStep) -> Notice:
    why = _WHY_UNFINISHED.get(step.status, f"its status is {step.status}")
    return Notice("unfinished", "Unfinished", f"{step.title}: {why}; this is the text saved so far.")


def _verdict(report: ValidationReport) -> str:
    """The counts every view shows: "9 of 11 sections present, 1 incomplete, 1 missing; 1 lint error"."""
    lints = report.lint_tally()
    return f"{report.tally()}; {lints}" if lints else report.tally()
