"""The escalation metrics dashboard of seed 002, computed from ticket history.

Seed 002's "Escalation Management Dashboard" reports volume by level and reason, resolution time
per level, re-escalation / reopen rate, CSAT of escalated against other tickets, and the trend.
:func:`build_dashboard` computes those figures with DuckDB on the canonical ``tickets`` table
(:mod:`assistant.tickets`) into a pydantic :class:`DashboardReport`; :func:`charts` turns it into
Altair charts for the app; :func:`to_html` writes a standalone report page.

The page loads no script from anywhere (the app may run with no internet): its charts are inline
SVG drawn here, its figures are HTML tables, and the Vega-Lite specs of the same charts are
embedded as inert JSON for anyone who wants to open them in a Vega tool.
"""

from __future__ import annotations

import html
import json
import math
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from assistant.errors import UserInputError
from assistant.analytics.tickets.table import TicketTable

if TYPE_CHECKING:
    import altair as alt

    from assistant.analytics.policy.model import EscalationPolicy


class LevelVolume(BaseModel):
    level: int
    count: int
    #: share of escalated tickets, and of all tickets
    share_of_escalations: float
    share_of_tickets: float


class ReasonVolume(BaseModel):
    reason: str
    count: int
    share: float


class Duration(BaseModel):
    """Hours, over the tickets of one level that have the times needed."""

    level: int
    tickets: int
    mean_hours: float | None
    median_hours: float | None
    p90_hours: float | None


class LevelOutcome(BaseModel):
    level: int
    tickets: int
    reopen_rate: float
    csat: float | None
    csat_responses: int


class WeekTrend(BaseModel):
    week: date
    tickets: int
    escalated: int
    escalation_rate: float
    level3plus: int


class Segment(BaseModel):
    name: str
    escalated: int
    share: float


class DashboardReport(BaseModel):
    source: str
    period: str
    tickets: int
    escalated: int
    escalation_rate: float
    #: where levels come from: the file's own escalation column, or a policy applied to the tickets
    level_source: Literal["history", "policy"]
    volume_by_level: list[LevelVolume]
    volume_by_reason: list[ReasonVolume]
    time_to_escalate: list[Duration]
    time_to_resolve: list[Duration]
    outcomes: list[LevelOutcome]
    reopen_rate_escalated: float | None
    reopen_rate_not_escalated: float | None
    csat_escalated: float | None
    csat_not_escalated: float | None
    weekly: list[WeekTrend]
    top_tiers: list[Segment] = []
    top_channels: list[Segment] = []
    notes: list[str] = []


