"""Follow the running job: stream each step's text into its card as it arrives.

Only the script thread may call ``st.*``, so the page polls the job (which runs on a worker,
see ``ui/streaming.py``) and writes what arrived into the slots the cards left empty.
"""

from __future__ import annotations

import time

import streamlit as st

from ui import widgets
from ui.panels.chain_card import CardSlots
from ui.panels.chain_view import ChainView
from ui.streaming import ChainJob

#: seconds between refreshes of the cards' status lines and badges
TICK_SECONDS = 0.4


def follow_job(view: ChainView, job: ChainJob, slots: dict[str, CardSlots]) -> None:
    """Stream every stage of ``job`` (main text, then each repair round) into its card until the job ends."""
    shown: set = set()
    last = 0.0

    def tick() -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < TICK_SECONDS:
            return
        last = now
        for step_id in job.order:
            if step_id in slots:
                slots[step_id].status.caption(job.status_line(step_id))
                with slots[step_id].badge:  # queued -> running as the step starts
                    widgets.status_badge(view.status(step_id))

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
                    ":material/healing: Repair: the model writes only the missing sections and the missing items of "
                    "incomplete ones; they are merged into the draft in order."
                )
            st.write_stream(job.text_stream(step_id, stage, tick))
        shown.add(target)
        tick()
