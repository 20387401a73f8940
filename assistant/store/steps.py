"""Writing a step of a document set: attempts, versions with their provenance, and the step's figures.

A step row is the step's place in the document set. Its ``text`` is always the *current version*
(what later steps read and exports show); an attempt in flight or cut short lives in
``partial_text`` and never replaces it, so a failed re-run leaves the last good version current.
Every finished answer, repair, edit or restore is a new version that records how it was made
(provider, model, figures, the versions and variables it was written from). The step's usage and
cost add up every attempt and repair, so the same totals show everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.store.records import TokenUsage
from assistant.store.redaction import redact_text
from assistant.store.schema import StepRow, VersionRow

#: attempts whose text becomes a version: a complete answer, or one cut at the token limit
VERSIONED_STATUSES = frozenset({"done", "truncated"})


def start_attempt(step: StepRow, *, prompt: str, system: str | None, now: datetime) -> None:
    """A new attempt: running, partial text cleared; the current version stays current."""
    step.status = "running"
    step.prompt = prompt
    step.system = system
    step.partial_text = ""
    step.error = None
    step.timings = None
    step.attempts += 1
    step.heartbeat_at = now


def finish_attempt(session: Session, step: StepRow, attempt: Mapping[str, Any], made: Mapping[str, Any], now: datetime) -> int | None:
    """Record how an attempt ended; a complete answer becomes the current version (its number is returned)."""
    step.status = attempt["status"]
    step.timings = attempt.get("timings")
    step.error = redact_text(attempt.get("error"))
    add_figures(step, attempt.get("usage"), attempt.get("cost"))
    text = attempt.get("text") or ""
    if step.status in VERSIONED_STATUSES and text:
        step.partial_text = ""
        step.report = attempt.get("report")
        return add_version(session, step, text, "generated", now, made=made, usage=attempt.get("usage"),
                           cost=attempt.get("cost"), report=attempt.get("report"))
    step.partial_text = text
    return None


def add_version(
    session: Session,
    step: StepRow,
    text: str,
    kind: str,
    now: datetime,
    *,
    made: Mapping[str, Any] | None = None,
    usage: Mapping[str, Any] | None = None,
    cost: float | None = None,
    report: Mapping[str, Any] | None = None,
) -> int:
    """Make ``text`` the step's current version; a version that is not a fresh answer (an edit, a
    repair, a restore) keeps the inputs of the one it came from unless told otherwise."""
    current = _current(session, step)
    made = dict(made or {})
    inputs = made.get("inputs")
    if inputs is None and kind != "generated" and current is not None:
        inputs = current.inputs
    number = (current.number if current is not None else 0) + 1
    checked = TokenUsage.model_validate(usage) if usage is not None else None
    session.add(
        VersionRow(
            step_id=step.id, number=number, kind=kind, text=text, created_at=now,
            provider=made.get("provider"), model=made.get("model"),
            input_tokens=checked.input_tokens if checked else None,
            output_tokens=checked.output_tokens if checked else None,
            usage_estimated=checked.estimated if checked else None,
            cost=cost, inputs=inputs, report=dict(report) if report is not None else None,
        )
    )
    step.text = text
    if report is not None:
        step.report = dict(report)
    return number


def add_figures(step: StepRow, usage: Mapping[str, Any] | None, cost: float | None) -> None:
    """Add an attempt's or a repair's tokens and cost to the step's totals."""
    if usage is None:
        return
    checked = TokenUsage.model_validate(usage)
    unknown_before = step.input_tokens is not None and step.cost is None
    step.input_tokens = (step.input_tokens or 0) + checked.input_tokens
    step.output_tokens = (step.output_tokens or 0) + checked.output_tokens
    step.usage_estimated = bool(step.usage_estimated) or checked.estimated
    step.cost = None if cost is None or unknown_before else round((step.cost or 0.0) + cost, 6)


def _current(session: Session, step: StepRow) -> VersionRow | None:
    number = session.scalar(select(func.max(VersionRow.number)).where(VersionRow.step_id == step.id))
    if number is None:
        return None
    return session.scalars(select(VersionRow).where(VersionRow.step_id == step.id, VersionRow.number == number)).one()
