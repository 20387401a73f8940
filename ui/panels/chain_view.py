"""What every panel of the Chain page reads in one script run, and the clicks that ask for a run.

Buttons only leave a request in the session (:func:`request_run`, :func:`request_repair`); the
page starts the job at the top of the next run, before anything is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from assistant.api import Studio
from assistant.packs import Pack
from ui import runs, state, widgets
from ui.state import Workspace
from ui.streaming import ChainJob


@dataclass
class ChainView:
    """The pack, its workspace and the job drawn on this page (``job`` is None when it belongs to another pack)."""

    studio: Studio
    pack: Pack
    ws: Workspace
    job: ChainJob | None
    #: a job of any pack is running: nothing else may start
    busy: bool
    #: the prepared variables, or None while the profile has problems
    variables: dict[str, Any] | None

    def in_job(self, step_id: str) -> bool:
        return self.job is not None and step_id in self.job.views

    def status(self, step_id: str) -> str:
        """The step's display status, counting the running job (queued until its stream starts)."""
        in_job = self.in_job(step_id)
        queued = in_job and not (self.job.views[step_id].started or self.job.views[step_id].repair_round)
        if in_job and self.job.kind == "repair":
            queued = False
        return widgets.display_status(self.ws.drafts.get(step_id), running=in_job, queued=queued)


def request_run(steps: list[str]) -> None:
    st.session_state[state.PENDING_RUN] = {"kind": "run", "steps": steps}


def request_repair(step_id: str) -> None:
    st.session_state[state.PENDING_RUN] = {"kind": "repair", "step": step_id}


def stop() -> None:
    job = runs.active_job()
    if job is not None:
        job.stop()
