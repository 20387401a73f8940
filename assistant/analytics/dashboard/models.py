"""The dashboard's figures as pydantic models: what the app draws, the HTML page shows and ``--format json`` prints."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel


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
