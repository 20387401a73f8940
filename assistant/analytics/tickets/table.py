"""The loaded ticket history: one open DuckDB connection holding the canonical ``tickets`` table.

Calibration and the dashboard only ever query this table, so they never see an export's quirks.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    import duckdb


class TicketSummary(BaseModel):
    """What was loaded: shown beside calibration and dashboard results."""

    path: str
    rows: int
    mapping: dict[str, str]
    unmapped: list[str]
    first_created: datetime | None = None
    last_created: datetime | None = None
    #: "column: 12 values unreadable" for columns with a few bad values (under the rejection share)
    notes: list[str] = []


class TicketTable:
    """An open DuckDB connection holding the canonical ``tickets`` table of one file.

    Built once per file and mapping; calibration and the dashboard run their SQL on it.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, summary: TicketSummary) -> None:
        self.con = con
        self.summary = summary
        #: precomputed condition tables built by calibration: table name -> condition text -> column
        self.scored: dict[str, dict[str, str]] = {}

    @property
    def rows(self) -> int:
        return self.summary.rows

    def has(self, field: str) -> bool:
        if field == "resolution_minutes":
            return self.has("resolved_at")
        if field == "escalate_minutes":
            return self.has("escalated_at")
        if field == "escalated":
            return "escalated" in self.summary.mapping or "escalation_level" in self.summary.mapping
        return field in self.summary.mapping

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def one(self, sql: str) -> tuple[Any, ...]:
        row = self.con.execute(sql).fetchone()
        assert row is not None
        return row

    def close(self) -> None:
        self.con.close()
