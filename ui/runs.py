"""Start runs and repairs, save edits, and keep the session's drafts equal to the stored document set.

The history is the truth: a pack's workspace names one document set (a history run), and every
run, repair, edit, paste or restore is written there first. The drafts the pages draw are then
read back from it (:func:`sync`), so a card, History, ``run.json`` and an export can never tell
different stories. Before a run or repair starts, the set must still be the person's (or shared
with their team), and its estimate must fit in what is left of their daily budget on the
operator's key. Results of a job come back from the worker thread through
:class:`~ui.streaming.ChainJob` and are applied on the script thread.
"""

from __future__ import annotations

import threading

import streamlit as st

from assistant import api
from assistant.api import Provider, StepState, Studio, ValidationReport
from assistant.errors import PlaybookError, RunNotFoundError
from assistant.packs import Pack

from ui import session, state
from ui.state import Draft, Version, Workspace
from ui.streaming import ChainJob, StepView


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


def stale_steps(pack: Pack, ws: Workspace) -> list[str]:
    """Steps whose current version is out of date, in chain order."""
    return [s.id for s in pack.steps if s.id in ws.drafts and ws.drafts[s.id].stale]


def refresh_staleness(pack: Pack, ws: Workspace, variables: dict | None) -> None:
    """Judge every draft against the drafts and the profile as they are now (the profile may have
    been edited since the last run); with an incomplete profile only the steps are compared."""
    current = {s: d.version for s, d in ws.drafts.items() if d.version is not None}
    for draft in ws.drafts.values():
        inputs = draft.inputs if variables is not None or not draft.inputs else {"steps": draft.inputs.get("steps")}
        draft.stale = api.stale_reasons(pack, inputs, current, variables or {})


def _prepared_or_raise(studio: Studio, pack: Pack, ws: Workspace) -> dict:
    variables, problems = session.prepared(studio, pack, ws.values)
    if variables is None:
        ws.checked = True
        names = ", ".join(pack.variable(n).label if pack.variable(n) else n for n in problems if n) or "the profile"
        raise PlaybookError(f"The organisation profile needs attention ({names}). Fix it on the Organisation page.")
    return variables


#: a person's set was deleted, or its owner stopped sharing it, while this session had it open
GONE = (
    "The document set open here is no longer available to you (it was deleted, or is no longer shared with your "
    "team), so it is closed. Running a step starts a new set."
)


def still_available(studio: Studio, ws: Workspace) -> bool:
    """Whether the pack's set is still the person's (or shared with them); one that is gone is closed here."""
    if ws.run_id is None:
        return True
    try:
        studio.writable(ws.run_id)
    except RunNotFoundError:
        ws.run_id, ws.drafts = None, {}
        return False
    return True


def _within_budget(studio: Studio, provider: Provider, pack: Pack, variables: dict, steps: list[str], ws: Workspace) -> None:
    """Refuse (``BudgetError``) what today's budget on the operator's key cannot pay for, before any request."""
    if not steps or studio.budget_left(provider.name) is None:
        return
    available = {s: d.text for s, d in ws.drafts.items() if d.usable and s not in steps}
    estimate = studio.estimate(
        pack, variables, steps, available=available, expert=bool(st.session_state.get(state.EXPERT)),
        model=studio.model_for(provider.name),
    )
    studio.check_budget(provider.name, estimate.cost)


def start_run(studio: Studio, pack: Pack, steps: list[str], *, resume_run: str | None = None) -> ChainJob:
    """Run ``steps`` into the pack's document set on a worker thread; raises ``PlaybookError`` with what to fix.

    A click asks for new versions of exactly the steps it names; a resume reuses what finished.
    """
    ws = state.workspace(pack.name)
    variables = _prepared_or_raise(studio, pack, ws)
    provider = session.provider(studio)
    requested = set(steps)
    for step_id in steps:
        lacking = missing_inputs(pack, ws, step_id, requested)
        if lacking and resume_run is None:
            titles = ", ".join(pack.step(n).title for n in lacking)
            raise PlaybookError(f"“{pack.step(step_id).title}” reads {titles}; run that first.")
    if not still_available(studio, ws):
        raise PlaybookError(GONE)
    if resume_run is not None:
        studio.writable(resume_run)
    run_id = resume_run or ws.run_id
    _within_budget(studio, provider, pack, variables, steps, ws)
    fresh = [] if resume_run else list(steps)
    cancel = threading.Event()
    runner = studio.runner(
        pack,
        variables,
        provider=provider,
        expert=bool(st.session_state.get(state.EXPERT)),
        cancel=cancel,
        max_repair_rounds=None if st.session_state.get(state.AUTO_REPAIR, True) else 0,
    )
    job = ChainJob(
        "run",
        _views(pack, steps),
        lambda on_event: runner.run(steps, run_id=run_id, fresh=fresh, on_event=on_event),
        cancel,
        pack=pack.name,
    )
    st.session_state[state.JOB] = job
    return job.start()


