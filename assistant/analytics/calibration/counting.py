"""Counting a policy on the tickets: per level the tickets whose *highest* matching level it is, and the bands.

One grouped query gives every level's count (and, when the file records its own escalations,
how often the policy agrees with them); the rest is arithmetic on those few numbers.
"""

from __future__ import annotations

from assistant.analytics.calibration.bands import BAND_LABELS, BANDS, LEVEL_BANDS, band_verdict
from assistant.analytics.calibration.models import BandResult, CalibrationReport, LevelResult, TargetBand
from assistant.analytics.calibration.sql import Scored
from assistant.analytics.policy.model import EscalationPolicy
from assistant.analytics.tickets.table import TicketTable


def level_counts(table: TicketTable, policy: EscalationPolicy) -> tuple[dict[int, int], dict[int, int] | None, float | None]:
    """(policy level -> tickets, history level -> tickets or None, share where they agree or None)."""
    sql = Scored(table, policy)
    assigned = sql.assigned()
    if table.has("escalation_level") or table.has("escalated"):
        rows = table.query(
            f"SELECT lvl, hist, count(*) FROM (SELECT {assigned} AS lvl, escalation_level AS hist FROM {sql.source}) GROUP BY ALL"
        )
        policy_counts: dict[int, int] = {}
        history: dict[int, int] = {}
        agree = 0
        known = 0
        for lvl, hist, count in rows:
            policy_counts[lvl] = policy_counts.get(lvl, 0) + count
            if hist is not None:
                history[hist] = history.get(hist, 0) + count
                known += count
                agree += count if hist == lvl else 0
        return policy_counts, history, (agree / known if known else None)
    rows = table.query(f"SELECT lvl, count(*) FROM (SELECT {assigned} AS lvl FROM {sql.source}) GROUP BY lvl")
    return {lvl: count for lvl, count in rows}, None, None


def escalation_rates(counts: dict[int, int], total: int) -> tuple[float, float]:
    """(share escalated at all, share at Level 3 or above) from the per-level counts."""
    escalated = sum(c for lvl, c in counts.items() if lvl >= 1)
    major = sum(c for lvl, c in counts.items() if lvl >= 3)
    return escalated / total, major / total


def _warnings(table: TicketTable, policy: EscalationPolicy) -> list[str]:
    """A note per condition on a column the file lacks: it counts as never true, which a reader must know."""
    notes = []
    for lv in policy.levels:
        for trigger in lv.triggers:
            for condition in trigger.conditions:
                if not table.has(condition.column):
                    notes.append(
                        f"Level {lv.level} trigger {trigger.name!r} uses {condition.column}, which the ticket file has no "
                        f"column for: that condition counts as never true. Map a column to it to count this trigger."
                    )
    return notes


def count_levels(table: TicketTable, policy: EscalationPolicy) -> CalibrationReport:
    """The report's counts, rates and verdicts, before any sensitivity probe or suggestion."""
    total = table.rows
    counts, history, agreement = level_counts(table, policy)
    escalation_rate, major_rate = escalation_rates(counts, total)
    levels = []
    for lv in policy.levels:
        cumulative = sum(c for lvl, c in counts.items() if lvl >= lv.level)
        band_id, low, high = LEVEL_BANDS[lv.level]
        levels.append(
            LevelResult(
                level=lv.level,
                name=lv.name,
                count=counts.get(lv.level, 0),
                rate=counts.get(lv.level, 0) / total,
                cumulative_count=cumulative,
                cumulative_rate=cumulative / total,
                target_band=TargetBand(band=band_id, low=low, high=high),
                verdict=band_verdict(cumulative / total, low, high),
                history_count=None if history is None else history.get(lv.level, 0),
            )
        )
    escalated = sum(c for lvl, c in counts.items() if lvl >= 1)
    major = sum(c for lvl, c in counts.items() if lvl >= 3)
    bands = [
        BandResult(id=band, label=BAND_LABELS[band], low=low, high=high, count=count, rate=count / total, verdict=band_verdict(count / total, low, high))
        for band, (low, high), count in (("overall", BANDS["overall"], escalated), ("level3plus", BANDS["level3plus"], major))
    ]
    summary = table.summary
    period = ""
    if summary.first_created and summary.last_created:
        days = (summary.last_created - summary.first_created).days + 1
        period = f"{summary.first_created:%Y-%m-%d} to {summary.last_created:%Y-%m-%d}, {days} days"
    return CalibrationReport(
        tickets=total,
        escalated=escalated,
        escalation_rate=escalation_rate,
        level3plus_rate=major_rate,
        levels=levels,
        bands=bands,
        warnings=_warnings(table, policy),
        history_escalation_rate=None if history is None else sum(c for lvl, c in history.items() if lvl >= 1) / total,
        agreement=agreement,
        source=summary.path,
        period=period,
    )