# --- computing -------------------------------------------------------------------------------------


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value / 60.0, 2)


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def build_dashboard(table: TicketTable, policy: EscalationPolicy | None = None) -> DashboardReport:
    """Every seed-002 figure in a handful of aggregate queries.

    Levels come from the file's escalation column when it has one; otherwise from ``policy``
    (what the policy would have escalated). With neither there is nothing to measure.
    """
    notes: list[str] = []
    if table.has("escalation_level") or table.has("escalated"):
        level_expr, level_source = "COALESCE(escalation_level, 0)", "history"
        if not table.has("escalation_level"):
            notes.append("The file says whether a ticket was escalated but not to which level: escalated tickets count as Level 1.")
    elif policy is not None:
        from assistant.analytics.calibration.sql import assigned_level_sql

        level_expr, level_source = assigned_level_sql(policy), "policy"
        notes.append("The file has no escalation column: levels are those the current policy would assign.")
    else:
        raise UserInputError(
            f"{table.summary.path}: no escalation column is mapped (escalated / escalation level), so there is nothing to "
            "measure. Map one, or give a policy so the dashboard shows what it would escalate."
        )
    con = table.con
    con.execute(f"CREATE OR REPLACE TEMP VIEW dash AS SELECT *, {level_expr} AS lvl FROM tickets")
    total = table.rows
    escalated = table.one("SELECT count(*) FILTER (WHERE lvl > 0) FROM dash")[0]

    by_level = [
        LevelVolume(level=lvl, count=count, share_of_escalations=_share(count, escalated), share_of_tickets=_share(count, total))
        for lvl, count in table.query("SELECT lvl, count(*) FROM dash WHERE lvl > 0 GROUP BY lvl ORDER BY lvl")
    ]
    reason_column = "escalation_reason" if table.has("escalation_reason") else "category"
    if reason_column == "category":
        notes.append("No escalation reason column: reasons are the escalated tickets' categories.")
    by_reason = [
        ReasonVolume(reason=reason, count=count, share=_share(count, escalated))
        for reason, count in table.query(
            f"SELECT COALESCE(NULLIF(trim({reason_column}), ''), 'Other') AS r, count(*) AS n FROM dash WHERE lvl > 0 GROUP BY r ORDER BY n DESC, r"
        )
    ]

    def durations(column: str, where: str) -> list[Duration]:
        rows = table.query(
            f"SELECT lvl, count({column}), avg({column}), median({column}), quantile_cont({column}, 0.9) "
            f"FROM dash WHERE {where} GROUP BY lvl ORDER BY lvl"
        )
        return [Duration(level=r[0], tickets=r[1], mean_hours=_hours(r[2]), median_hours=_hours(r[3]), p90_hours=_hours(r[4])) for r in rows]

    to_escalate = durations("escalate_minutes", "lvl > 0 AND escalate_minutes >= 0") if table.has("escalated_at") else []
    if not to_escalate:
        notes.append("No escalated-time column: time to escalate is not shown.")
    to_resolve = durations("resolution_minutes", "resolution_minutes >= 0") if table.has("resolved_at") else []

    outcomes = [
        LevelOutcome(level=r[0], tickets=r[1], reopen_rate=r[2] or 0.0, csat=None if r[3] is None else round(r[3], 2), csat_responses=r[4])
        for r in table.query(
            "SELECT lvl, count(*), avg(CASE WHEN reopen_count > 0 THEN 1.0 ELSE 0.0 END) FILTER (WHERE reopen_count IS NOT NULL), "
            "avg(csat), count(csat) FROM dash GROUP BY lvl ORDER BY lvl"
        )
    ]
    reopen_esc, reopen_not, csat_esc, csat_not = table.one(
        "SELECT avg(CASE WHEN reopen_count > 0 THEN 1.0 ELSE 0.0 END) FILTER (WHERE lvl > 0 AND reopen_count IS NOT NULL), "
        "avg(CASE WHEN reopen_count > 0 THEN 1.0 ELSE 0.0 END) FILTER (WHERE lvl = 0 AND reopen_count IS NOT NULL), "
        "avg(csat) FILTER (WHERE lvl > 0), avg(csat) FILTER (WHERE lvl = 0) FROM dash"
    )
    weekly = [
        WeekTrend(week=week.date() if isinstance(week, datetime) else week, tickets=n, escalated=e, escalation_rate=_share(e, n), level3plus=m)
        for week, n, e, m in table.query(
            "SELECT date_trunc('week', created_at) AS w, count(*), count(*) FILTER (WHERE lvl > 0), count(*) FILTER (WHERE lvl >= 3) "
            "FROM dash WHERE created_at IS NOT NULL GROUP BY w ORDER BY w"
        )
    ]

    def segments(column: str) -> list[Segment]:
        if not table.has(column):
            return []
        return [
            Segment(name=name, escalated=count, share=_share(count, escalated))
            for name, count in table.query(
                f"SELECT COALESCE({column}, 'unknown') AS s, count(*) AS n FROM dash WHERE lvl > 0 GROUP BY s ORDER BY n DESC, s LIMIT 5"
            )
        ]

    summary = table.summary
    period = (
        f"{summary.first_created:%Y-%m-%d} to {summary.last_created:%Y-%m-%d}" if summary.first_created and summary.last_created else ""
    )
    return DashboardReport(
        source=summary.path,
        period=period,
        tickets=total,
        escalated=escalated,
        escalation_rate=_share(escalated, total),
        level_source=level_source,  # type: ignore[arg-type]
        volume_by_level=by_level,
        volume_by_reason=by_reason,
        time_to_escalate=to_escalate,
        time_to_resolve=to_resolve,
        outcomes=outcomes,
        reopen_rate_escalated=reopen_esc,
        reopen_rate_not_escalated=reopen_not,
        csat_escalated=None if csat_esc is None else round(csat_esc, 2),
        csat_not_escalated=None if csat_not is None else round(csat_not, 2),
        weekly=weekly,
        top_tiers=segments("tier"),
        top_channels=segments("channel"),
        notes=notes,
    )


# --- charts (Altair, for the app and as Vega-Lite JSON) ---------------------------------------------


def _level_name(level: int) -> str:
    return "Not escalated" if level == 0 else f"Level {level}"


