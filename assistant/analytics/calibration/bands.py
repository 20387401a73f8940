"""The target bands of seed 004, refinement 1: how large a share of tickets each level should catch.

"Refine triggers so that only ~5–10% of tickets become escalations, and only ~0.5–2% become
Level 3 incidents." Counting, suggestions and the appendix all measure against these numbers.
"""

from __future__ import annotations

from typing import Literal

Verdict = Literal["below", "within", "above"]

#: seed 004, refinement 1: share of all tickets
BANDS: dict[str, tuple[float, float]] = {"overall": (0.05, 0.10), "level3plus": (0.005, 0.02)}
BAND_LABELS = {"overall": "Escalated overall (Level 1 and above)", "level3plus": "Level 3 and above"}
#: the band each level's cumulative share (this level or higher) must meet; levels 2 and 4 get the bounds
#: the seed's two bands imply (L2+ lies between the L3+ floor and the overall ceiling; L4+ under the L3+ ceiling)
LEVEL_BANDS: dict[int, tuple[str, float, float]] = {
    1: ("overall", 0.05, 0.10),
    2: ("implied", 0.005, 0.10),
    3: ("level3plus", 0.005, 0.02),
    4: ("implied", 0.0, 0.02),
}


def band_verdict(rate: float, low: float, high: float) -> Verdict:
    """Where a share lies against its band."""
    return "below" if rate < low else "above" if rate > high else "within"


def band_text(low: float, high: float) -> str:
    """``5%–10%``: a band as a person writes it."""

    def fmt(v: float) -> str:
        return f"{v * 100:g}%"

    return f"{fmt(low)}–{fmt(high)}"
