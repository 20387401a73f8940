"""Reading a ticket file through DuckDB: the private connection, the reader for CSV or Parquet, a peek at its head.

Detection and loading both start here, so a file that cannot be read fails the same way, naming
the file, wherever it is opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import UserInputError

if TYPE_CHECKING:
    import duckdb


class TicketDataError(UserInputError):
    """The ticket file cannot be used as given; the message names the file and the column."""


def quote_ident(name: str) -> str:
    """A column name as a DuckDB identifier, whatever quotes the export put in it."""
    return '"' + name.replace('"', '""') + '"'


def quote_text(value: str) -> str:
    """A value as a DuckDB string literal (paths and formats are data, never SQL)."""
    return "'" + value.replace("'", "''") + "'"


def file_reader(path: Path) -> str:
    """The DuckDB table function that reads the file, chosen by its suffix."""
    suffix = path.suffix.lower()
    literal = quote_text(str(path))
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
        described = con.execute(f"DESCRIBE SELECT * FROM {file_reader(path)}").fetchall()
        types = {row[0]: str(row[1]) for row in described}
        casts = ", ".join(f"CAST({quote_ident(c)} AS VARCHAR) AS {quote_ident(c)}" for c in types)
        rows = con.execute(f"SELECT {casts} FROM {file_reader(path)} LIMIT 50").fetchall()
    except duckdb.Error as exc:
        raise TicketDataError(f"{path}: cannot be read as {'Parquet' if path.suffix.lower() in ('.parquet', '.pq') else 'CSV'} ({first_line(exc)}).") from None
    samples = {column: [row[i] for row in rows if row[i] is not None] for i, column in enumerate(types)}
    return types, samples


def first_line(exc: BaseException) -> str:
    """The head of a DuckDB error: enough to say what is wrong without its whole context dump."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
