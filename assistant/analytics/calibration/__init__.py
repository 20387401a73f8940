"""Calibrate a policy's triggers on ticket history (seed 004, refinement 1).

"Test [the criteria] on 60–90 days of historical tickets. Count how many would qualify for each
escalation level ... refine triggers so that only ~5–10% of tickets become escalations, and only
~0.5–2% become Level 3 incidents." This package does exactly that, in SQL (:mod:`.sql`) on the
DuckDB ``tickets`` table of :mod:`assistant.analytics.tickets`, so a file of millions of rows is
counted in a second or two:

- per level, the tickets whose *highest* matching level it is, and the overall escalation rate
  (:mod:`.counting`);
- each rate against its target band, with a verdict (:mod:`.bands`);
- for each numeric condition, how many tickets change level if its threshold moves ±10% / ±25%
  (:mod:`.sensitivity`);
- threshold changes that move the rates into their bands, found from quantiles of the values that
  decide the band, so one query finds the threshold instead of a search (:mod:`.solver`,
  :mod:`.suggestions`);
- :func:`apply_suggestions` and a Markdown "## Calibration" appendix for the playbook draft
  (:mod:`.appendix`).

:func:`calibrate` (:mod:`.report`) puts it together into a :class:`.models.CalibrationReport`.
"""

from assistant.analytics.calibration.appendix import calibration_appendix, with_calibration_appendix
from assistant.analytics.calibration.models import CalibrationReport
from assistant.analytics.calibration.report import calibrate
from assistant.analytics.calibration.sensitivity import flip_examples
from assistant.analytics.calibration.suggestions import apply_suggestions, stops_the_line, suggest_thresholds

__all__ = [
    "CalibrationReport",
    "apply_suggestions",
    "calibrate",
    "calibration_appendix",
    "flip_examples",
    "stops_the_line",
    "suggest_thresholds",
    "with_calibration_appendix",
]