def chart_data(report: DashboardReport) -> dict[str, list[dict[str, Any]]]:
    """Plain rows per chart (JSON-safe): what both the Altair charts and the SVG page draw."""
    return {
        "volume_by_level": [{"level": _level_name(v.level), "escalations": v.count} for v in report.volume_by_level],
        "volume_by_reason": [{"reason": r.reason, "escalations": r.count} for r in report.volume_by_reason],
        "time_to_escalate": [{"level": _level_name(d.level), "median_hours": d.median_hours or 0.0} for d in report.time_to_escalate],
        "time_to_resolve": [{"level": _level_name(d.level), "median_hours": d.median_hours or 0.0} for d in report.time_to_resolve],
        "reopen_rate": [{"level": _level_name(o.level), "reopen_rate": o.reopen_rate} for o in report.outcomes],
        "csat": [{"level": _level_name(o.level), "csat": o.csat} for o in report.outcomes if o.csat is not None],
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
    return {key: chart.to_dict() for key, chart in charts(report).items()}


# --- the standalone HTML report ------------------------------------------------------------------------

_WIDTH, _BAR, _GAP, _LABEL = 640, 22, 8, 190


def _fmt(value: float | None, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "hours":
        return f"{value:,.1f} h"
    if kind == "score":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def svg_bars(rows: list[tuple[str, float]], kind: str = "count", title: str = "") -> str:
    """A horizontal bar chart as inline SVG (labels escaped)."""
    if not rows:
        return '<p class="empty">No data.</p>'
    top = max((v for _, v in rows), default=0) or 1
    height = len(rows) * (_BAR + _GAP) + _GAP
    span = _WIDTH - _LABEL - 90
    parts = [f'<svg role="img" aria-label="{html.escape(title)}" width="{_WIDTH}" height="{height}" viewBox="0 0 {_WIDTH} {height}">']
    for index, (label, value) in enumerate(rows):
        y = _GAP + index * (_BAR + _GAP)
        width = max(1.0, span * (value or 0) / top)
        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + _BAR * 0.72:.1f}" text-anchor="end">{html.escape(str(label))}</text>'
            f'<rect x="{_LABEL}" y="{y}" width="{width:.1f}" height="{_BAR}" rx="3"><title>{html.escape(str(label))}: {_fmt(value, kind)}</title></rect>'
            f'<text x="{_LABEL + width + 6:.1f}" y="{y + _BAR * 0.72:.1f}">{_fmt(value, kind)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def svg_line(points: list[tuple[str, float]], kind: str = "pct", title: str = "") -> str:
    """A line chart as inline SVG: one point per label (weeks), y from zero to the maximum."""
    if not points:
        return '<p class="empty">No data.</p>'
    height, left, bottom, top_pad = 240, 56, 44, 14
    span_x = _WIDTH - left - 20
    span_y = height - bottom - top_pad
    top = max(v for _, v in points) or 1
    step = span_x / max(1, len(points) - 1)
    xy = [(left + i * step, top_pad + span_y * (1 - v / top)) for i, (_, v) in enumerate(points)]
    parts = [f'<svg role="img" aria-label="{html.escape(title)}" width="{_WIDTH}" height="{height}" viewBox="0 0 {_WIDTH} {height}">']
    parts.append(f'<line class="axis" x1="{left}" y1="{top_pad + span_y}" x2="{left + span_x}" y2="{top_pad + span_y}"/>')
    parts.append(f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end">{_fmt(top, kind)}</text>')
    parts.append(f'<text x="{left - 6}" y="{top_pad + span_y}" text-anchor="end">{_fmt(0.0, kind)}</text>')
    parts.append('<polyline fill="none" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>')
    every = max(1, len(points) // 6)
    for i, ((label, value), (x, y)) in enumerate(zip(points, xy)):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{html.escape(label)}: {_fmt(value, kind)}</title></circle>')
        if i % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle">{html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:980px;color:#1f2933;padding:0 1rem}
h1{margin-bottom:.2rem}.muted{color:#61717f}.kpis{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.kpi{border:1px solid #d5dde5;border-radius:8px;padding:.6rem 1rem;min-width:150px}.kpi b{display:block;font-size:1.5rem}
section{margin:2rem 0}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d5dde5;padding:.25rem .6rem;text-align:left}
th{background:#f3f6f9}svg text{font-size:12px;fill:#1f2933}svg rect{fill:#2f6db5}svg polyline{stroke:#2f6db5;stroke-width:2}
svg circle{fill:#2f6db5}svg .axis{stroke:#9aa5b1}.note{background:#f7f9fb;border-left:4px solid #9aa5b1;padding:.5rem 1rem}
"""


def to_html(report: DashboardReport, *, title: str = "Escalation metrics") -> str:
    """A standalone HTML page: KPIs, inline-SVG charts, tables and the embedded Vega-Lite specs; no scripts run."""
    data = chart_data(report)
    esc = html.escape
    kpis = [
        ("Tickets", f"{report.tickets:,}"),
        ("Escalated", f"{report.escalated:,} ({report.escalation_rate:.1%})"),
        ("CSAT escalated", _fmt(report.csat_escalated, "score")),
        ("CSAT not escalated", _fmt(report.csat_not_escalated, "score")),
        ("Reopen rate (escalated)", _fmt(report.reopen_rate_escalated, "pct")),
    ]
    sections = [
        ("Escalation volume by level", svg_bars([(r["level"], r["escalations"]) for r in data["volume_by_level"]], "count", "volume by level"),
         _table(["Level", "Escalations", "Share of escalations", "Share of tickets"],
                [[_level_name(v.level), f"{v.count:,}", f"{v.share_of_escalations:.1%}", f"{v.share_of_tickets:.2%}"] for v in report.volume_by_level])),
        ("Escalation reasons", svg_bars([(r.reason, r.count) for r in report.volume_by_reason], "count", "reasons"),
         _table(["Reason", "Escalations", "Share"], [[r.reason, f"{r.count:,}", f"{r.share:.1%}"] for r in report.volume_by_reason])),
        ("Time to escalate", svg_bars([(r["level"], r["median_hours"]) for r in data["time_to_escalate"]], "hours", "time to escalate"),
         _table(["Level", "Tickets", "Mean", "Median", "90th percentile"],
                [[_level_name(d.level), f"{d.tickets:,}", _fmt(d.mean_hours, "hours"), _fmt(d.median_hours, "hours"), _fmt(d.p90_hours, "hours")] for d in report.time_to_escalate])),
        ("Time to resolve by level", svg_bars([(r["level"], r["median_hours"]) for r in data["time_to_resolve"]], "hours", "time to resolve"),
         _table(["Level", "Resolved tickets", "Mean", "Median", "90th percentile"],
                [[_level_name(d.level), f"{d.tickets:,}", _fmt(d.mean_hours, "hours"), _fmt(d.median_hours, "hours"), _fmt(d.p90_hours, "hours")] for d in report.time_to_resolve])),
        ("Reopen rate and CSAT after escalation", svg_bars([(r["level"], r["reopen_rate"]) for r in data["reopen_rate"]], "pct", "reopen rate"),
         _table(["Level", "Tickets", "Reopen rate", "CSAT", "CSAT responses"],
                [[_level_name(o.level), f"{o.tickets:,}", f"{o.reopen_rate:.1%}", _fmt(o.csat, "score"), f"{o.csat_responses:,}"] for o in report.outcomes])),
        ("Trend by week", svg_line([(w["week"], w["escalation_rate"]) for w in data["weekly"]], "pct", "weekly escalation rate"),
         _table(["Week of", "Tickets", "Escalated", "Rate", "Level 3+"],
                [[w.week.isoformat(), f"{w.tickets:,}", f"{w.escalated:,}", f"{w.escalation_rate:.1%}", f"{w.level3plus:,}"] for w in report.weekly])),
    ]
    segments = ""
    if report.top_tiers or report.top_channels:
        segments = "<section><h2>Top escalation sources</h2>" + "".join(
            f"<h3>{esc(name)}</h3>" + _table([name[:-1].capitalize(), "Escalations", "Share"], [[s.name, f"{s.escalated:,}", f"{s.share:.1%}"] for s in items])
            for name, items in (("tiers", report.top_tiers), ("channels", report.top_channels))
            if items
        ) + "</section>"
    try:
        specs = vega_lite_specs(report)
    except ImportError:  # altair is optional for the page itself
        specs = {}
    specs_json = json.dumps(specs, default=str).replace("</", "<\\/")
    notes = "".join(f"<li>{esc(n)}</li>" for n in report.notes)
    source = "the file's own escalation levels" if report.level_source == "history" else "the levels the current policy assigns"
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{esc(title)}</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{_STYLE}</style></head><body>"
        f"<h1>{esc(title)}</h1><p class=\"muted\">{esc(report.source)} · {esc(report.period)} · levels from {source}</p>"
        "<div class=\"kpis\">" + "".join(f"<div class=\"kpi\">{esc(k)}<b>{esc(v)}</b></div>" for k, v in kpis) + "</div>"
        + (f"<ul class=\"note\">{notes}</ul>" if notes else "")
        + "".join(f"<section><h2>{esc(name)}</h2>{chart}{table}</section>" for name, chart, table in sections)
        + segments
        + "<p class=\"note\">This report is self-contained and works offline: the charts are inline SVG drawn by Escalation "
        "Playbook Studio, and no external scripts, fonts or stylesheets are loaded. The Vega-Lite specifications of the same "
        "charts are embedded below as JSON data (not executed), ready to paste into any Vega-Lite editor.</p>"
        f"<script type=\"application/json\" id=\"vega-lite-specs\">{specs_json}</script>"
        "</body></html>\n"
    )
