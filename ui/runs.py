"""Start chain runs and repairs, and keep the session's drafts in step with the results.

Everything here calls the engine through ``Studio``, which owns the rules of a run
(what is missing, when steps join a run, how a run resumes); the pages only decide when. Results come back from the worker thread through
:class:`~ui.streaming.ChainJob` and are applied on the script thread.
"""

from __future__ import annotations

import threading
from typing import Any

import streamlit as st

from assistant import api
from assistant.api import RunRecord, RunResult, StepResult, Studio, ValidationReport
from assistant.errors import PlaybookError
from assistant.packs import Pack

from ui import session, state
from ui.state import Draft, Workspace
from ui.streaming import ChainJob, StepView

#: the statuses of a finished attempt worth showing even without text
_ENGINE_DONE = ("done", "truncated")


def active_job() -> ChainJob | None:
    return st.session_state.get(state.JOB)


def _views(pack: Pack, steps: list[str]) -> list[StepView]:
    views = []
    for step_id in steps:
        step = pack.step(step_id)
        parts = [(p.id, p.title) for p in pack.fan_out_parts.get(step_id, [])]
        views.append(StepView(step=step_id, title=step.title, parts=parts))
    return views


def usable_steps(ws: Workspace) -> set[str]:
    """Steps whose draft later steps may read."""
    return {s for s, d in ws.drafts.items() if d.usable}


def missing_inputs(pack: Pack, ws: Workspace, step_id: str, running: set[str] = frozenset()) -> list[str]:
    """Steps ``step_id`` reads that have no usable draft (and are not part of the same run)."""
    return api.missing_inputs(pack, step_id, usable_steps(ws), running)


def remaining_steps(pack: Pack, ws: Workspace) -> list[str]:
    """Default (non-optional) steps without a usable draft, in chain order."""
    return api.remaining_steps(pack, usable_steps(ws))


def _run_to_join(ws: Workspace, steps: list[str], made_with: str) -> str | None:
    """The session's history run, if these steps may join it (see :func:`assistant.api.joinable_run`)."""
    finished = {s for s, d in ws.drafts.items() if d.run_id == ws.run_id and d.status in _ENGINE_DONE}
    return api.joinable_run(ws.run_id, ws.run_fingerprint, made_with, finished, steps)


def start_run(studio: Studio, pack: Pack, steps: list[str], *, resume_run: str | None = None) -> ChainJob:
    """Start ``steps`` on a worker thread; raises ``PlaybookError`` with what to fix."""
    ws = state.workspace(pack.name)
    variables, problems = session.prepared(studio, pack, ws.values)
    if variables is None:
        ws.checked = True
        names = ", ".join(pack.variable(n).label if pack.variable(n) else n for n in problems if n) or "the profile"
        raise PlaybookError(f"The organisation profile needs attention ({names}). Fix it on the Organisation page.")
    provider = session.provider(studio)
    model = session.model_name(studio)
    expert = bool(st.session_state.get(state.EXPERT))
    requested = set(steps)
    outputs = {s: d.text for s, d in ws.drafts.items() if s not in requested and d.usable}
    for step_id in steps:
        lacking = missing_inputs(pack, ws, step_id, requested)
        if lacking and resume_run is None:
            titles = ", ".join(pack.step(n).title for n in lacking)
            raise PlaybookError(f"“{pack.step(step_id).title}” reads {titles}; run that first.")
    made_with = api.run_fingerprint(pack.name, variables, provider.name, model, expert)
    run_id = resume_run if resume_run is not None else _run_to_join(ws, steps, made_with)
    cancel = threading.Event()
    runner = studio.runner(
        pack,
        variables,
        provider=provider,
        expert=expert,
        cancel=cancel,
        max_repair_rounds=None if st.session_state.get(state.AUTO_REPAIR, True) else 0,
    )
    job = ChainJob(
        "run",
        _views(pack, steps),
        lambda on_event: runner.run(steps, outputs=outputs, run_id=run_id, on_event=on_event),
        cancel,
        pack=pack.name,
        fingerprint=made_with,
    )
    st.session_state[state.JOB] = job
    return job.start()


