"""The dashboard's figures computed with DuckDB on the canonical ``tickets`` table, a handful of aggregate queries.

Every query reads the temporary view ``dash``: the tickets with each one's level, taken from the
file's own escalation column or, failing that, from what a policy would assign.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from assistant.analytics.dashboard.models import (
    DashboardReport,
    Duration,
    LevelOutcome,
    LevelVolume,
    ReasonVolume,
    Segment,
    WeekTrend,
)
from assistant.analytics.tickets.table import TicketTable
from assistant.errors import UserInputError

if TYPE_CHECKING:
    from assistant.analytics.policy.model import EscalationPolicy


def _hours(value: float | None) -> float | None:
    """Minutes (as the table stores them) to hours, rounded for display."""
    return None if value is None else round(value / 60.0, 2)


def _share(part: float, whole: float) -> float:
    """A share that is 0 rather than an error when there is nothing to share."""
    return part / whole if whole else 0.0


def build_dashboard(table: TicketTable, policy: EscalationPolicy | None = None) -> DashboardReport:
    """Every seed-002 figure in a handful of aggregate queries.

    Levels come from the file's escalation column when it has one; otherwise from ``policy``
    (what the policy would have escalated). With neither there is nothing to measure.
    """
    notes: list[str] = []
    level_expr, level_source = _level_expression(table, policy, notes)
    con = table.con
    con.execute(f"CREATE OR REPLACE TEMP VIEW dash AS SELECT *, {level_expr} AS lvl FROM tickets")
    total = table.rows
    escalated = table.one("SELECT count(*) FILTER (WHERE lvl > 0) FROM dash")[0]

    by_level = [
        LevelVolume(level=lvl, count=count, share_of_escalations=_share(count, escalated), share_of_tickets=_share(count, total))
        for lvl, count in table.query("SELECT lvl, count(*) FROM dash WHERE lvl > 0 GROUP BY lvl ORDER BY lvl")
    ]
    by_reason = _reasons(table, escalated, notes)
    to_escalate = _durations(table, "escalate_minutes", "lvl > 0 AND escalate_minutes >= 0") if table.has("escalated_at") else []
    if not to_escalate:
        notes.append("No escalated-time column: time to escalate is not shown.")
    to_resolve = _durations(table, "resolution_minutes", "resolution_minutes >= 0") if table.has("resolved_at") else []

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
    weekly = _weekly(table)
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
        top_tiers=_segments(table, "tier", escalated),
        top_channels=_segments(table, "channel", escalated),
        notes=notes,
    )


def _level_expression(table: TicketTable, policy: EscalationPolicy | None, notes: list[str]) -> tuple[str, str]:
    """(SQL for each ticket's level, where levels come from): the file's escalation column, else the policy."""
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
    return level_expr, level_source


def _reasons(table: TicketTable, escalated: int, notes: list[str]) -> list[ReasonVolume]:
    """Escalations by reason; the categories stand in when the file records no reason."""
    reason_column = "escalation_reason" if table.has("escalation_reason") else "category"
    if reason_column == "category":
        notes.append("No escalation reason column: reasons are the escalated tickets' categories.")
    return [
        ReasonVolume(reason=reason, count=count, share=_share(count, escalated))
        for reason, count in table.query(
            f"SELECT COALESCE(NULLIF(trim({reason_column}), ''), 'Other') AS r, count(*) AS n FROM dash WHERE lvl > 0 GROUP BY r ORDER BY n DESC, r"
        )
    ]


def _durations(table: TicketTable, column: str, where: str) -> list[Duration]:
    """Mean, median and 90th percentile of a duration column per level, in hours."""
    rows = table.query(
        f"SELECT lvl, count({column}), avg({column}), median({column}), quantile_cont({column}, 0.9) "
        f"FROM dash WHERE {where} GROUP BY lvl ORDER BY lvl"
    )
    return [Duration(level=r[0], tickets=r[1], mean_hours=_hours(r[2]), median_hours=_hours(r[3]), p90_hours=_hours(r[4])) for r in rows]


def _weekly(table: TicketTable) -> list[WeekTrend]:
    """Tickets, escalations and Level 3+ per calendar week: the trend line."""
    return [
        WeekTrend(week=week.date() if isinstance(week, datetime) else week, tickets=n, escalated=e, escalation_rate=_share(e, n), level3plus=m)
        for week, n, e, m in table.query(
            "SELECT date_trunc('week', created_at) AS w, count(*), count(*) FILTER (WHERE lvl > 0), count(*) FILTER (WHERE lvl >= 3) "
            "FROM dash WHERE created_at IS NOT NULL GROUP BY w ORDER BY w"
        )
    ]


def _segments(table: TicketTable, column: str, escalated: int) -> list[Segment]:
    """The five tiers or channels that bring the most escalations."""
    if not table.has(column):
        return []
    return [
        Segment(name=name, escalated=count, share=_share(count, escalated))
        for name, count in table.query(
            f"SELECT COALESCE({column}, 'unknown') AS s, count(*) AS n FROM dash WHERE lvl > 0 GROUP BY s ORDER BY n DESC, s LIMIT 5"
        )
    ]
