"""Durations and scopes are read the same way wherever a target is stated."""

from __future__ import annotations

from assistant.validation.consistency.terms import durations, scopes


def test_durations_and_scopes_are_read() -> None:
    assert durations("every 30–60 min") == [(6, 30.0, 60.0)]
    assert [d[1:] for d in durations("within 2 hours, then hourly; close in 1 day")] == [(120.0, 120.0), (60.0, 60.0), (1440.0, 1440.0)]
    assert durations("credits up to $5m") == []
    assert scopes("L3/L4 incidents and P1-P2") == ["Level 3", "Level 4", "P1", "P2"]