def start_repair(studio: Studio, pack: Pack, step_id: str) -> ChainJob:
    """Ask the model only for what the current draft lacks (sections, items), then merge it in."""
    ws = state.workspace(pack.name)
    draft = ws.draft(step_id)
    if not draft.text.strip():
        raise PlaybookError("There is no draft to repair yet; run the step first.")
    variables, _ = session.prepared(studio, pack, ws.values)
    if variables is None:
        ws.checked = True
        raise PlaybookError("The organisation profile needs attention; fix it on the Organisation page first.")
    provider = session.provider(studio)
    cancel = threading.Event()
    runner = studio.runner(
        pack, variables, provider=provider, expert=bool(st.session_state.get(state.EXPERT)), cancel=cancel
    )
    inputs = {n: ws.drafts[n].text for n in pack.step(step_id).needs if ws.has(n)}
    text, run_id = draft.text, draft.run_id
    job = ChainJob(
        "repair",
        _views(pack, [step_id]),
        lambda on_event: runner.repair(step_id, text, inputs=inputs, run_id=run_id, on_event=on_event),
        cancel,
        pack=pack.name,
    )
    st.session_state[state.JOB] = job
    return job.start()


# --- applying results (script thread) ---------------------------------------------------------


def finish_job(studio: Studio, job: ChainJob) -> None:
    """Store a finished job's outcome in the session and clear it."""
    st.session_state[state.JOB] = None
    pack = studio.pack(job.pack)
    ws = state.workspace(pack.name)
    end = job.end
    if end is None:
        return
    if end.error is not None:
        message = (
            end.error.message if isinstance(end.error, PlaybookError) else f"{type(end.error).__name__}: {end.error}"
        )
        state.flash("error", f"The run stopped with an error: {message}")
        return
    if job.kind == "run":
        _apply_run(studio, pack, ws, end.result, job)
    else:
        _apply_repair(studio, pack, ws, end.result, job)


def _versions_from_store(studio: Studio, run_id: str | None) -> dict[str, list[Any]]:
    if run_id is None:
        return {}
    try:
        record = studio.run(run_id)
    except PlaybookError:
        return {}
    return {s.key: list(s.versions or []) for s in record.steps}


def _apply_run(studio: Studio, pack: Pack, ws: Workspace, result: RunResult, job: ChainJob) -> None:
    stored = _versions_from_store(studio, result.run_id)
    if result.run_id:
        ws.run_id = result.run_id
        ws.run_fingerprint = job.fingerprint
    for step_id, outcome in result.steps.items():
        draft = ws.draft(step_id)
        view = job.views.get(step_id)
        if not outcome.text.strip() and outcome.status not in _ENGINE_DONE:
            # stopped or skipped before writing anything: keep the draft there was
            draft.notes = [outcome.error or f"Not run ({outcome.status})."]
            if not draft.text:
                # a step skipped because an input failed was never tried: it is "not run", with the reason
                draft.status = "failed" if outcome.status in ("failed", "incomplete") else "not_run"
                draft.error = outcome.error if draft.status == "failed" else None
            continue
        draft.text = outcome.text
        draft.status = outcome.status
        draft.report = outcome.report or (
            studio.validate(outcome.text, f"{pack.name}/{step_id}") if outcome.text else None
        )
        draft.error = outcome.error
        draft.run_id = result.run_id
        draft.provider, draft.model = result.provider, result.model
        usage = outcome.usage + outcome.repair_usage
        draft.input_tokens, draft.output_tokens, draft.cost = usage.input_tokens, usage.output_tokens, outcome.cost
        draft.edited = False
        draft.notes = list(view.messages) if view else []
        versions = [v for v in stored.get(step_id, [])]
        if versions and outcome.status in _ENGINE_DONE:
            for version in versions:
                if not any(
                    v.run_id == result.run_id and v.kind == version.kind and v.text == version.text
                    for v in draft.versions
                ):
                    draft.add_version(version.kind, version.text, result.run_id)
        else:
            draft.add_version("generated" if outcome.status in _ENGINE_DONE else "partial", outcome.text, result.run_id)
        state.queue_widget_value(state.draft_key(pack.name, step_id), draft.text)
    if result.history_error:
        state.flash(
            "warning",
            f"The history could not keep this run ({result.history_error}). Every draft is kept in this session: "
            "export the set now from the Chain page.",
        )
    _forget_exports()