def start_repair(studio: Studio, pack: Pack, step_id: str) -> ChainJob:
    """Ask the model only for what the current draft lacks (sections, items), then merge it in."""
    ws = state.workspace(pack.name)
    draft = ws.draft(step_id)
    if not draft.usable:
        raise PlaybookError("There is no draft to repair yet; run the step first (or accept the partial draft).")
    variables = _prepared_or_raise(studio, pack, ws)
    provider = session.provider(studio)
    if not still_available(studio, ws):
        raise PlaybookError(GONE)
    _within_budget(studio, provider, pack, variables, [step_id], ws)
    cancel = threading.Event()
    runner = studio.runner(pack, variables, provider=provider, expert=bool(st.session_state.get(state.EXPERT)), cancel=cancel)
    inputs = {n: ws.drafts[n].text for n in pack.step(step_id).needs if ws.has(n)}
    text, run_id = draft.text, ws.run_id
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
    """Read a finished job's outcome back from the document set, and say what went wrong."""
    st.session_state[state.JOB] = None
    pack = studio.pack(job.pack)
    ws = state.workspace(pack.name)
    notes = {step_id: list(view.messages) for step_id, view in job.views.items()}
    end = job.end
    if end is None:
        return
    result = end.result
    if end.error is not None:
        message = end.error.message if isinstance(end.error, PlaybookError) else f"{type(end.error).__name__}: {end.error}"
        state.flash("error", f"The run stopped with an error: {message}")
    elif job.kind == "run" and result.run_id:
        ws.run_id = result.run_id
        if result.history_error:
            state.flash(
                "warning",
                f"The history could not keep this run ({result.history_error}). The drafts it could keep are shown; "
                "export the set now from the Chain page.",
            )
    elif job.kind == "repair" and result.text == ws.draft(result.step).text:
        state.flash("warning", "The repair added nothing; the draft is unchanged. " + " ".join(notes.get(result.step, [])[-1:]))
    sync(studio, pack, notes)


def _draft_from(state_: StepState, run_id: str, notes: list[str], titles: dict[str, str]) -> Draft:
    current = state_.current
    usage = state_.usage
    return Draft(
        step=state_.id,
        text=state_.text,
        status=state_.status,
        report=ValidationReport.model_validate(state_.report) if state_.report and current is not None else None,
        error=state_.error,
        run_id=run_id,
        version=current.number if current else None,
        kind=current.kind if current else None,
        provider=current.provider if current else None,
        model=current.model if current else None,
        made=state_.made,
        inputs=current.inputs if current else None,
        stale=list(state_.stale),
        input_tokens=usage.input_tokens if usage else 0,
        output_tokens=usage.output_tokens if usage else 0,
        cost=state_.cost,
        notes=notes,
        versions=[
            Version(v.number, v.kind, v.text, f"{v.created_at:%Y-%m-%d %H:%M}", api.made_label(v, titles)) for v in state_.versions
        ],
    )


def sync(studio: Studio, pack: Pack, notes: dict[str, list[str]] | None = None) -> Workspace:
    """Make the session's drafts equal to the stored document set (text, versions, provenance, staleness)."""
    ws = state.workspace(pack.name)
    if ws.run_id is None:
        return ws
    try:
        record = studio.run(ws.run_id)
    except PlaybookError as exc:
        state.flash("warning", f"The document set could not be read back from the history: {exc.message}")
        return ws
    kept = {step_id: d.notes for step_id, d in ws.drafts.items()}
    kept.update(notes or {})
    ws.drafts = {}
    titles = {s.id: s.title for s in pack.steps}
    for step_state in studio.document_set(record):
        draft = _draft_from(step_state, record.id, kept.get(step_state.id, []), titles)
        ws.drafts[step_state.id] = draft
        if draft.text and draft.report is None:
            revalidate(studio, pack, draft)
        state.queue_widget_value(state.draft_key(pack.name, step_state.id), draft.text)
    _forget_exports()
    return ws


# --- edits, versions, reopening ---------------------------------------------------------------------


def _document_set(studio: Studio, pack: Pack, ws: Workspace) -> str:
    """The pack's document set, started now (empty) if a person brings text before anything ran."""
    if ws.run_id is None:
        variables, _ = session.prepared(studio, pack, ws.values)
        ws.run_id = studio.start_document_set(pack, variables if variables is not None else dict(ws.values))
    return ws.run_id


def save_edit(studio: Studio, pack: Pack, step_id: str, text: str, kind: str = "edited") -> None:
    """A person changed, pasted or accepted a draft: a new current version in the document set, checked."""
    ws = state.workspace(pack.name)
    draft = ws.draft(step_id)
    if text == draft.text and (draft.usable or not text.strip()):
        return
    report = studio.validate(text, f"{pack.name}/{step_id}") if text.strip() else None
    if kind == "edited" and draft.version is None and draft.status in ("not_run", "pending"):
        kind = "imported"  # text brought from elsewhere into an empty step
    try:
        studio.record_edit(_document_set(studio, pack, ws), step_id, text, report, kind)
    except PlaybookError as exc:
        state.flash("error", f"The edit could not be saved in the history: {exc.message}")
        return
    sync(studio, pack)


def restore(studio: Studio, pack: Pack, step_id: str, number: int) -> None:
    """Make an older version current again (a new version; every version is kept)."""
    ws = state.workspace(pack.name)
    try:
        studio.restore_version(_document_set(studio, pack, ws), step_id, number)
    except PlaybookError as exc:
        state.flash("error", exc.message)
        return
    sync(studio, pack)


def revalidate(studio: Studio, pack: Pack, draft: Draft) -> ValidationReport | None:
    if draft.text.strip() and draft.report is None:
        draft.report = studio.validate(draft.text, f"{pack.name}/{draft.step}")
    return draft.report


def reopen(studio: Studio, record: api.RunRecord) -> Workspace:
    """Make a stored document set the session's: its profile on the Organisation page, its drafts on the Chain page."""
    pack = studio.pack(record.pack)
    ws = state.workspace(pack.name)
    ws.values = {
        name: "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
        for name, value in record.variables.items()
    }
    for variable in pack.variables:
        state.queue_widget_value(state.var_key(pack.name, variable.name), ws.values.get(variable.name, ""))
    ws.run_id = record.id
    ws.checked = True
    sync(studio, pack)
    st.session_state[state.PACK] = pack.name
    st.session_state[state.EXPERT] = bool((record.options or {}).get("system_pack"))
    return ws


def _forget_exports() -> None:
    st.session_state[state.EXPORT_CACHE] = {}
