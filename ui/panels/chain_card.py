"""One step of the chain as a card: title and status badge, run / repair / stop buttons, the draft below.

While the step is in the running job the card keeps empty slots instead of the draft; the page
streams the text into them (see ``ui/panels/chain_follow.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from assistant.packs import Step
from ui import runs, state, widgets
from ui.panels.chain_draft import card_body
from ui.panels.chain_view import ChainView, request_repair, request_run, stop
from ui.safety import inert_inline
from ui.state import Draft


@dataclass
class CardSlots:
    """Where a step's card shows progress, the streamed draft and a streamed repair."""

    badge: DeltaGenerator
    status: DeltaGenerator
    main: DeltaGenerator
    repair: DeltaGenerator


def _run_help(view: ChainView, lacking: list[str], has_text: bool) -> str:
    if lacking:
        return f"Needs a draft of: {', '.join(view.pack.step(n).title for n in lacking)}."
    if has_text:
        return "Generate this step again; the current draft is kept as a version."
    return "Generate this step."


def card_actions(view: ChainView, step: Step, draft: Draft | None) -> None:
    """Run (or re-run) the step, repair what its draft lacks, stop it while it runs."""
    lacking = runs.missing_inputs(view.pack, view.ws, step.id)
    row = st.container(horizontal=True, horizontal_alignment="right")
    has_text = draft is not None and bool(draft.text.strip())
    row.button(
        "Re-run step" if has_text else "Run step",
        icon=":material/refresh:" if has_text else ":material/play_arrow:",
        key=state.step_widget("run", step.id),
        on_click=request_run,
        args=([step.id],),
        disabled=view.busy or view.variables is None or bool(lacking),
        help=_run_help(view, lacking, has_text),
    )
    report = draft.report if draft is not None else None
    if has_text and report is not None and report.gaps:
        states = (("missing", report.missing), ("incomplete", report.incomplete))
        gaps = [f"{len(ids)} {state_name}" for state_name, ids in states if ids]
        row.button(
            f"Repair: {', '.join(gaps)}",
            icon=":material/healing:",
            key=state.step_widget("repair", step.id),
            on_click=request_repair,
            args=(step.id,),
            disabled=view.busy or view.variables is None,
            help="Ask the model only for the missing sections and the missing items of incomplete ones, "
            "and merge them into the draft in order.",
        )
    if view.in_job(step.id):
        row.button("Stop", key=state.step_widget("stop", step.id), on_click=stop, icon=":material/stop:")


def step_card(view: ChainView, step: Step, number: int) -> CardSlots:
    """The card of one step; returns the slots a running job streams into."""
    draft = view.ws.drafts.get(step.id)
    in_job = view.in_job(step.id)
    with st.container(border=True, key=f"card__{step.id}"):
        head, actions = st.columns([3, 2], vertical_alignment="top")
        with head:
            st.markdown(f"## {number}. {inert_inline(step.title)}")
            badge = st.empty()
            with badge:
                widgets.status_badge(view.status(step.id))
        with actions:
            card_actions(view, step, draft)
        status_slot = st.empty()
        main = st.empty()
        repair = st.empty()
        if in_job:
            status_slot.caption(view.job.status_line(step.id) if view.job else "")
            if draft is not None and draft.text:
                st.caption("The previous draft is kept under Versions.")
        else:
            card_body(view, step, draft)
    return CardSlots(badge, status_slot, main, repair)