def _apply_repair(studio: Studio, pack: Pack, ws: Workspace, result: StepResult, job: ChainJob) -> None:
    draft = ws.draft(result.step)
    view = job.views.get(result.step)
    draft.notes = list(view.messages) if view else []
    if result.text == draft.text:
        state.flash("warning", "The repair added nothing; the draft is unchanged. " + " ".join(draft.notes[-1:]))
        return
    draft.text = result.text
    draft.report = result.report
    draft.add_version("repaired", result.text, draft.run_id)
    usage = result.repair_usage
    draft.input_tokens += usage.input_tokens
    draft.output_tokens += usage.output_tokens
    if result.cost is not None and draft.cost is not None:
        draft.cost += result.cost
    if draft.status == "truncated" and result.report is not None and result.report.ok:
        draft.status = "done"
    state.queue_widget_value(state.draft_key(pack.name, result.step), draft.text)
    _forget_exports()


# --- edits, versions, reopening ---------------------------------------------------------------------


def save_edit(studio: Studio, pack: Pack, step_id: str, text: str, kind: str = "edited") -> None:
    """A person changed the draft: keep the old text as a version, re-check, record it in the history."""
    ws = state.workspace(pack.name)
    draft = ws.draft(step_id)
    if text == draft.text:
        return
    if draft.text and not draft.versions:
        draft.add_version("generated", draft.text, draft.run_id)
    draft.text = text
    draft.edited = True
    if draft.status == "not_run":
        draft.status = "pasted"
    draft.report = studio.validate(text, f"{pack.name}/{step_id}") if text.strip() else None
    draft.add_version(kind, text, draft.run_id)
    if draft.run_id is not None:
        try:
            studio.record_edit(draft.run_id, step_id, text, draft.report)
        except PlaybookError as exc:
            state.flash("warning", f"The edit is kept in this session but not in the history: {exc.message}")
    _forget_exports()


def revalidate(studio: Studio, pack: Pack, draft: Draft) -> ValidationReport | None:
    if draft.text.strip() and draft.report is None:
        draft.report = studio.validate(draft.text, f"{pack.name}/{draft.step}")
    return draft.report


def reopen(studio: Studio, record: RunRecord) -> Workspace:
    """Load a stored run's variables and step texts into the session (its pack's workspace)."""
    pack = studio.pack(record.pack)
    ws = state.workspace(pack.name)
    ws.values = {
        name: "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
        for name, value in record.variables.items()
    }
    for variable in pack.variables:
        state.queue_widget_value(state.var_key(pack.name, variable.name), ws.values.get(variable.name, ""))
    ws.drafts = {}
    for step in record.steps:
        if ":" in step.key or not step.text_or_partial:
            continue
        draft = ws.draft(step.key)
        draft.text = step.text_or_partial
        draft.status = {"interrupted": "cancelled", "running": "cancelled", "pending": "cancelled"}.get(
            step.effective_status, step.effective_status
        )
        draft.report = ValidationReport.model_validate(step.report) if step.report else None
        draft.error = step.error
        draft.run_id = record.id
        draft.provider, draft.model = record.provider, record.model
        if step.usage is not None:
            draft.input_tokens, draft.output_tokens = step.usage.input_tokens, step.usage.output_tokens
        draft.cost = step.cost
        for version in step.versions or []:
            draft.add_version(version.kind, version.text, record.id)
        if not draft.versions:
            draft.add_version("reopened", draft.text, record.id)
        draft.edited = bool(draft.versions and draft.versions[-1].kind == "edited")
        if draft.report is None:
            revalidate(studio, pack, draft)
        state.queue_widget_value(state.draft_key(pack.name, step.key), draft.text)
    ws.run_id = record.id
    system_pack = (record.options or {}).get("system_pack")
    ws.run_fingerprint = api.run_fingerprint(record.pack, record.variables, record.provider, record.model, bool(system_pack))
    ws.checked = True
    st.session_state[state.PACK] = pack.name
    st.session_state[state.EXPERT] = bool(system_pack)
    _forget_exports()
    return ws


def _forget_exports() -> None:
    st.session_state[state.EXPORT_CACHE] = {}
