"""Ticket history: map a CSV/Parquet export's columns to the fields calibration and the dashboard use.

Every helpdesk exports tickets differently ("Created", "opened_at", "Priority" = "Urgent" or
"P1", "Tier escalated" = "L3"...). The fields are named once (:mod:`.fields`), the column that
holds each is guessed from header names and, failing that, from value shapes (:mod:`.mapping`),
and the file is loaded through DuckDB into one typed table, ``tickets``, with the canonical
column names (:mod:`.loader`, :mod:`.table`). Calibration and the dashboard only ever query that
table, so they never see an export's quirks, and a file of millions of rows stays fast (DuckDB
scans it in parallel, outside Python).

:func:`write_sample` writes a realistic synthetic history (seeded and deterministic) so the
features can be tried with no data.
"""

from assistant.analytics.tickets.fields import CONDITION_COLUMNS, FIELD_BY_NAME, FIELDS
from assistant.analytics.tickets.files import TicketDataError, inspect_file
from assistant.analytics.tickets.loader import load_tickets
from assistant.analytics.tickets.mapping import ColumnMapping, detect_by_headers, detect_mapping, normalise_header
from assistant.analytics.tickets.sample import write_sample
from assistant.analytics.tickets.table import TicketTable

__all__ = [
    "CONDITION_COLUMNS",
    "FIELDS",
    "FIELD_BY_NAME",
    "ColumnMapping",
    "TicketDataError",
    "TicketTable",
    "detect_by_headers",
    "detect_mapping",
    "inspect_file",
    "load_tickets",
    "normalise_header",
    "write_sample",
]
