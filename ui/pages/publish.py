"""Review & publish: sign a document set off, then publish its approved policy into Zendesk and PagerDuty."""

from __future__ import annotations

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.errors import PlaybookError
from ui import session, shell
from ui.panels.publishing import publish_panel
from ui.panels.review import review_panel
from ui.safety import inert_inline

W_RUN = "publish_run"


def render() -> None:
    studio = session.studio()
    st.title("Review & publish")
    st.caption(
        "An approved set's escalation policy becomes Zendesk triggers and SLA policies and PagerDuty escalation policies. "
        "Editing an approved set starts a new draft; what is published is always the newest approval."
    )
    try:
        records = studio.runs(limit=200)
    except PlaybookError as exc:
        st.error(inert_inline(exc.message))
        st.stop()
    if not records:
        st.info("No document sets yet. Run the chain first: sets appear here once a step has run.", icon=":material/info:")
        st.stop()
    names = {r.id: f"{studio.set_name(r)} · {r.updated_at:%Y-%m-%d %H:%M}" for r in records}
    if st.session_state.get(W_RUN) not in names:
        st.session_state[W_RUN] = records[0].id
    run_id = st.selectbox("Document set", list(names), key=W_RUN, format_func=names.get)
    record = studio.run(run_id)
    steps = [step.id for step in studio.pack(record.pack).steps] if record.pack in studio.library.packs else []
    left, right = st.columns([2, 3], gap="large")
    with left:
        review = review_panel(studio, run_id, steps)
    with right:
        publish_panel(studio, run_id, review)


shell.page(render)
