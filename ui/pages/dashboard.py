"""Dashboard page: the seed-002 escalation metrics of the ticket history, as interactive Altair charts."""

from __future__ import annotations

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.analytics.dashboard import CHART_TITLES, build_dashboard, charts, to_html
from assistant.errors import PlaybookError
from ui import session, shell, tickets_input
from ui.safety import inert_inline

W_DOWNLOAD = "dash_download_html"
#: the calibration page's policy, used when the file records no escalations
POLICY = "analytics_policy"


def render() -> None:
    session.studio()
    st.title("Escalation metrics")
    st.caption(
        "Volume by level and reason, time to escalate and to resolve, reopen rate, CSAT after escalation, weekly trend."
    )
    table = tickets_input.current_table(prefix="dash_")
    if table is None:
        st.stop()
    try:
        report = build_dashboard(table, st.session_state.get(POLICY))
    except PlaybookError as exc:
        st.error(inert_inline(exc.message), icon=":material/error:")
        st.stop()
    for note in report.notes:
        st.caption(inert_inline(note))
    kpis = st.columns(4)
    kpis[0].metric("Tickets", f"{report.tickets:,}", border=True)
    kpis[1].metric(
        "Escalated", f"{report.escalated:,}", f"{report.escalation_rate:.1%} of tickets", delta_color="off", border=True
    )
    csat = "—" if report.csat_escalated is None else f"{report.csat_escalated:.2f}"
    versus = None if report.csat_not_escalated is None else f"vs {report.csat_not_escalated:.2f} not escalated"
    kpis[2].metric("CSAT after escalation", csat, versus, delta_color="off", border=True)
    reopen = "—" if report.reopen_rate_escalated is None else f"{report.reopen_rate_escalated:.1%}"
    kpis[3].metric("Reopen rate (escalated)", reopen, border=True)

    made = charts(report)
    keys = [k for k in CHART_TITLES if k in made]
    for start in range(0, len(keys), 2):
        columns = st.columns(2)
        for column, key in zip(columns, keys[start : start + 2]):
            with column:
                st.altair_chart(made[key], width="stretch", key=f"dash_chart__{key}")

    st.download_button(
        "Report as a standalone HTML page",
        data=to_html(report),
        file_name="escalation-metrics.html",
        mime="text/html",
        key=W_DOWNLOAD,
        on_click="ignore",
        icon=":material/download:",
        help="Opens anywhere, offline: the charts are inline SVG and no scripts are loaded.",
    )


shell.page(render)
