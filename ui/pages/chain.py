"""Chain page: every step of the pack as a card, run one at a time or all at once.

Runs happen on a worker thread (see ``ui/streaming.py``); this page draws the
cards first, then follows the job, streaming each step's text into its card
with ``st.write_stream``. When the job ends the results go into the session
and the page is drawn again with the drafts, checklists, editors and diffs.
"""

from __future__ import annotations

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from assistant.api import Studio
from assistant.errors import PlaybookError
from assistant.packs import Pack
from ui import runs, session, shell, state, widgets
from ui.panels import CardSlots, ChainView, follow_job, request_run, step_card, stop
from ui.safety import inert_inline
from ui.streaming import ChainJob
from ui.widgets_consistency import consistency_panel


def _on_auto_repair() -> None:
    st.session_state[state.AUTO_REPAIR] = st.session_state[state.W_AUTO_REPAIR]


def _start_requested(studio: Studio, pack: Pack) -> tuple[ChainJob | None, str | None]:
    """Start what a click asked for in the last run, unless a job is running; returns the job and why it failed to start."""
    job = runs.active_job()
    pending = st.session_state.get(state.PENDING_RUN)
    st.session_state[state.PENDING_RUN] = None
    if not pending or job is not None:
        return job, None
    try:
        if pending["kind"] == "repair":
            return runs.start_repair(studio, pack, pending["step"]), None
        return runs.start_run(studio, pack, pending["steps"], resume_run=pending.get("run_id")), None
    except PlaybookError as exc:
        return job, exc.message


def _job_of_this_pack(job: ChainJob | None, pack: Pack) -> ChainJob | None:
    """The job to follow here; a run of another pack is only mentioned."""
    if job is not None and job.pack != pack.name:
        st.info(f"A run of the {inert_inline(job.pack)} pack is in progress; switch back to that pack to follow it.")
        return None
    return job


def _header(view: ChainView, start_error: str | None) -> None:
    """Title, the company and model the drafts are made for, and why the last click did not start a run."""
    pack, ws = view.pack, view.ws
    company = next((ws.values[v.name] for v in pack.variables if "company" in v.name and ws.values.get(v.name)), "")
    st.title(f"{pack.title} chain")
    provider_label = f"{session.provider_name(view.studio)} · {session.model_name(view.studio)}"
    st.caption(
        (f"For **{inert_inline(company)}** · " if company else "")
        + f"Model: {inert_inline(provider_label)} · Run history is on: every run is kept on the History page."
    )
    if start_error:
        st.error(inert_inline(start_error), icon=":material/block:")


def _profile_gate(view: ChainView, problems: dict[str, str]) -> None:
    """Stop at an empty profile with nothing drafted; warn while the profile has problems."""
    pack = view.pack
    if view.variables is None and not any(view.ws.has(s.id) for s in pack.steps):
        st.info(
            "Describe your organisation first: fill in the profile (or load the example company) on the Organisation page.",
            icon=":material/info:",
        )
        st.page_link("pages/organisation.py", label="Go to the organisation profile", icon=":material/domain:")
        st.stop()
    if view.variables is None:
        names = ", ".join(inert_inline(pack.variable(n).label) for n in problems if n and pack.variable(n))
        st.warning(
            f"The organisation profile needs attention ({names or 'see the Organisation page'}); running is disabled until it is fixed."
        )


def _run_steps_button(
    where: DeltaGenerator, view: ChainView, steps: list[str], *, label: str, key: str, help: str, primary: bool = False
) -> None:
    """A button that runs ``steps``; off while a job runs, while the profile has problems, or with nothing to run."""
    where.button(
        label,
        icon=":material/play_arrow:",
        key=key,
        type="primary" if primary else "secondary",
        on_click=request_run,
        args=(steps,),
        disabled=view.busy or view.variables is None or not steps,
        help=help,
    )


