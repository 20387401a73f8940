"""The escalation metrics dashboard of seed 002, computed from ticket history.

Seed 002's "Escalation Management Dashboard" reports volume by level and reason, resolution time
per level, re-escalation / reopen rate, CSAT of escalated against other tickets, and the trend.
:func:`build_dashboard` (:mod:`.compute`) computes those figures with DuckDB on the canonical
``tickets`` table (:mod:`assistant.analytics.tickets`) into a pydantic
:class:`.models.DashboardReport`; :func:`charts` (:mod:`.charts`) turns it into Altair charts for
the app; :func:`to_html` (:mod:`.page`, drawing with :mod:`.svg`) writes a standalone report page
that loads no script from anywhere.
"""

from assistant.analytics.dashboard.charts import CHART_TITLES, charts
from assistant.analytics.dashboard.compute import build_dashboard
from assistant.analytics.dashboard.page import to_html

__all__ = ["CHART_TITLES", "build_dashboard", "charts", "to_html"]
