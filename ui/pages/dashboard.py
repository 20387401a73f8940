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


def _csat(escalated: float | None, not_escalated: float | None) -> tuple[str, float | None, str]:
    """The value, its difference from tickets that were not escalated (its arrow points the way
    it moved: down when escalated tickets score lower), and what the difference means."""
    value = "—" if escalated is None else f"{escalated:.2f}"
    if escalated is None or not_escalated is None:
        return value, None, "No CSAT for comparison in this history."
    difference = round(escalated - not_escalated, 2)
    return value, difference, f"Difference from tickets that were not escalated ({not_escalated:.2f}); higher is better."


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
        "Escalated",
        f"{report.escalated:,}",
        f"{report.escalation_rate:.1%} of tickets",
        delta_color="off",
        delta_arrow="off",  # a share, not a change
        border=True,
    )
    csat, difference, meaning = _csat(report.csat_escalated, report.csat_not_escalated)
    kpis[2].metric("CSAT after escalation", csat, difference, "normal", help=meaning, border=True)
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
