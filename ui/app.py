"""Escalation Playbook Studio — the Streamlit entry point.

    streamlit run ui/app.py        (or: make run)

This file sets up the page, creates the session keys once, lets the person in
(``ui/gate.py``: sign-in in team mode, loopback only in personal mode), draws the shared
sidebar (``ui/sidebar.py``) and routes to the pages listed with ``st.navigation``
(the Audit trail only for admins). Pages talk to the engine only through
``assistant`` (see ``ui/session.py`` and ``ui/runs.py``).
"""

from __future__ import annotations

from pathlib import Path

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.errors import PlaybookError
from ui import gate, runs, session, shell, sidebar, state
from ui.safety import inert_inline

st.set_page_config(page_title="Escalation Playbook Studio", page_icon=":material/account_tree:", layout="wide")

state.init_session()
state.apply_pending_widget_values()

PAGES = Path(__file__).parent / "pages"
pages = [
    st.Page(PAGES / "organisation.py", title="Organisation", icon=":material/domain:", default=True),
    st.Page(PAGES / "chain.py", title="Chain", icon=":material/account_tree:"),
    st.Page(PAGES / "levels.py", title="Escalation levels", icon=":material/stairs:"),
    st.Page(PAGES / "validate.py", title="Check or audit", icon=":material/fact_check:"),
    st.Page(PAGES / "calibration.py", title="Calibration", icon=":material/tune:"),
    st.Page(PAGES / "dashboard.py", title="Dashboard", icon=":material/monitoring:"),
    st.Page(PAGES / "history.py", title="History", icon=":material/history:"),
    st.Page(PAGES / "publish.py", title="Review & publish", icon=":material/verified:"),
]
audit = st.Page(PAGES / "audit.py", title="Audit trail", icon=":material/policy:")

# --- the door: nobody unsigned (or not allowed) gets past this point -----------------------------

try:
    settings = session.environment_settings()
    viewer = gate.admit(settings, [page.url_path for page in [*pages, audit]])
    studio = session.studio(viewer)
    gate.record_sign_in(studio)
except PlaybookError as exc:
    st.error(inert_inline(exc.message), icon=":material/error:")
    st.stop()

current = st.navigation([*pages, audit] if viewer.admin else pages)

if gate.open_to_anyone(settings):
    gate.warn_open_to_anyone()

sidebar.draw(studio)


# --- a run keeps going while another page is open ----------------------------------------------------

job = runs.active_job()
if job is not None and current.url_path != "chain":
    job.drain()
    if job.finished:
        runs.finish_job(studio, job)
    else:
        st.page_link(
            PAGES / "chain.py",
            label="A run is in progress: follow it on the Chain page",
            icon=":material/progress_activity:",
        )

for kind, text in state.pop_flashes():
    if kind == "success":
        st.toast(inert_inline(text), icon=":material/check_circle:")
    else:
        {"warning": st.warning, "error": st.error}.get(kind, st.info)(inert_inline(text))

shell.entry(current.run)
