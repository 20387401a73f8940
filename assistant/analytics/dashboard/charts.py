"""The dashboard as Altair charts for the app, and as the Vega-Lite specs of the same charts.

:func:`chart_data` gives the plain rows both these charts and the HTML page's SVG draw, so the two
views always show the same numbers. Altair is imported only when charts are drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.analytics.dashboard.models import DashboardReport

if TYPE_CHECKING:
    import altair as alt


def level_name(level: int) -> str:
    """How a level is labelled in every chart and table."""
    return "Not escalated" if level == 0 else f"Level {level}"


def chart_data(report: DashboardReport) -> dict[str, list[dict[str, Any]]]:
    """Plain rows per chart (JSON-safe): what both the Altair charts and the SVG page draw."""
    return {
        "volume_by_level": [{"level": level_name(v.level), "escalations": v.count} for v in report.volume_by_level],
        "volume_by_reason": [{"reason": r.reason, "escalations": r.count} for r in report.volume_by_reason],
        "time_to_escalate": [{"level": level_name(d.level), "median_hours": d.median_hours or 0.0} for d in report.time_to_escalate],
        "time_to_resolve": [{"level": level_name(d.level), "median_hours": d.median_hours or 0.0} for d in report.time_to_resolve],
        "reopen_rate": [{"level": level_name(o.level), "reopen_rate": o.reopen_rate} for o in report.outcomes],
        "csat": [{"level": level_name(o.level), "csat": o.csat} for o in report.outcomes if o.csat is not None],
        "weekly": [
            {"week": w.week.isoformat(), "escalation_rate": w.escalation_rate, "escalated": w.escalated, "tickets": w.tickets}
            for w in report.weekly
        ],
    }


CHART_TITLES = {
    "volume_by_level": "Escalations by level",
    "volume_by_reason": "Escalations by reason",
    "time_to_escalate": "Time to escalate (median hours)",
    "time_to_resolve": "Time to resolve by level (median hours)",
    "reopen_rate": "Reopen rate by level",
    "csat": "CSAT by level (1–5)",
    "weekly": "Escalation rate by week",
}


def charts(report: DashboardReport) -> dict[str, alt.Chart]:
    """Altair charts of the report, keyed like :data:`CHART_TITLES` (empty series are left out)."""
    import altair as alt

    data = chart_data(report)
    out: dict[str, alt.Chart] = {}

    def bars(key: str, category: str, value: str, fmt: str = ",.0f", horizontal: bool = False) -> None:
        if not data[key]:
            return
        base = alt.Chart(alt.Data(values=data[key]), title=CHART_TITLES[key])
        if horizontal:
            out[key] = base.mark_bar().encode(
                y=alt.Y(f"{category}:N", sort="-x", title=None),
                x=alt.X(f"{value}:Q", title=value.replace("_", " ")),
                tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=fmt)],
            )
        else:
            out[key] = base.mark_bar().encode(
                x=alt.X(f"{category}:N", sort=None, title=None),
                y=alt.Y(f"{value}:Q", title=value.replace("_", " "), axis=alt.Axis(format=fmt)),
                tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=fmt)],
            )

    bars("volume_by_level", "level", "escalations")
    bars("volume_by_reason", "reason", "escalations", horizontal=True)
    bars("time_to_escalate", "level", "median_hours", ",.1f")
    bars("time_to_resolve", "level", "median_hours", ",.1f")
    bars("reopen_rate", "level", "reopen_rate", ".1%")
    bars("csat", "level", "csat", ".2f")
    if data["weekly"]:
        out["weekly"] = (
            alt.Chart(alt.Data(values=data["weekly"]), title=CHART_TITLES["weekly"])
            .mark_line(point=True)
            .encode(
                x=alt.X("week:T", title="week"),
                y=alt.Y("escalation_rate:Q", title="escalation rate", axis=alt.Axis(format=".0%")),
                tooltip=[alt.Tooltip("week:T"), alt.Tooltip("escalation_rate:Q", format=".1%"), alt.Tooltip("escalated:Q"), alt.Tooltip("tickets:Q")],
            )
        )
    return out


def vega_lite_specs(report: DashboardReport) -> dict[str, dict[str, Any]]:
    """The charts as Vega-Lite JSON, for the HTML page to embed."""
    return {key: chart.to_dict() for key, chart in charts(report).items()}
