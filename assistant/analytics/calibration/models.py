"""What calibration reports: per-level counts, the bands with verdicts, threshold sensitivity, suggestions.

Pydantic models, because the same report is printed as JSON by ``playbook calibrate``, drawn by
the app and written into the playbook's appendix.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from assistant.analytics.calibration.bands import Verdict


class TargetBand(BaseModel):
    band: str
    low: float
    high: float
    #: what is compared with the band: the share at this level or higher
    measure: Literal["cumulative_rate"] = "cumulative_rate"


class LevelResult(BaseModel):
    level: int
    name: str
    #: tickets whose highest matching level is this one
    count: int
    rate: float
    #: tickets at this level or higher
    cumulative_count: int
    cumulative_rate: float
    target_band: TargetBand
    verdict: Verdict
    #: tickets the history itself escalated to this level (when the file says)
    history_count: int | None = None


class BandResult(BaseModel):
    id: str
    label: str
    low: float
    high: float
    count: int
    rate: float
    verdict: Verdict


class Flip(BaseModel):
    change: float
    threshold: float
    #: tickets whose level changes (up or down) if only this threshold moves
    flipped: int
    escalation_rate: float
    level3plus_rate: float


class Sensitivity(BaseModel):
    level: int
    trigger: str
    trigger_index: int
    condition_index: int
    column: str
    op: str
    threshold: float
    flips: list[Flip]


class Suggestion(BaseModel):
    #: threshold: change one condition's threshold; move: move one trigger to ``to_level``; advice: for a person
    kind: Literal["threshold", "move", "advice"]
    band: str
    level: int
    trigger: str
    trigger_index: int | None = None
    condition_index: int | None = None
    column: str | None = None
    op: str | None = None
    current: float | None = None
    suggested: float | None = None
    to_level: int | None = None
    reason: str
    #: band rates once this and the earlier suggestions are applied (checked by a re-count)
    expected_escalation_rate: float | None = None
    expected_level3plus_rate: float | None = None


class CalibrationReport(BaseModel):
    tickets: int
    escalated: int
    escalation_rate: float
    level3plus_rate: float
    levels: list[LevelResult]
    bands: list[BandResult]
    sensitivity: list[Sensitivity] = []
    suggestions: list[Suggestion] = []
    warnings: list[str] = []
    #: the file's own escalation rate and how often the policy agrees with the level it records
    history_escalation_rate: float | None = None
    agreement: float | None = None
    source: str = ""
    period: str = ""
    elapsed_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(b.verdict == "within" for b in self.bands)

    def contract(self) -> dict[str, object]:
        """The JSON printed by ``playbook calibrate --format json``."""
        return self.model_dump(mode="json")
