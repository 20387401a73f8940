"""The whole calibration report: the counts, then (by default) the sensitivity probe and the suggestions.

Callers that only need the counts (the suggestions themselves) use
:func:`assistant.analytics.calibration.counting.count_levels`; this is the one entry point for
``playbook calibrate`` and the app.
"""

from __future__ import annotations

import time

from assistant.analytics.calibration.counting import count_levels
from assistant.analytics.calibration.models import CalibrationReport
from assistant.analytics.calibration.sensitivity import threshold_sensitivity
from assistant.analytics.calibration.suggestions import suggest_thresholds
from assistant.analytics.policy.model import EscalationPolicy
from assistant.analytics.tickets.table import TicketTable


def calibrate(
    table: TicketTable,
    policy: EscalationPolicy,
    *,
    sensitivity: bool = True,
    suggest: bool = True,
) -> CalibrationReport:
    """Count the policy on the tickets, compare with the bands, and (by default) probe and suggest."""
    started = time.perf_counter()
    report = count_levels(table, policy)
    if sensitivity:
        report.sensitivity = threshold_sensitivity(table, policy)
    if suggest:
        report.suggestions = suggest_thresholds(table, policy, report)
    report.elapsed_seconds = time.perf_counter() - started
    return report