def _controls(view: ChainView) -> None:
    """The pipeline at a glance, then Run all remaining, Stop and the automatic-repair switch."""
    pack = view.pack
    st.markdown(
        " → ".join(f"{widgets.status_icon(view.status(s.id))} {inert_inline(s.title)}" for s in pack.default_steps)
    )
    remaining = runs.remaining_steps(pack, view.ws)
    controls = st.container(horizontal=True, vertical_alignment="center")
    _run_steps_button(
        controls,
        view,
        remaining,
        label=f"Run all remaining ({len(remaining)} step{'s' if len(remaining) != 1 else ''})"
        if remaining
        else "Run all remaining",
        key=state.W_RUN_ALL,
        primary=True,
        help="Runs every step that has no usable draft yet, in order; finished and edited drafts are kept and read by later steps."
        if remaining
        else "Every step has a draft. Use a step's Re-run button to regenerate it.",
    )
    stale = runs.stale_steps(pack, view.ws)
    if stale:
        _run_steps_button(
            controls,
            view,
            stale,
            label=f"Re-run out-of-date steps ({len(stale)})",
            key="run_stale",
            help="Writes a new version of each step whose inputs changed since it was written: "
            + ", ".join(pack.step(s).title for s in stale)
            + ". Every earlier version is kept.",
        )
    if view.busy:
        controls.button(
            "Stop",
            key=state.W_STOP,
            on_click=stop,
            icon=":material/stop:",
            help="Stop the run; whatever streamed is kept.",
        )
    st.session_state[state.W_AUTO_REPAIR] = bool(st.session_state.get(state.AUTO_REPAIR, True))
    controls.toggle(
        "Repair gaps automatically",
        key=state.W_AUTO_REPAIR,
        on_change=_on_auto_repair,
        disabled=view.busy,
        help="After each step, ask the model only for missing sections and the missing items of incomplete ones "
        "(up to two rounds). Off: you decide per step.",
    )


def _optional_refinements(view: ChainView, first_number: int) -> dict[str, CardSlots]:
    """The pack's optional steps in one expander, with a button for those ready to run."""
    pack, ws = view.pack, view.ws
    optional_steps = [s for s in pack.steps if s.optional]
    if not optional_steps:
        return {}
    st.header("Optional refinements")
    ready = [
        s.id
        for s in optional_steps
        if not runs.missing_inputs(pack, ws, s.id) and not (ws.has(s.id) and ws.drafts[s.id].usable)
    ]
    open_it = any(ws.has(s.id) for s in optional_steps) or any(view.in_job(s.id) for s in optional_steps)
    with st.expander(
        f"{len(optional_steps)} human-in-the-loop refinements, each reading the playbook", expanded=open_it
    ) as refinements:
        _run_steps_button(
            refinements,
            view,
            ready,
            label=f"Run the {len(ready)} ready refinement{'s' if len(ready) != 1 else ''}" if ready else "Run ready refinements",
            key="run_refinements",
            help="Refinements run in parallel once the playbook exists." if ready else "Needs the playbook first (or all are done).",
        )
        return {step.id: step_card(view, step, number) for number, step in enumerate(optional_steps, first_number)}


def _exports(view: ChainView) -> None:
    """The set as Markdown, Word, HTML and PDF, and the way to the levels diagram."""
    with st.container(border=True, key="export_box"):
        st.header("Export the set")
        widgets.export_buttons(view.pack, view.ws)
        if view.ws.has("playbook") and view.pack.checklist_for("playbook") is not None:
            st.page_link("pages/levels.py", label="See the escalation levels diagram", icon=":material/stairs:")


def render() -> None:
    studio = session.studio()
    pack = session.current_pack(studio)
    ws = state.workspace(pack.name)
    if runs.active_job() is None and not runs.still_available(studio, ws):
        state.flash("warning", runs.GONE)
        st.rerun()
    job, start_error = _start_requested(studio, pack)
    job_here = _job_of_this_pack(job, pack)
    variables, problems = session.prepared(studio, pack, ws.values)
    runs.refresh_staleness(pack, ws, variables)
    view = ChainView(studio, pack, ws, job_here, busy=job is not None, variables=variables)

    _header(view, start_error)
    _profile_gate(view, problems)
    _controls(view)
    default_steps = pack.default_steps
    slots = {step.id: step_card(view, step, number) for number, step in enumerate(default_steps, 1)}
    slots.update(_optional_refinements(view, len(default_steps) + 1))
    with st.expander("Consistency across the documents", icon=":material/compare_arrows:"):
        consistency_panel(ws)
    _exports(view)

    if job_here is not None:
        follow_job(view, job_here, slots)
        runs.finish_job(studio, job_here)
        st.rerun()


shell.page(render)
