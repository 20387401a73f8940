"""The consistency panel: conflicting targets, level names and roles across this session's drafts."""

from __future__ import annotations

import streamlit as st

from assistant.validation import check_consistency

from ui.safety import inert_inline
from ui.state import Workspace

DOCUMENTS = ("playbook", "runbooks", "training")


def consistency_panel(ws: Workspace, *, key: str = "consistency") -> None:
    """Compare the playbook, runbooks and training drafts of a workspace and list each conflict with both locations."""
    documents = {step: ws.drafts[step].text for step in DOCUMENTS if ws.has(step)}
    if len(documents) < 2:
        st.caption(
            "Consistency is checked once the playbook and at least one of the runbooks or the training pack have drafts."
        )
        return
    report = check_consistency(documents)
    compared = ", ".join(report.documents)
    if not report.conflicts:
        st.success(
            f"No conflicts across {compared}: {report.targets} response targets, {report.levels} level names and "
            f"{report.roles} role names agree.",
            icon=":material/check_circle:",
        )
        return
    errors = sum(1 for c in report.conflicts if c.severity == "error")
    st.warning(
        f"{errors} conflict(s) and {len(report.conflicts) - errors} naming warning(s) across {compared}.",
        icon=":material/warning:",
    )
    for index, conflict in enumerate(report.conflicts):
        with st.container(border=True, key=f"{key}__{index}"):
            mark = ":red[✗]" if conflict.severity == "error" else ":orange[⚠]"
            st.markdown(f"{mark} **{inert_inline(conflict.subject)}** — {inert_inline(conflict.message)}")
            for side in (conflict.first, conflict.second):
                st.caption(f"{inert_inline(side.document)}, line {side.line}: {inert_inline(side.text)}")
