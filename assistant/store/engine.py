"""The connection to the history database: one engine per URL, and short transactions on it.

Several processes and threads may write the same database at once, so every operation is one
short transaction, retried while what stands in its way is another writer: a locked SQLite
file, a PostgreSQL deadlock, an insert that lost a race. SQLite writers take the write lock up
front (``BEGIN IMMEDIATE``) in WAL mode with a busy timeout; in-memory SQLite is refused, since
each connection would see a database of its own.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pydantic_core import to_jsonable_python
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from assistant.errors import PlaybookError, StoreError

log = logging.getLogger(__name__)

_BUSY_TIMEOUT_MS = 5000
#: give up on a locked database after this long (each try already waits the busy timeout)
_RETRY_SECONDS = 30.0
#: an insert that loses a race is retried this often (the retry finds the row and updates it)
_INTEGRITY_RETRIES = 3
_READ_OPTION = "playbook_read"

T = TypeVar("T")


class Database:
    """The engine for one history URL and the one way to use it: ``run(work)`` in a transaction."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StoreError(
                "The history database URL is not a valid SQLAlchemy URL; "
                "check PLAYBOOK_DATABASE_URL (e.g. sqlite:///history.db or postgresql+psycopg://host/db)."
            ) from None
        #: the URL without its password, for messages
        self.where = parsed.render_as_string(hide_password=True)
        serializer = partial(json.dumps, default=to_jsonable_python, ensure_ascii=False)
        #: a history on a read-only mount can still be listed and exported
        self.read_only = False
        try:
            if parsed.get_backend_name() == "sqlite":
                path = _sqlite_file(parsed)
                self.read_only = _read_only_file(path)
                if self.read_only:
                    parsed = parsed.set(database=f"file:{path}", query={"mode": "ro", "immutable": "1", "uri": "true"})
                else:
                    path.parent.mkdir(parents=True, exist_ok=True)
                self.engine = create_engine(parsed, json_serializer=serializer)
                _configure_sqlite(self.engine, wal=not self.read_only)
            else:
                self.engine = create_engine(parsed, json_serializer=serializer, pool_pre_ping=True)
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(
                f"Cannot open the history database {self.where}: {exc}. "
                "Check PLAYBOOK_DATABASE_URL and that the folder is writable."
            ) from exc
        self._reader = self.engine.execution_options(**{_READ_OPTION: True})

    def close(self) -> None:
        """Release pooled connections (file handles, PostgreSQL sessions)."""
        self.engine.dispose()

    def run(self, work: Callable[[Session], T], *, write: bool = True) -> T:
        """Run ``work`` in one short transaction, retrying what another writer can cause."""
        if write and self.read_only:
            raise StoreError(
                f"The history database {self.where} is read-only: its runs can be listed and exported, not changed. "
                "Run with --no-history, or set PLAYBOOK_DATABASE_URL to a writable place."
            )
        deadline = time.monotonic() + _RETRY_SECONDS
        attempt = 0
        while True:
            attempt += 1
            try:
                with Session(self.engine if write else self._reader, expire_on_commit=False) as session:
                    with session.begin():
                        return work(session)
            except PlaybookError:
                raise
            except IntegrityError as exc:
                if attempt >= _INTEGRITY_RETRIES:
                    raise StoreError(f"The history database {self.where} refused a write: {exc.orig}") from exc
                log.debug("retrying after a conflicting insert (attempt %d)", attempt)
            except DBAPIError as exc:
                if not _is_transient(exc) or time.monotonic() > deadline:
                    raise self._failure(exc) from exc
                log.debug("retrying after %s (attempt %d)", exc.orig, attempt)
                time.sleep(min(0.02 * 2**attempt, 0.5) * random.uniform(0.5, 1.0))
            except SQLAlchemyError as exc:
                raise self._failure(exc) from exc

    def _failure(self, exc: SQLAlchemyError) -> StoreError:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        lowered = detail.lower()
        if "disk is full" in lowered or "no space" in lowered or "disk full" in lowered:
            advice = "the disk is full: free some space, or set PLAYBOOK_DATABASE_URL to another disk"
        elif "readonly" in lowered or "read-only" in lowered:
            advice = "it is read-only: set PLAYBOOK_DATABASE_URL to a writable place, or run with --no-history"
        else:
            advice = "if another program holds it locked, close it and try again; otherwise check PLAYBOOK_DATABASE_URL"
        return StoreError(f"The history database {self.where} could not be used ({detail}); {advice}.")


def _is_transient(exc: DBAPIError) -> bool:
    """Errors a retry can fix: a locked SQLite file, a PostgreSQL deadlock or serialisation
    failure, a dropped connection, or another process creating the schema at the same moment."""
    if exc.connection_invalidated:
        return True
    if getattr(exc.orig, "sqlstate", None) in {"40001", "40P01"}:
        return True
    message = str(exc.orig).lower()
    return any(part in message for part in ("database is locked", "database is busy", "already exists"))


def _sqlite_file(url: URL) -> Path:
    """The database file of a SQLite URL; in-memory databases are refused (one per connection)."""
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        raise StoreError(
            "An in-memory SQLite database cannot be shared between threads; "
            "use a file URL such as sqlite:///path/to/history.db."
        )
    return Path(database.removeprefix("file:")).expanduser()


def _read_only_file(path: Path) -> bool:
    """An existing database file that cannot be written (a read-only mount, or no permission)."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _configure_sqlite(engine: Engine, *, wal: bool = True) -> None:
    """WAL, a busy timeout and foreign keys on every connection; writers lock up front.

    The driver's own transaction handling is turned off so that a write transaction starts
    with ``BEGIN IMMEDIATE``: a deferred transaction that later tries to write can fail with
    "database is locked" without waiting, and is the usual cause of lost writes.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(_READ_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
