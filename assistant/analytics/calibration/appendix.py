"""The "## Calibration" appendix: the report as Markdown tables written into the playbook draft.

The playbook then carries its own evidence (bands, volumes, calibrated triggers, suggested
changes); writing it again replaces the old appendix instead of adding a second one.
"""

from __future__ import annotations

import re

from assistant.analytics.calibration.bands import band_text
from assistant.analytics.calibration.models import CalibrationReport
from assistant.analytics.policy.model import EscalationPolicy, format_number


def _pct(value: float) -> str:
    return f"{value:.1%}" if value >= 0.001 or value == 0 else f"{value:.2%}"


def _mark(verdict: str) -> str:
    return {"within": "✓ within", "above": "✗ above", "below": "✗ below"}[verdict]


def _minutes(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 60 and value % 60 == 0:
        hours = int(value // 60)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{format_number(value)} min"


def calibration_appendix(report: CalibrationReport, policy: EscalationPolicy) -> str:
    """A "## Calibration" appendix (Markdown) to append to the playbook draft."""
    lines = [
        "## Calibration",
        "",
        f"Triggers calibrated on {report.tickets:,} historical tickets"
        + (f" ({report.period})" if report.period else "")
        + ", against the target bands for a mature escalation practice: about 5–10% of tickets escalated and "
        "0.5–2% at Level 3 or above.",
        "",
        "| Measure | Share of tickets | Tickets | Target band | Verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    for band in report.bands:
        lines.append(f"| {band.label} | {_pct(band.rate)} | {band.count:,} | {band_text(band.low, band.high)} | {_mark(band.verdict)} |")
    lines += ["", "### Volume per level", "", "| Level | Name | Tickets at this level | Share | This level or higher |", "| --- | --- | --- | --- | --- |"]
    for level in report.levels:
        lines.append(f"| Level {level.level} | {level.name} | {level.count:,} | {_pct(level.rate)} | {_pct(level.cumulative_rate)} |")
    lines += [
        "",
        "### Calibrated triggers and response targets",
        "",
        "A ticket is handled at the highest level whose triggers it meets.",
        "",
        "| Level | Trigger | Measurable condition | Time to acknowledge | Update cadence | Resolution target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for lv in policy.levels:
        for trigger in lv.triggers:
            lines.append(
                f"| Level {lv.level} | {trigger.name} | {trigger.describe()} | {_minutes(lv.targets.ack_minutes)} | "
                f"every {_minutes(lv.targets.update_minutes)} | {_minutes(lv.targets.resolution_minutes)} |"
            )
    thresholds = [s for s in report.suggestions if s.kind in ("threshold", "move")]
    advice = [s for s in report.suggestions if s.kind == "advice"]
    if thresholds or advice:
        lines += ["", "### Suggested changes", ""]
        lines += [f"- {s.reason}" for s in thresholds + advice]
    if report.sensitivity:
        lines += [
            "",
            "### Threshold sensitivity",
            "",
            "Tickets that would change level if one threshold moved (all else unchanged):",
            "",
            "| Level | Condition | −25% | −10% | +10% | +25% |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for item in report.sensitivity:
            cells = " | ".join(f"{f.flipped:,}" for f in item.flips)
            lines.append(f"| Level {item.level} | {item.column} {item.op} {format_number(item.threshold)} | {cells} |")
    if report.warnings:
        lines += ["", "### Data notes", ""] + [f"- {w}" for w in report.warnings]
    return "\n".join(lines).rstrip() + "\n"


_CALIBRATION_HEADING = re.compile(r"(?m)^##[ \t]+Calibration[ \t]*$")


def with_calibration_appendix(draft: str, appendix: str) -> str:
    """The draft with its "## Calibration" appendix replaced (or added at the end)."""
    match = _CALIBRATION_HEADING.search(draft)
    if match is None:
        return draft.rstrip() + "\n\n" + appendix
    following = re.compile(r"(?m)^#{1,2}[ \t]+\S").search(draft, match.end())
    end = following.start() if following else len(draft)
    tail = draft[end:]
    return draft[: match.start()] + appendix + ("\n" + tail if tail else "")
