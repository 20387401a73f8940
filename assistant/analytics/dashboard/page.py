"""The standalone HTML report: KPIs, inline-SVG charts and tables, with the Vega-Lite specs embedded as JSON.

The page loads no script from anywhere (the app may run with no internet): its charts are inline
SVG, its figures are HTML tables, and the Vega-Lite specs of the same charts are embedded as inert
JSON for anyone who wants to open them in a Vega tool.
"""

from __future__ import annotations

import html
import json

from assistant.analytics.dashboard.charts import chart_data, level_name, vega_lite_specs
from assistant.analytics.dashboard.models import DashboardReport
from assistant.analytics.dashboard.svg import format_value, svg_bars, svg_line


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
        ("CSAT escalated", format_value(report.csat_escalated, "score")),
        ("CSAT not escalated", format_value(report.csat_not_escalated, "score")),
        ("Reopen rate (escalated)", format_value(report.reopen_rate_escalated, "pct")),
    ]
    sections = [
        ("Escalation volume by level", svg_bars([(r["level"], r["escalations"]) for r in data["volume_by_level"]], "count", "volume by level"),
         _table(["Level", "Escalations", "Share of escalations", "Share of tickets"],
                [[level_name(v.level), f"{v.count:,}", f"{v.share_of_escalations:.1%}", f"{v.share_of_tickets:.2%}"] for v in report.volume_by_level])),
        ("Escalation reasons", svg_bars([(r.reason, r.count) for r in report.volume_by_reason], "count", "reasons"),
         _table(["Reason", "Escalations", "Share"], [[r.reason, f"{r.count:,}", f"{r.share:.1%}"] for r in report.volume_by_reason])),
        ("Time to escalate", svg_bars([(r["level"], r["median_hours"]) for r in data["time_to_escalate"]], "hours", "time to escalate"),
         _table(["Level", "Tickets", "Mean", "Median", "90th percentile"],
                [[level_name(d.level), f"{d.tickets:,}", format_value(d.mean_hours, "hours"), format_value(d.median_hours, "hours"), format_value(d.p90_hours, "hours")] for d in report.time_to_escalate])),
        ("Time to resolve by level", svg_bars([(r["level"], r["median_hours"]) for r in data["time_to_resolve"]], "hours", "time to resolve"),
         _table(["Level", "Resolved tickets", "Mean", "Median", "90th percentile"],
                [[level_name(d.level), f"{d.tickets:,}", format_value(d.mean_hours, "hours"), format_value(d.median_hours, "hours"), format_value(d.p90_hours, "hours")] for d in report.time_to_resolve])),
        ("Reopen rate and CSAT after escalation", svg_bars([(r["level"], r["reopen_rate"]) for r in data["reopen_rate"]], "pct", "reopen rate"),
         _table(["Level", "Tickets", "Reopen rate", "CSAT", "CSAT responses"],
                [[level_name(o.level), f"{o.tickets:,}", f"{o.reopen_rate:.1%}", format_value(o.csat, "score"), f"{o.csat_responses:,}"] for o in report.outcomes])),
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
