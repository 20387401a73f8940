"""Live progress of ``playbook run`` on stderr: one line per event that matters, throttled token counts."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from assistant.cli.common import err

if TYPE_CHECKING:
    from assistant.api import ChainEvent, ValidationReport


def checklist_line(step: str, report: ValidationReport, label: str) -> str:
    """'✗ playbook: checklist: 9 of 11 sections present, 1 incomplete, 1 missing (missing: routing; ...)'."""
    verdict = "✓" if report.ok else "✗"
    states = (("missing", report.missing), ("incomplete", report.incomplete))
    named = [f"{state}: {', '.join(ids)}" for state, ids in states if ids]
    gaps = f" ({'; '.join(named)})" if named else ""
    lints = f" — {report.lint_tally()}" if report.lints else ""
    return f"{verdict} {step}: {label}: {report.tally()}{gaps}{lints}"


class Progress:
    """Called with every chain event; prints what a person watching the terminal needs."""

    def __init__(self, interval: float = 2.0) -> None:
        self.interval = interval
        self.started: dict[str, float] = {}
        self.chars: dict[str, int] = {}
        self.last_print: dict[str, float] = {}

    def __call__(self, event: ChainEvent) -> None:
        key = event.step
        now = time.monotonic()
        if event.kind == "started":
            self._restart(key, now)
            err(f"▶ {key}: started")
        elif event.kind == "delta":
            self._delta(key, len(event.text), now)
        elif event.kind == "finished" and event.usage is not None:
            estimated = " (estimated)" if event.usage.estimated else ""
            err(f"  {key}: received {event.usage.output_tokens:,} tokens{estimated} in {event.elapsed:.1f} s")
        elif event.kind in ("validated", "repaired") and event.report is not None:
            label = "after repair" if event.kind == "repaired" else "checklist"
            err(checklist_line(key, event.report, label))
        elif event.kind in ("retried", "repairing", "cached", "skipped"):
            if event.kind in ("repairing", "retried"):
                self._restart(key, now)
            err(f"  {key}: {event.message}")
        elif event.kind == "failed":
            err(f"✗ {key}: {event.message}")

    def _restart(self, key: str, now: float) -> None:
        self.started[key] = now
        self.chars[key] = 0

    def _delta(self, key: str, chars: int, now: float) -> None:
        self.chars[key] = self.chars.get(key, 0) + chars
        if now - self.last_print.get(key, 0.0) >= self.interval:
            self.last_print[key] = now
            err(f"  {key}: ~{self.chars[key] // 4:,} tokens, {now - self.started.get(key, now):.1f} s")
