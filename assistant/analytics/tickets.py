"""Ticket history: map a CSV/Parquet export's columns to the fields calibration and the dashboard use.

Every helpdesk exports tickets differently ("Created", "opened_at", "Priority" = "Urgent" or
"P1", "Tier escalated" = "L3"...). This module names the fields once (:data:`FIELDS`), guesses
which column holds each from header names and, failing that, from value shapes, and loads the
file through DuckDB into one typed table, ``tickets``, with the canonical column names. Calibration
and the dashboard only ever query that table, so they never see an export's quirks, and a file of
millions of rows stays fast (DuckDB scans it in parallel, outside Python).

:func:`generate_sample` writes a realistic synthetic history (seeded and deterministic) so the
features can be tried with no data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from assistant.errors import UserInputError

if TYPE_CHECKING:
    import duckdb


class TicketDataError(UserInputError):
    """The ticket file cannot be used as given; the message names the file and the column."""


FieldKind = Literal["id", "timestamp", "text", "number", "boolean", "priority", "level"]


@dataclass(frozen=True)
class TicketField:
    """One thing calibration or the dashboard needs to know about a ticket."""

    name: str
    label: str
    kind: FieldKind
    #: header names that mean this field (normalised: lower case, words split on punctuation)
    synonyms: tuple[str, ...]
    required: bool = False


FIELDS: tuple[TicketField, ...] = (
    TicketField("ticket_id", "Ticket id", "id", ("ticket id", "id", "ticket", "ticket number", "case id", "case number", "issue key", "key", "number")),
    TicketField(
        "created_at", "Created time", "timestamp",
        ("created at", "created", "created time", "creation time", "opened at", "opened", "open time", "date created", "submitted at", "submitted", "created date", "date opened"),
        required=True,
    ),
    TicketField("resolved_at", "Resolved time", "timestamp", ("resolved at", "resolved", "resolved time", "closed at", "closed", "solved at", "solved", "date resolved", "date closed", "resolution time", "close time")),
    TicketField("priority", "Priority / severity", "priority", ("priority", "severity", "sev", "urgency", "prio", "priority level", "severity level")),
    TicketField("tier", "Customer tier", "text", ("customer tier", "tier", "plan", "segment", "customer segment", "account tier", "support tier", "sla tier")),
    TicketField("arr", "ARR ($)", "number", ("arr", "annual recurring revenue", "account arr", "contract value", "acv", "account value", "annual contract value")),
    TicketField("channel", "Channel", "text", ("channel", "source", "via", "contact channel", "medium", "origin")),
    TicketField("category", "Category", "text", ("category", "issue type", "type", "topic", "ticket type", "product area", "issue category", "problem type")),
    TicketField("reopen_count", "Reopen count", "number", ("reopen count", "reopens", "reopened", "times reopened", "reopen", "reopened count", "number of reopens")),
    TicketField("csat", "CSAT (1–5)", "number", ("csat", "csat score", "satisfaction", "satisfaction score", "satisfaction rating", "rating", "survey score")),
    TicketField("sentiment", "Sentiment (−1…1)", "number", ("sentiment", "sentiment score", "tone", "customer sentiment")),
    TicketField(
        "first_response_minutes", "First-response time (minutes)", "number",
        ("first response", "first response time", "time to first response", "frt", "first reply time", "first reply", "time to first reply", "first response mins"),
    ),
    TicketField("escalated", "Escalated (yes/no)", "boolean", ("escalated", "is escalated", "was escalated", "escalation", "escalated flag")),
    TicketField("escalation_level", "Escalation level", "level", ("escalation level", "escalated to", "level", "esc level", "escalation tier", "tier escalated", "escalated level", "highest level")),
    TicketField("escalated_at", "Escalated time", "timestamp", ("escalated at", "escalation time", "escalated time", "escalation date", "escalated on", "date escalated")),
    TicketField("escalation_reason", "Escalation reason", "text", ("escalation reason", "reason for escalation", "escalation cause", "escalation type", "reason")),
    TicketField("disputed_amount", "Disputed amount ($)", "number", ("disputed amount", "dispute amount", "amount disputed", "billing amount", "amount", "refund amount", "dispute value")),
    TicketField("churn_threat", "Churn threat (yes/no)", "boolean", ("churn threat", "churn risk", "intent to cancel", "cancellation threat", "churn", "threatened to churn", "at risk")),
)
FIELD_BY_NAME: dict[str, TicketField] = {f.name: f for f in FIELDS}

#: columns computed from the mapped ones; usable in policy conditions and the dashboard
DERIVED: dict[str, str] = {
    "resolution_minutes": "minutes from created to resolved",
    "escalate_minutes": "minutes from created to escalated",
}
NUMERIC_COLUMNS = frozenset({f.name for f in FIELDS if f.kind == "number"} | set(DERIVED))
TEXT_COLUMNS = frozenset({f.name for f in FIELDS if f.kind in ("text", "priority", "id")})
BOOLEAN_COLUMNS = frozenset({f.name for f in FIELDS if f.kind == "boolean"})
#: every column a policy condition may name
CONDITION_COLUMNS = frozenset((NUMERIC_COLUMNS | TEXT_COLUMNS | BOOLEAN_COLUMNS) - {"ticket_id"})

#: a column is rejected when more than this share of its non-empty values cannot be read
MAX_BAD_SHARE = 0.05
_UNIT_WORDS = {"usd", "eur", "gbp", "min", "mins", "minutes", "in", "h", "hrs", "hours", "utc", "ts", "dt", "date", "time", "at", "flag", "is", "was", "count", "score", "pct"}
_TIMESTAMP_FORMATS = ["%Y-%m-%dT%H:%M:%S%z", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M", "%m/%d/%Y", "%d.%m.%Y"]


# --- column mapping --------------------------------------------------------------------------------


class ColumnMapping(BaseModel):
    """Field name -> the file's column that holds it (unmapped fields are absent)."""

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, str] = {}

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FIELD_BY_NAME))
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}; fields are: {', '.join(FIELD_BY_NAME)}")
        return {k: v for k, v in value.items() if v}

    def get(self, field: str) -> str | None:
        return self.columns.get(field)


