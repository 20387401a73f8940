"""Chain page: every step of the pack as a card, run one at a time or all at once.

Runs happen on a worker thread (see ``ui/streaming.py``); this page draws the
cards first, then follows the job, streaming each step's text into its card
with ``st.write_stream``. When the job ends the results go into the session
and the page is drawn again with the drafts, checklists, editors and diffs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from assistant.errors import PlaybookError
from assistant.packs import Step
from ui import runs, session, shell, state, widgets
from ui.safety import inert_inline
from ui.widgets_consistency import consistency_panel
from ui.state import Draft
from ui.streaming import ChainJob


@dataclass
class CardSlots:
    """Where a step's card shows progress, the streamed draft and a streamed repair."""

    badge: DeltaGenerator
    status: DeltaGenerator
    main: DeltaGenerator
    repair: DeltaGenerator


def render() -> None:
    studio = session.studio()
    pack = session.current_pack(studio)
    ws = state.workspace(pack.name)

    # --- callbacks ------------------------------------------------------------------------------------

    def _request_run(steps: list[str]) -> None:
        st.session_state[state.PENDING_RUN] = {"kind": "run", "steps": steps}

    def _request_repair(step_id: str) -> None:
        st.session_state[state.PENDING_RUN] = {"kind": "repair", "step": step_id}

    def _stop() -> None:
        job = runs.active_job()
        if job is not None:
            job.stop()

    def _on_edit(pack_name: str, step_id: str) -> None:
        here = session.studio()
        text = st.session_state.get(state.draft_key(pack_name, step_id)) or ""
        runs.save_edit(here, here.pack(pack_name), step_id, text)

    def _restore(pack_name: str, step_id: str, index: int) -> None:
        here = session.studio()
        draft = state.workspace(pack_name).draft(step_id)
        text = draft.versions[index].text
        runs.save_edit(here, here.pack(pack_name), step_id, text, kind="restored")
        st.session_state[state.draft_key(pack_name, step_id)] = text

    def _accept(pack_name: str, step_id: str) -> None:
        draft = state.workspace(pack_name).draft(step_id)
        draft.edited = True
        draft.add_version("accepted", draft.text, draft.run_id)

    def _on_auto_repair() -> None:
        st.session_state[state.AUTO_REPAIR] = st.session_state[state.W_AUTO_REPAIR]

    # --- start what a click asked for -------------------------------------------------------------

    job = runs.active_job()
    pending = st.session_state.get(state.PENDING_RUN)
    st.session_state[state.PENDING_RUN] = None
    start_error: str | None = None
    if pending and job is None:
        try:
            if pending["kind"] == "repair":
                job = runs.start_repair(studio, pack, pending["step"])
            else:
                job = runs.start_run(studio, pack, pending["steps"], resume_run=pending.get("run_id"))
        except PlaybookError as exc:
            start_error = exc.message

    if job is not None and job.pack != pack.name:
        st.info(f"A run of the {inert_inline(job.pack)} pack is in progress; switch back to that pack to follow it.")
        job_here: ChainJob | None = None
    else:
        job_here = job
    busy = job is not None

    variables, problems = session.prepared(studio, pack, ws.values)
    company = next((ws.values[v.name] for v in pack.variables if "company" in v.name and ws.values.get(v.name)), "")

    st.title(f"{pack.title} chain")
    provider_label = f"{session.provider_name(studio)} · {session.model_name(studio)}"
    st.caption(
        (f"For **{inert_inline(company)}** · " if company else "")
        + f"Model: {inert_inline(provider_label)} · Run history is on: every run is kept on the History page."
    )
    if start_error:
        st.error(inert_inline(start_error), icon=":material/block:")

    if variables is None and not any(ws.has(s.id) for s in pack.steps):
        st.info(
            "Describe your organisation first: fill in the profile (or load the example company) on the Organisation page.",
            icon=":material/info:",
        )
        st.page_link("pages/organisation.py", label="Go to the organisation profile", icon=":material/domain:")
        st.stop()
    if variables is None:
        names = ", ".join(inert_inline(pack.variable(n).label) for n in problems if n and pack.variable(n))
        st.warning(
            f"The organisation profile needs attention ({names or 'see the Organisation page'}); running is disabled until it is fixed."
        )

    # --- the pipeline at a glance and the controls --------------------------------------------------

    def _status(step_id: str) -> str:
        in_job = job_here is not None and step_id in job_here.views
        queued = in_job and not (job_here.views[step_id].started or job_here.views[step_id].repair_round)
        if in_job and job_here.kind == "repair":
            queued = False
        return widgets.display_status(ws.drafts.get(step_id), running=in_job, queued=queued)

    default_steps = pack.default_steps
    optional_steps = [s for s in pack.steps if s.optional]
    st.markdown(" → ".join(f"{widgets.STATUS[_status(s.id)][0]} {inert_inline(s.title)}" for s in default_steps))

    remaining = runs.remaining_steps(pack, ws)
    controls = st.container(horizontal=True, vertical_alignment="center")
    controls.button(
        f"Run all remaining ({len(remaining)} step{'s' if len(remaining) != 1 else ''})"
        if remaining
        else "Run all remaining",
        icon=":material/play_arrow:",
        key=state.W_RUN_ALL,
        type="primary",
        on_click=_request_run,
        args=(remaining,),
        disabled=busy or variables is None or not remaining,
        help="Runs every step that has no usable draft yet, in order; finished and edited drafts are kept and read by later steps."
        if remaining
        else "Every step has a draft. Use a step's Re-run button to regenerate it.",
    )
    if busy:
        controls.button(
            "Stop",
            key=state.W_STOP,
            on_click=_stop,
            icon=":material/stop:",
            help="Stop the run; whatever streamed is kept.",
        )
    st.session_state[state.W_AUTO_REPAIR] = bool(st.session_state.get(state.AUTO_REPAIR, True))
    controls.toggle(
        "Repair missing sections automatically",
        key=state.W_AUTO_REPAIR,
        on_change=_on_auto_repair,
        disabled=busy,
        help="After each step, ask the model for missing sections only (up to two rounds). Off: you decide per step.",
    )

    # --- the cards ---------------------------------------------------------------------------------------

    def _prompt_view(step: Step) -> None:
        if variables is None:
            st.caption("Complete the organisation profile to see the prompt.")
            return
        if not st.toggle("Show the prompt", key=state.step_widget("show_prompt", step.id)):
            st.caption("The exact text sent to the model, ready to copy into another tool.")
            return
        inputs = {
            n: ws.drafts[n].text if ws.has(n) else f"[The “{pack.step(n).title}” draft goes here once it exists.]"
            for n in step.needs
        }
        try:
            prompts = studio.render(pack, step, variables, inputs, expert=bool(st.session_state.get(state.EXPERT)))
        except PlaybookError as exc:
            st.error(inert_inline(exc.message))
            return
        parts = pack.fan_out_parts.get(step.id, [])
        for index, prompt in enumerate(prompts):
            if parts:
                st.markdown(f"**Part {index + 1} of {len(prompts)}: {inert_inline(parts[index].title)}**")
            st.code(prompt.text, language="markdown", wrap_lines=True, height=320)

    def _editor(step: Step, draft: Draft, *, label: str) -> None:
        key = state.draft_key(pack.name, step.id)
        if key not in st.session_state:
            st.session_state[key] = draft.text
        st.text_area(
            label,
            key=key,
            height=420,
            on_change=_on_edit,
            args=(pack.name, step.id),
            disabled=busy,
            help="Saved when you click outside the box (or press Ctrl+Enter). Later steps read the edited text.",
        )

    def _body(step: Step, draft: Draft | None) -> None:
        if draft is None or not draft.text.strip():
            reads = ", ".join(pack.step(n).title for n in step.needs)
            if draft is not None and draft.error:
                st.error(inert_inline(draft.error))
            st.caption(
                (f"Reads: {inert_inline(reads)}. " if reads else "")
                + (inert_inline(step.description) if step.description else "")
            )
            with st.expander("Prompt to copy"):
                _prompt_view(step)
            with st.expander("…or paste a draft you already have"):
                _editor(step, draft or Draft(step=step.id), label="Your draft (Markdown)")
            return
        report = runs.revalidate(studio, pack, draft)
        facts = [f"{len(draft.text):,} characters"]
        if draft.input_tokens or draft.output_tokens:
            facts.append(f"{draft.input_tokens:,} in / {draft.output_tokens:,} out tokens")
        if draft.cost is not None:
            facts.append(f"${draft.cost:.4f}" if draft.cost else "no cost")
        if draft.model:
            facts.append(inert_inline(f"{draft.provider} · {draft.model}"))
        if draft.edited:
            facts.append("edited by you")
        st.markdown(f"**{inert_inline(widgets.checklist_summary(report))}**")
        st.caption(" · ".join(facts))
        if draft.status == "cancelled":
            st.warning(
                "Stopped before the end: the text that streamed is kept. Re-run, edit it, or accept it as it is.",
                icon=":material/stop_circle:",
            )
        elif draft.status == "truncated":
            st.warning(
                "The model stopped at its length limit. Repair the missing sections, edit, or re-run.",
                icon=":material/content_cut:",
            )
        elif draft.status in ("failed", "incomplete") and draft.error:
            st.error(inert_inline(draft.error), icon=":material/error:")
        if draft.provider == "offline":
            st.caption("Offline draft: composed from your inputs and the checklist without a language model.")
        for note in draft.notes[-3:]:
            st.caption(inert_inline(note))
        if draft.status in ("cancelled", "failed", "incomplete", "truncated") and not draft.edited:
            st.button(
                "Accept this draft as it is",
                key=state.step_widget("accept", step.id),
                on_click=_accept,
                args=(pack.name, step.id),
                disabled=busy,
                help="Let later steps read this partial draft without editing it.",
            )
        tabs = st.tabs(["Checklist", "Draft", "Edit", f"Versions ({len(draft.versions)})", "Prompt"])
        with tabs[0]:
            widgets.checklist(report)
        with tabs[1], st.container(height=640, border=False):  # a 40 KB playbook scrolls inside its card
            widgets.markdown_text(draft.text)
        with tabs[2]:
            _editor(step, draft, label="Edit the draft (Markdown)")
        with tabs[3]:
            widgets.versions(
                draft,
                key=state.step_widget("versions", step.id),
                on_restore=lambda index, step_id=step.id: _restore(pack.name, step_id, index),
            )
        with tabs[4]:
            _prompt_view(step)

    def _card(step: Step, number: int) -> CardSlots:
        draft = ws.drafts.get(step.id)
        in_job = job_here is not None and step.id in job_here.views
        status = _status(step.id)
        lacking = runs.missing_inputs(pack, ws, step.id)
        with st.container(border=True, key=f"card__{step.id}"):
            head, actions = st.columns([3, 2], vertical_alignment="top")
            with head:
                st.markdown(f"#### {number}. {inert_inline(step.title)}")
                badge = st.empty()
                with badge:
                    widgets.status_badge(status)
            with actions:
                row = st.container(horizontal=True, horizontal_alignment="right")
                has_text = draft is not None and bool(draft.text.strip())
                run_help = (
                    f"Needs a draft of: {', '.join(pack.step(n).title for n in lacking)}."
                    if lacking
                    else (
                        "Generate this step again; the current draft is kept as a version."
                        if has_text
                        else "Generate this step."
                    )
                )
                row.button(
                    "Re-run step" if has_text else "Run step",
                    icon=":material/refresh:" if has_text else ":material/play_arrow:",
                    key=state.step_widget("run", step.id),
                    on_click=_request_run,
                    args=([step.id],),
                    disabled=busy or variables is None or bool(lacking),
                    help=run_help,
                )
                report = draft.report if draft is not None else None
                if has_text and report is not None and report.missing:
                    row.button(
                        f"Repair missing sections ({len(report.missing)})",
                        icon=":material/healing:",
                        key=state.step_widget("repair", step.id),
                        on_click=_request_repair,
                        args=(step.id,),
                        disabled=busy or variables is None,
                        help="Ask the model only for the missing sections and merge them into the draft in order.",
                    )
                if in_job:
                    row.button("Stop", key=state.step_widget("stop", step.id), on_click=_stop, icon=":material/stop:")
            status_slot = st.empty()
            main = st.empty()
            repair = st.empty()
            if in_job:
                status_slot.caption(job_here.status_line(step.id) if job_here else "")
                if draft is not None and draft.text:
                    st.caption("The previous draft is kept under Versions.")
            else:
                _body(step, draft)
        return CardSlots(badge, status_slot, main, repair)

    slots: dict[str, CardSlots] = {}
    for number, step in enumerate(default_steps, 1):
        slots[step.id] = _card(step, number)

    if optional_steps:
        st.subheader("Optional refinements")
        ready = [
            s.id
            for s in optional_steps
            if not runs.missing_inputs(pack, ws, s.id) and not (ws.has(s.id) and ws.drafts[s.id].usable)
        ]
        open_it = any(ws.has(s.id) for s in optional_steps) or (
            job_here is not None and any(s.id in job_here.views for s in optional_steps)
        )
        with st.expander(
            f"{len(optional_steps)} human-in-the-loop refinements, each reading the playbook", expanded=open_it
        ):
            st.button(
                f"Run the {len(ready)} ready refinement{'s' if len(ready) != 1 else ''}"
                if ready
                else "Run ready refinements",
                icon=":material/play_arrow:",
                key="run_refinements",
                on_click=_request_run,
                args=(ready,),
                disabled=busy or variables is None or not ready,
                help="Refinements run in parallel once the playbook exists."
                if ready
                else "Needs the playbook first (or all are done).",
            )
            for number, step in enumerate(optional_steps, len(default_steps) + 1):
                slots[step.id] = _card(step, number)

    with st.expander("Consistency across the documents", icon=":material/compare_arrows:"):
        consistency_panel(ws)

    with st.container(border=True, key="export_box"):
        st.subheader("Export the set")
        widgets.export_buttons(pack, ws)
        if ws.has("playbook") and pack.checklist_for("playbook") is not None:
            st.page_link("pages/levels.py", label="See the escalation levels diagram", icon=":material/stairs:")

    # --- follow a running job ------------------------------------------------------------------------

    def _follow(job: ChainJob) -> None:
        shown: set = set()
        last = 0.0

        def tick() -> None:
            nonlocal last
            now = time.monotonic()
            if now - last < 0.4:
                return
            last = now
            for step_id in job.order:
                if step_id in slots:
                    slots[step_id].status.caption(job.status_line(step_id))
                    with slots[step_id].badge:  # queued -> running as the step starts
                        widgets.status_badge(_status(step_id))

        while True:
            target = job.next_stage(shown)
            if target is None:
                if job.finished:
                    return
                if not job.poll(0.1):
                    tick()
                continue
            step_id, stage = target
            card = slots.get(step_id)
            if card is None:
                shown.add(target)
                continue
            area = card.main if stage[0] == "main" else card.repair
            # a fixed-height box that follows the newest text, so the page does not jump
            with area.container(height=460, autoscroll=True, border=False):
                if stage[0] == "repair":
                    st.caption(
                        ":material/healing: Repair: the model writes only the missing sections; they are merged into the draft in order."
                    )
                st.write_stream(job.text_stream(step_id, stage, tick))
            shown.add(target)
            tick()

    if job_here is not None:
        _follow(job_here)
        runs.finish_job(studio, job_here)
        st.rerun()


shell.page(render)
