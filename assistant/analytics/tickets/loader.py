"""Loading a ticket file into the canonical ``tickets`` table, every column parsed to its field's type.

The parsing happens in DuckDB SQL, outside Python, so a file of millions of rows stays fast; a
column whose values mostly cannot be read is rejected with an example, rather than counted wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.analytics.tickets.fields import FIELD_BY_NAME, FIELDS, FieldKind, TicketField
from assistant.analytics.tickets.files import TicketDataError, connect, file_reader, first_line, inspect_file, quote_ident, quote_text
from assistant.analytics.tickets.mapping import ColumnMapping, detect_by_headers, detect_by_values
from assistant.analytics.tickets.table import TicketSummary, TicketTable

if TYPE_CHECKING:
    import duckdb

#: a column is rejected when more than this share of its non-empty values cannot be read
MAX_BAD_SHARE = 0.05
_TIMESTAMP_FORMATS = ["%Y-%m-%dT%H:%M:%S%z", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M", "%m/%d/%Y", "%d.%m.%Y"]


def _parsed_expr(field: TicketField, column: str, source_type: str) -> str:
    """SQL turning the source column into the field's canonical type."""
    col = quote_ident(column)
    text = f"lower(trim(CAST({col} AS VARCHAR)))"
    numeric_type = any(source_type.startswith(t) for t in ("DOUBLE", "FLOAT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "DECIMAL", "HUGEINT", "UBIGINT", "UINTEGER", "REAL"))
    if field.kind == "id":
        return f"CAST({col} AS VARCHAR)"
    if field.kind == "timestamp":
        if source_type.startswith(("TIMESTAMP", "DATE")):
            return f"CAST({col} AS TIMESTAMP)"
        formats = "[" + ", ".join(quote_text(f) for f in _TIMESTAMP_FORMATS) + "]"
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
    sources = "".join(f", {quote_ident(c)} AS {quote_ident('src__' + c)}" for c in dict.fromkeys(checked.values()))
    try:
        con.execute(f"CREATE TEMP TABLE parsed AS SELECT {', '.join(selects)}{sources} FROM {file_reader(path)}")
    except duckdb.Error as exc:
        raise TicketDataError(f"{path}: cannot be read ({first_line(exc)}).") from None
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
        src = quote_ident("src__" + column)
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