def normalise_header(header: str) -> str:
    """``"First_Response (mins)"`` -> ``"first response mins"`` (camelCase split, punctuation to spaces)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", header)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", spaced.lower()).split())


def _header_score(header: str, field: TicketField) -> int:
    """3 exact synonym, 2 synonym once unit words are dropped, 1 all synonym words present, 0 none."""
    norm = normalise_header(header)
    words = norm.split()
    core = " ".join(w for w in words if w not in _UNIT_WORDS) or norm
    best = 0
    for synonym in field.synonyms:
        if norm == synonym:
            return 3
        if core == synonym or core == " ".join(w for w in synonym.split() if w not in _UNIT_WORDS):
            best = max(best, 2)
        elif len(synonym.split()) > 1 and set(synonym.split()) <= set(words):
            best = max(best, 1)
    return best


def detect_by_headers(headers: list[str]) -> dict[str, str]:
    """Best header for each field by name alone; each column is used once, the best matches first."""
    candidates = sorted(
        (-score, FIELDS.index(field), -_specificity(field, header), headers.index(header), field.name, header)
        for field in FIELDS
        for header in headers
        if (score := _header_score(header, field))
    )
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for *_, field_name, header in candidates:
        if field_name in chosen or header in used:
            continue
        chosen[field_name] = header
        used.add(header)
    return chosen


def _specificity(field: TicketField, header: str) -> int:
    norm = normalise_header(header)
    return max((len(s) for s in field.synonyms if s in norm), default=0)


_PRIORITY_SHAPE = re.compile(r"^(p|sev|s|priority|prio)\s*-?\s*[0-4]$|^(urgent|critical|high|normal|medium|low)$")
_LEVEL_SHAPE = re.compile(r"^(l|level|tier|esc|t)\s*[-_ ]?\s*[0-4]$")
_BOOL_VALUES = {"true", "false", "yes", "no", "y", "n", "t", "f"}


def detect_by_values(samples: dict[str, list[str]], types: dict[str, str], taken: dict[str, str]) -> dict[str, str]:
    """Fill still-unmapped fields from what the values look like (timestamps, P1–P4, L0–L4, yes/no)."""
    chosen = dict(taken)
    used = set(chosen.values())

    def free(column: str) -> bool:
        return column not in used

    def assign(field: str, column: str) -> None:
        chosen[field] = column
        used.add(column)

    timestamp_columns = [c for c, t in types.items() if t.startswith(("TIMESTAMP", "DATE")) and free(c)]
    for field in ("created_at", "resolved_at"):
        if field not in chosen and timestamp_columns:
            assign(field, timestamp_columns.pop(0))
    for column, values in samples.items():
        clean = [v.strip().lower() for v in values if v and v.strip()]
        if not clean or not free(column):
            continue
        if "priority" not in chosen and all(_PRIORITY_SHAPE.match(v) for v in clean) and any(not v.isdigit() for v in clean):
            assign("priority", column)
        elif "escalation_level" not in chosen and all(_LEVEL_SHAPE.match(v) for v in clean) and any(not v.isdigit() for v in clean):
            assign("escalation_level", column)
        elif "escalated" not in chosen and (types.get(column) == "BOOLEAN" or set(clean) <= _BOOL_VALUES):
            assign("escalated", column)
    return chosen


# --- loading ---------------------------------------------------------------------------------------


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _reader(path: Path) -> str:
    suffix = path.suffix.lower()
    literal = _quote_text(str(path))
    if suffix in (".parquet", ".pq"):
        return f"read_parquet({literal})"
    if suffix in (".csv", ".tsv", ".txt", ".gz"):
        return f"read_csv({literal}, header = true, sample_size = 20480)"
    raise TicketDataError(f"{path}: unsupported file type {suffix or '(none)'!r}; give a .csv or .parquet file of tickets.")


def connect() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB connection (UTC, so timestamps are read the same everywhere)."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    return con


def inspect_file(path: Path | str, con: duckdb.DuckDBPyConnection | None = None) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(column -> DuckDB type, column -> up to 50 sample values as text) from the file's head."""
    import duckdb

    path = Path(path)
    if not path.is_file():
        raise TicketDataError(f"{path}: file not found; give a CSV or Parquet export of past tickets (or run `playbook sample-tickets`).")
    con = con or connect()
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {_reader(path)}").fetchall()
        types = {row[0]: str(row[1]) for row in described}
        casts = ", ".join(f"CAST({_quote_ident(c)} AS VARCHAR) AS {_quote_ident(c)}" for c in types)
        rows = con.execute(f"SELECT {casts} FROM {_reader(path)} LIMIT 50").fetchall()
    except duckdb.Error as exc:
        raise TicketDataError(f"{path}: cannot be read as {'Parquet' if path.suffix.lower() in ('.parquet', '.pq') else 'CSV'} ({_first_line(exc)}).") from None
    samples = {column: [row[i] for row in rows if row[i] is not None] for i, column in enumerate(types)}
    return types, samples


def detect_mapping(path: Path | str) -> ColumnMapping:
    """Auto-detected mapping for a file: header names first, then value shapes."""
    types, samples = inspect_file(path)
    by_name = detect_by_headers(list(types))
    return ColumnMapping(columns=detect_by_values(samples, types, by_name))


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _parsed_expr(field: TicketField, column: str, source_type: str) -> str:
    """SQL turning the source column into the field's canonical type."""
    col = _quote_ident(column)
    text = f"lower(trim(CAST({col} AS VARCHAR)))"
    numeric_type = any(source_type.startswith(t) for t in ("DOUBLE", "FLOAT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "DECIMAL", "HUGEINT", "UBIGINT", "UINTEGER", "REAL"))
    if field.kind == "id":
        return f"CAST({col} AS VARCHAR)"
    if field.kind == "timestamp":
        if source_type.startswith(("TIMESTAMP", "DATE")):
            return f"CAST({col} AS TIMESTAMP)"
        formats = "[" + ", ".join(_quote_text(f) for f in _TIMESTAMP_FORMATS) + "]"
        raw = f"NULLIF(trim(CAST({col} AS VARCHAR)), '')"
        return f"COALESCE(TRY_CAST({raw} AS TIMESTAMP), CAST(try_strptime({raw}, {formats}) AS TIMESTAMP))"
    if field.kind == "number":
        if numeric_type:
            return f"CAST({col} AS DOUBLE)"
        return f"TRY_CAST(NULLIF(regexp_replace(trim(CAST({col} AS VARCHAR)), '[$€£,%\\s]', '', 'g'), '') AS DOUBLE)"
    if field.kind == "boolean":
        if source_type == "BOOLEAN":
            return col
        if numeric_type:
            return f"({col} <> 0)"
        return (
            f"CASE WHEN {text} IN ('true','t','yes','y','1','escalated') THEN true "
            f"WHEN {text} IN ('false','f','no','n','0','none','not escalated') THEN false END"
        )
    if field.kind == "priority":
        return (
            f"CASE WHEN regexp_matches({text}, '^(p|sev|s|priority|prio)?\\s*-?\\s*[0-4]$') "
            f"THEN 'P' || CAST(greatest(1, CAST(regexp_extract({text}, '([0-4])', 1) AS INTEGER)) AS VARCHAR) "
            f"WHEN {text} IN ('urgent','critical','highest','blocker','emergency') THEN 'P1' "
            f"WHEN {text} IN ('high','major') THEN 'P2' "
            f"WHEN {text} IN ('normal','medium','moderate') THEN 'P3' "
            f"WHEN {text} IN ('low','lowest','minor','trivial') THEN 'P4' END"
        )
    if field.kind == "level":
        return (
            f"CASE WHEN regexp_matches({text}, '^(l|level|tier|esc|escalation|t)?\\s*[-_ ]?\\s*[0-4]$') "
            f"THEN CAST(regexp_extract({text}, '([0-4])', 1) AS INTEGER) "
            f"WHEN {text} IN ('none','no','false','not escalated','-') THEN 0 END"
        )
    return f"NULLIF(trim(CAST({col} AS VARCHAR)), '')"


_CANONICAL_TYPES = {"id": "VARCHAR", "timestamp": "TIMESTAMP", "text": "VARCHAR", "number": "DOUBLE", "boolean": "BOOLEAN", "priority": "VARCHAR", "level": "INTEGER"}


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


def load_tickets(path: Path | str, mapping: ColumnMapping | None = None) -> TicketTable:
    """Read a CSV/Parquet ticket file into the canonical ``tickets`` table.

    Raises :class:`TicketDataError` naming the file and the column when the file cannot be read,
    the created time is not mapped, a mapped column does not exist, or too many of a column's
    values cannot be parsed as the field's type.
    """
    import duckdb

    path = Path(path)
    con = connect()
    types, samples = inspect_file(path, con)
    if mapping is None:
        mapping = ColumnMapping(columns=detect_by_values(samples, types, detect_by_headers(list(types))))
    for field_name, column in mapping.columns.items():
        if column not in types:
            raise TicketDataError(
                f"{path}: column {column!r} (mapped to {FIELD_BY_NAME[field_name].label}) is not in the file; "
                f"its columns are: {', '.join(types)}."
            )
    for field in FIELDS:
        if field.required and field.name not in mapping.columns:
            raise TicketDataError(
                f"{path}: no column for {field.label} ({field.name}) — it is required. Map one of: {', '.join(types)} "
                f"(e.g. a column named 'created_at')."
            )
    selects = []
    for field in FIELDS:
        column = mapping.get(field.name)
        expr = _parsed_expr(field, column, types[column]) if column else f"CAST(NULL AS {_CANONICAL_TYPES[field.kind]})"
        selects.append(f"{expr} AS {field.name}")
    # keep the source text only where parsing can fail (text sources of typed fields), to check it below
    checked = {f: c for f, c in mapping.columns.items() if _may_fail(FIELD_BY_NAME[f], types[c])}
    sources = "".join(f", {_quote_ident(c)} AS {_quote_ident('src__' + c)}" for c in dict.fromkeys(checked.values()))
    try:
        con.execute(f"CREATE TEMP TABLE parsed AS SELECT {', '.join(selects)}{sources} FROM {_reader(path)}")
    except duckdb.Error as exc:
        raise TicketDataError(f"{path}: cannot be read ({_first_line(exc)}).") from None
    notes = _check_parsed(con, path, ColumnMapping(columns=checked))
    escalated = "escalated" if mapping.get("escalated") else "NULL"
    level = "escalation_level" if mapping.get("escalation_level") else "NULL"
    con.execute(
        f"""
        CREATE TEMP TABLE tickets AS SELECT
            {', '.join(f.name for f in FIELDS if f.name not in ('escalated', 'escalation_level'))},
            COALESCE({level}, CASE WHEN {escalated} THEN 1 WHEN {escalated} = false THEN 0 END) AS escalation_level,
            COALESCE({escalated}, {level} > 0) AS escalated,
            date_diff('second', created_at, resolved_at) / 60.0 AS resolution_minutes,
            date_diff('second', created_at, escalated_at) / 60.0 AS escalate_minutes
        FROM parsed
        """
    )
    con.execute("DROP TABLE parsed")
    rows, first, last = con.execute("SELECT count(*), min(created_at), max(created_at) FROM tickets").fetchone()  # type: ignore[misc]
    if rows == 0:
        raise TicketDataError(f"{path}: has no ticket rows.")
    summary = TicketSummary(
        path=str(path),
        rows=rows,
        mapping=dict(mapping.columns),
        unmapped=[f.name for f in FIELDS if f.name not in mapping.columns],
        first_created=first,
        last_created=last,
        notes=notes,
    )
    return TicketTable(con, summary)


def _may_fail(field: TicketField, source_type: str) -> bool:
    """Can parsing this column leave a non-empty value unreadable? Only text sources of typed fields."""
    if field.kind in ("id", "text"):
        return False
    return source_type.startswith(("VARCHAR", "BLOB")) or (field.kind in ("priority", "level"))


def _check_parsed(con: duckdb.DuckDBPyConnection, path: Path, mapping: ColumnMapping) -> list[str]:
    """Reject a column whose values mostly cannot be parsed; note the ones with a few bad values."""
    if not mapping.columns:
        return []
    parts = []
    for field_name, column in mapping.columns.items():
        src = _quote_ident("src__" + column)
        present = f"({src} IS NOT NULL AND trim(CAST({src} AS VARCHAR)) <> '')"
        parts.append(f"count(*) FILTER (WHERE {present})")
        parts.append(f"count(*) FILTER (WHERE {present} AND {field_name} IS NULL)")
        parts.append(f"min(CAST({src} AS VARCHAR)) FILTER (WHERE {present} AND {field_name} IS NULL)")
    row = con.execute(f"SELECT {', '.join(parts)} FROM parsed").fetchone()
    assert row is not None
    notes = []
    for index, (field_name, column) in enumerate(mapping.columns.items()):
        present, bad, example = row[3 * index], row[3 * index + 1], row[3 * index + 2]
        if not present or not bad:
            continue
        field = FIELD_BY_NAME[field_name]
        if bad / present > MAX_BAD_SHARE or field.required and bad == present:
            raise TicketDataError(
                f"{path}: column {column!r} ({field.label}) cannot be read as {_kind_words(field.kind)}: "
                f"{bad:,} of {present:,} values are unparseable, e.g. {example!r}. Fix the column or map another one."
            )
        notes.append(f"{column}: {bad:,} value(s) could not be read as {_kind_words(field.kind)} and count as empty (e.g. {example!r}).")
    return notes


def _kind_words(kind: FieldKind) -> str:
    return {
        "timestamp": "a date and time (e.g. 2025-03-01 14:05)",
        "number": "a number",
        "boolean": "yes/no",
        "priority": "a priority (P1–P4, or urgent/high/normal/low)",
        "level": "an escalation level (0–4, L0–L4)",
    }.get(kind, "text")


# --- the synthetic history -------------------------------------------------------------------------

SAMPLE_COLUMNS = [
    "ticket_id", "created_at", "resolved_at", "priority", "customer_tier", "arr_usd", "channel", "category",
    "reopen_count", "csat", "sentiment", "first_response_minutes", "escalated", "escalation_level",
    "escalated_at", "escalation_reason", "disputed_amount_usd", "churn_threat", "incident_id",
]


def generate_sample(rows: int, *, seed: int = 7, days: int = 90, start: str = "2025-01-06") -> Any:
    """A realistic synthetic ticket history as a pyarrow Table (same seed, same table).

    Business-hours and weekday arrival, Free/Pro/Enterprise tiers with ARR, channels, categories,
    billing disputes with amounts, churn threats, and a few incidents that each bring a burst of
    P1/P2 outage tickets within hours. The history's own escalations land inside the seed's mature
    bands (about 8% escalated, under 2% at Level 3 or above).
    """
    import numpy as np
    import pyarrow as pa

    if rows < 1:
        raise UserInputError("--rows must be at least 1.")
    rng = np.random.default_rng(seed)
    n = rows
    start_s = np.datetime64(start, "s").astype(np.int64)

    # arrival: weekdays busier, business hours busier
    day_weights = np.array([1.0 if (d % 7) < 5 else 0.35 for d in range(days)])
    hour_weights = np.array([0.2] * 7 + [0.8, 1.4, 1.6, 1.6, 1.5, 1.3, 1.5, 1.6, 1.5, 1.3, 1.0, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2])
    day = rng.choice(days, size=n, p=day_weights / day_weights.sum())
    hour = rng.choice(24, size=n, p=hour_weights / hour_weights.sum())
    created = start_s + day * 86400 + hour * 3600 + rng.integers(0, 3600, size=n)

    # incidents: a few outages, each a burst of related tickets within hours of its start
    incidents = max(1, round(days / 15))
    burst_share = 0.045
    in_burst = rng.random(n) < burst_share
    incident_of = np.where(in_burst, rng.integers(0, incidents, size=n), -1)
    incident_start = start_s + np.sort(rng.integers(0, days, size=incidents)) * 86400 + rng.integers(8, 20, size=incidents) * 3600
    burst_offset = np.minimum(rng.exponential(5400, size=n), 6 * 3600).astype(np.int64)
    created = np.where(in_burst, incident_start[np.maximum(incident_of, 0)] + burst_offset, created)

    tier = rng.choice(np.array(["Free", "Pro", "Enterprise"]), size=n, p=[0.5, 0.35, 0.15])
    enterprise = tier == "Enterprise"
    arr = np.where(
        enterprise,
        np.round(rng.lognormal(np.log(85000), 0.6, size=n), -2),
        np.where(tier == "Pro", np.round(rng.lognormal(np.log(6000), 0.6, size=n), -1), 0.0),
    )
    channel = rng.choice(np.array(["email", "chat", "ticket portal", "phone", "social"]), size=n, p=[0.38, 0.30, 0.22, 0.06, 0.04])
    channel = np.where((channel == "phone") & ~enterprise & (rng.random(n) < 0.8), "email", channel)

    categories = np.array(["how-to", "bug", "billing", "integration", "account", "feature request", "outage", "security", "data loss", "legal"])
    category = rng.choice(categories, size=n, p=[0.3015, 0.2, 0.14, 0.12, 0.1, 0.085, 0.04, 0.008, 0.003, 0.0025])
    category = np.where(in_burst & (rng.random(n) < 0.85), "outage", category)

    # priority by category
    u = rng.random(n)
    severe = np.isin(category, ["security", "data loss"])
    outage = category == "outage"
    p1_cut = np.where(severe, 0.3, np.where(outage, np.where(in_burst, 0.12, 0.15), 0.002))
    p2_cut = p1_cut + np.where(severe | outage, 0.45, 0.07)
    p3_cut = p2_cut + 0.45
    priority = np.where(u < p1_cut, "P1", np.where(u < p2_cut, "P2", np.where(u < p3_cut, "P3", "P4")))

    billing = category == "billing"
    disputed = np.where(billing & (rng.random(n) < 0.6), np.round(rng.lognormal(np.log(900), 1.3, size=n), 2), np.nan)

    reopen = rng.poisson(np.where(category == "bug", 0.35, 0.12)).astype(np.int64)
    sentiment = rng.normal(0.15, 0.42, size=n) - 0.25 * (priority == "P1") - 0.15 * in_burst - 0.12 * reopen
    sentiment = np.round(np.clip(sentiment, -1, 1), 2)
    churn_p = 0.006 * np.where(sentiment < -0.5, 4, 1) * np.where(reopen >= 2, 2, 1) * np.where(enterprise, 1.5, 1)
    churn = rng.random(n) < churn_p

    median_frt = {"chat": 3.0, "phone": 1.0, "email": 95.0, "ticket portal": 180.0, "social": 40.0}
    frt_median = np.select([channel == c for c in median_frt], list(median_frt.values()), 60.0)
    frt_median = frt_median / np.where(priority == "P1", 4, 1) / np.where(enterprise, 1.5, 1)
    first_response = np.round(rng.lognormal(np.log(frt_median), 0.7), 1)

    median_hours = np.select([priority == p for p in ("P1", "P2", "P3")], [4.0, 12.0, 30.0], 60.0)
    resolve_hours = rng.lognormal(np.log(median_hours), 0.8) * np.where(reopen > 0, 1.6, 1.0)
    resolved_ok = rng.random(n) > 0.02

    # the history's own escalations (what agents did), highest level wins
    level = np.zeros(n, dtype=np.int64)
    reason = np.full(n, "", dtype=object)

    def mark(mask: Any, lvl: int, why: str) -> None:
        hit = mask & (level < lvl)
        level[hit] = lvl
        reason[hit] = why

    mark((reopen >= 2) & (rng.random(n) < 0.7), 1, "Customer requested")
    mark((sentiment < -0.6) & (rng.random(n) < 0.3), 1, "Customer requested")
    mark((priority == "P2") & (rng.random(n) < 0.12), 1, "SLA breach risk")
    mark((category == "bug") & (rng.random(n) < 0.06), 1, "Technical complexity")
    mark((category == "integration") & (rng.random(n) < 0.07), 1, "Integration issue")
    mark((priority == "P2") & enterprise & (resolve_hours > 6) & (rng.random(n) < 0.6), 2, "Product bug")
    mark(billing & (np.nan_to_num(disputed) > 5000), 2, "Billing dispute")
    mark((category == "bug") & (reopen >= 2) & (rng.random(n) < 0.3), 2, "Product bug")
    mark((category == "legal") & (rng.random(n) < 0.5), 2, "Legal")
    mark((priority == "P1") & (outage | severe) & (rng.random(n) < 0.4), 3, "Outage")
    mark((category == "security") & np.isin(priority, ["P1", "P2"]) & (rng.random(n) < 0.25), 3, "Security")
    mark((category == "data loss") & (rng.random(n) < 0.4), 3, "Data loss")
    mark(churn & (arr > 50000), 4, "Churn threat")
    mark((category == "legal") & (level < 2), 4, "Legal")
    mark((channel == "social") & (sentiment < -0.7), 4, "Public complaint")
    reason = np.where(level == 0, None, reason)

    escalate_median = np.where(level >= 3, 25.0, 150.0)
    escalate_after = np.round(rng.lognormal(np.log(escalate_median), 0.9) * 60).astype(np.int64)
    resolve_after = (resolve_hours * 3600).astype(np.int64) + np.where(level > 0, escalate_after, 0)
    resolve_after = resolve_after * np.where(level >= 2, 2, 1)

    answered = (rng.random(n) < 0.35) & resolved_ok
    csat_mean = 4.4 - 0.55 * (level > 0) - 0.25 * reopen - 0.004 * np.minimum(resolve_after / 3600, 100) + 0.4 * sentiment
    csat = np.where(answered, np.clip(np.round(rng.normal(csat_mean, 0.7)), 1, 5), np.nan)

    order = np.argsort(created, kind="stable")

    def arranged(values: Any) -> Any:
        return values[order]

    created_sorted = arranged(created)
    level_sorted = arranged(level)
    resolved_at = np.where(arranged(resolved_ok), created_sorted + arranged(resolve_after), 0)
    escalated_at = np.where(level_sorted > 0, created_sorted + arranged(escalate_after), 0)

    def ts(values: Any, valid: Any) -> Any:
        return pa.array(values.astype("datetime64[s]"), type=pa.timestamp("s"), mask=~valid)

    table = pa.table(
        {
            "ticket_id": pa.array([f"T-{100001 + i}" for i in range(n)]),
            "created_at": ts(created_sorted, np.ones(n, dtype=bool)),
            "resolved_at": ts(resolved_at, arranged(resolved_ok)),
            "priority": pa.array(arranged(priority)),
            "customer_tier": pa.array(arranged(tier)),
            "arr_usd": pa.array(arranged(arr)),
            "channel": pa.array(arranged(channel)),
            "category": pa.array(arranged(category)),
            "reopen_count": pa.array(arranged(reopen)),
            "csat": pa.array(arranged(csat), from_pandas=True),
            "sentiment": pa.array(arranged(sentiment)),
            "first_response_minutes": pa.array(arranged(first_response)),
            "escalated": pa.array(level_sorted > 0),
            "escalation_level": pa.array(level_sorted),
            "escalated_at": ts(escalated_at, level_sorted > 0),
            "escalation_reason": pa.array(list(arranged(reason)), type=pa.string()),
            "disputed_amount_usd": pa.array(arranged(disputed), from_pandas=True),
            "churn_threat": pa.array(arranged(churn)),
            "incident_id": pa.array([f"INC-{i + 1:03d}" if i >= 0 else None for i in arranged(incident_of).tolist()], type=pa.string()),
        }
    )
    return table


def write_sample(path: Path | str, rows: int, *, seed: int = 7, days: int = 90) -> Path:
    """Write :func:`generate_sample` as CSV or Parquet (by the file's suffix); returns the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise UserInputError(f"{path}: choose a .csv or .parquet file name for the sample tickets.")
    table = generate_sample(rows, seed=seed, days=days)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = connect()
    try:
        con.register("sample", table)
        options = "FORMAT PARQUET, COMPRESSION ZSTD" if suffix != ".csv" else "FORMAT CSV, HEADER true"
        con.execute(f"COPY (SELECT * FROM sample) TO {_quote_text(str(path))} ({options})")
    except OSError as exc:
        raise UserInputError(f"{path}: cannot be written ({exc}).") from None
    finally:
        con.close()
    return path
