"""Run history: every run, its steps, every version of their text, and a response cache.

One SQLAlchemy URL, SQLite by default (a file in the user's data dir) or PostgreSQL for a team.
Several processes and threads may write the same database at once, so every operation is one
short transaction on an engine owned by this ``Store``; SQLite writers take the write lock up
front (``BEGIN IMMEDIATE``) and are retried while the database is locked.

The API takes explicit fields only, never a settings object or a dict of headers: a key cannot
reach the disk by accident. Schema changes are Alembic revisions in ``migrations/`` (written by
hand, append-only) and run when a ``Store`` opens.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic_core import to_jsonable_python
from sqlalchemy import create_engine, delete, event, func, select, update
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from assistant.errors import PlaybookError, RunNotFoundError, StoreError
from assistant.settings import Settings
from assistant.store.records import STEP_STATUSES, VERSION_KINDS, CachedAnswer, RunRecord, TokenUsage, run_record
from assistant.store.redaction import redact_text, redact_url, refuse_secrets
from assistant.store.schema import MAX_KEY_CHARS, CacheRow, RunRow, StepRow, VersionRow, utc_now

log = logging.getLogger(__name__)

#: a finished step with text in one of these states gets a 'generated' version
_VERSIONED_STATUSES = frozenset({"done", "truncated", "incomplete"})

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
DEFAULT_STALE_AFTER = 5.0  # a live step is checkpointed every second (at most 2)
_BUSY_TIMEOUT_MS = 5000
#: give up on a locked database after this long (each try already waits the busy timeout)
_RETRY_SECONDS = 30.0
#: an insert that loses a race is retried this often (the retry finds the row and updates it)
_INTEGRITY_RETRIES = 3
_READ_OPTION = "playbook_read"
#: PostgreSQL advisory lock id that serialises schema upgrades across processes
_MIGRATION_LOCK_ID = zlib.crc32(b"escalation-playbook-studio:migrations")
#: alembic.context is a module global, so two threads must not run migrations at once
_ALEMBIC_LOCK = threading.Lock()
_CACHE_KEY = re.compile(r"^[0-9a-f]{64}$")

T = TypeVar("T")


# --- helpers --------------------------------------------------------------------------


def migrations_config() -> Config:
    """Alembic's Config for this package, built in code so no alembic.ini is needed at runtime."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def _check(value: str, allowed: frozenset[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; use one of: {', '.join(sorted(allowed))}")


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_CHARS:
        raise ValueError(f"a step key must be 1 to {MAX_KEY_CHARS} characters, e.g. 'runbooks:comms_lead'")


def _usage_columns(usage: Mapping[str, Any] | None) -> dict[str, Any]:
    if usage is None:
        return {}
    checked = TokenUsage.model_validate(usage)
    return {
        "input_tokens": checked.input_tokens,
        "output_tokens": checked.output_tokens,
        "usage_estimated": checked.estimated,
    }


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


def _configure_sqlite(engine: Engine) -> None:
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
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(_READ_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


# --- the store --------------------------------------------------------------------------


class Store:
    """The run history. Thread-safe; open one per process (or share one between threads)."""

    def __init__(self, url: str, *, stale_after: float = DEFAULT_STALE_AFTER) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StoreError(
                "The history database URL is not a valid SQLAlchemy URL; "
                "check PLAYBOOK_DATABASE_URL (e.g. sqlite:///history.db or postgresql+psycopg://host/db)."
            ) from None
        self._where = parsed.render_as_string(hide_password=True)
        self._stale_after = timedelta(seconds=stale_after)
        serializer = partial(json.dumps, default=to_jsonable_python, ensure_ascii=False)
        try:
            if parsed.get_backend_name() == "sqlite":
                _sqlite_file(parsed).parent.mkdir(parents=True, exist_ok=True)
                self._engine = create_engine(parsed, json_serializer=serializer)
                _configure_sqlite(self._engine)
            else:
                self._engine = create_engine(parsed, json_serializer=serializer, pool_pre_ping=True)
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(
                f"Cannot open the history database {self._where}: {exc}. "
                "Check PLAYBOOK_DATABASE_URL and that the folder is writable."
            ) from exc
        self._reader = self._engine.execution_options(**{_READ_OPTION: True})
        try:
            self._upgrade()
        except BaseException:
            self._engine.dispose()
            raise

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store at ``settings.resolved_database_url`` (a file in the user's data dir by default)."""
        return cls(settings.resolved_database_url)

    def close(self) -> None:
        """Release pooled connections (file handles, PostgreSQL sessions)."""
        self._engine.dispose()

    # --- runs ------------------------------------------------------------------------

    def create_run(
        self,
        *,
        pack: str,
        variables: dict[str, Any],
        provider: str,
        model: str,
        base_url: str | None,
        options: dict[str, Any],
    ) -> str:
        """Record a new run (status ``pending``) and return its id."""
        refuse_secrets(options)
        run_id = uuid.uuid4().hex
        now = utc_now()
        row = RunRow(
            id=run_id,
            pack=pack,
            variables=variables,
            provider=provider,
            model=model,
            base_url=redact_url(base_url),
            options=options,
            status="pending",
            created_at=now,
            updated_at=now,
        )
        self._run(lambda session: session.add(row))
        return run_id

    def set_run_status(
        self, run_id: str, status: str, *, usage: dict[str, Any] | None = None, cost: float | None = None
    ) -> None:
        """Set the run's status; ``usage``/``cost`` (run totals) are left alone when not given."""
        _check(status, STEP_STATUSES, "run status")
        values: dict[str, Any] = {"status": status, "updated_at": utc_now(), **_usage_columns(usage)}
        if cost is not None:
            values["cost"] = cost

        def work(session: Session) -> None:
            result = session.connection().execute(update(RunRow).where(RunRow.id == run_id).values(**values))
            if result.rowcount == 0:
                raise self._not_found(run_id)

        self._run(work)

    def get_run(self, run_id: str) -> RunRecord:
        """The run with its steps (creation order) and every version of their text."""

        def work(session: Session) -> RunRecord:
            row = session.scalars(
                select(RunRow)
                .where(RunRow.id == run_id)
                .options(selectinload(RunRow.steps).selectinload(StepRow.versions))
            ).one_or_none()
            if row is None:
                raise self._not_found(run_id)
            return run_record(row, with_versions=True, stale_after=self._stale_after)

        return self._run(work, write=False)

    def list_runs(self, limit: int = 100) -> list[RunRecord]:
        """Newest first, with steps but without versions (``StepRecord.versions`` is ``None``)."""
        if limit < 1:
            raise ValueError("limit must be at least 1")

        def work(session: Session) -> list[RunRecord]:
            rows = session.scalars(
                select(RunRow)
                .order_by(RunRow.created_at.desc(), RunRow.id)
                .limit(limit)
                .options(selectinload(RunRow.steps))
            ).all()
            return [run_record(row, with_versions=False, stale_after=self._stale_after) for row in rows]

        return self._run(work, write=False)

    def delete_run(self, run_id: str) -> None:
        """Remove the run; its steps and versions go with it (foreign-key cascade)."""

        def work(session: Session) -> None:
            result = session.connection().execute(delete(RunRow).where(RunRow.id == run_id))
            if result.rowcount == 0:
                raise self._not_found(run_id)

        self._run(work)

    # --- steps -----------------------------------------------------------------------

    def start_step(self, run_id: str, key: str, *, prompt: str, system: str | None) -> None:
        """Begin an attempt: status ``running``, attempts + 1, heartbeat now.

        The row describes the current attempt, so the previous attempt's text, usage, report
        and error are cleared; texts that were finished live on in the versions.
        """
        _check_key(key)

        def work(session: Session) -> None:
            now = self._touch_run(session, run_id)
            step = self._step(session, run_id, key, create_at=now)
            step.status = "running"
            step.prompt = prompt
            step.system = system
            step.text = step.partial_text = ""
            step.error = step.timings = step.report = None
            step.input_tokens = step.output_tokens = step.usage_estimated = step.cost = None
            step.attempts += 1
            step.heartbeat_at = now

        self._run(work)

    def checkpoint(self, run_id: str, key: str, partial_text: str) -> None:
        """Save the text streamed so far and prove the writer is alive: one UPDATE.

        Call it at least every few seconds while a step runs, also while waiting for a first
        token or a retry, or readers will see the step as interrupted.
        """

        def work(session: Session) -> None:
            result = session.connection().execute(
                update(StepRow)
                .where(StepRow.run_id == run_id, StepRow.key == key)
                .values(partial_text=partial_text, heartbeat_at=utc_now())
            )
            if result.rowcount == 0:
                raise self._missing_step(session, run_id, key)

        self._run(work)

    def finish_step(
        self,
        run_id: str,
        key: str,
        *,
        status: str,
        text: str,
        usage: dict[str, Any] | None = None,
        cost: float | None = None,
        timings: dict[str, Any] | None = None,
        report: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        """Record how the attempt ended; finished text is also kept as a 'generated' version.

        A step that never started (cancelled or failed before its call) is recorded too.
        """
        _check(status, STEP_STATUSES, "step status")
        _check_key(key)

        def work(session: Session) -> None:
            now = self._touch_run(session, run_id)
            step = self._step(session, run_id, key, create_at=now)
            step.status = status
            step.text = text
            step.cost = cost
            step.timings = timings
            step.report = report
            step.error = redact_text(error)
            step.input_tokens = step.output_tokens = step.usage_estimated = None
            for name, value in _usage_columns(usage).items():
                setattr(step, name, value)
            if status in _VERSIONED_STATUSES and text:
                self._add_version(session, step, text, "generated", now)

        self._run(work)

    def add_version(self, run_id: str, key: str, text: str, kind: str) -> int:
        """Keep a new version ('edited' by a person, 'repaired' by the chain) and make it current.

        Returns the version number (1 for a step's first version).
        """
        _check(kind, VERSION_KINDS, "version kind")

        def work(session: Session) -> int:
            now = self._touch_run(session, run_id)
            step = self._step(session, run_id, key)
            step.text = text
            return self._add_version(session, step, text, kind, now)

        return self._run(work)

    def set_report(
        self,
        run_id: str,
        key: str,
        report: dict[str, Any],
        *,
        usage: dict[str, Any] | None = None,
        cost: float | None = None,
    ) -> None:
        """Replace the step's validation report (after an edit or a repair); a repair also
        passes the step's usage and cost with its own tokens included."""

        def work(session: Session) -> None:
            self._touch_run(session, run_id)
            step = self._step(session, run_id, key)
            step.report = report
            for column, value in _usage_columns(usage).items():
                setattr(step, column, value)
            if cost is not None:
                step.cost = cost

        self._run(work)

    # --- response cache ---------------------------------------------------------------

    def cache_get(self, key: str) -> CachedAnswer | None:
        """The stored answer for a request hash, if any."""

        def work(session: Session) -> CachedAnswer | None:
            row = session.get(CacheRow, key)
            if row is None:
                return None
            return CachedAnswer(
                key=row.key,
                provider=row.provider,
                model=row.model,
                text=row.text,
                usage=TokenUsage.model_validate(row.usage),
                created_at=row.created_at,
            )

        return self._run(work, write=False)

    def cache_put(self, key: str, *, provider: str, model: str, text: str, usage: dict[str, Any]) -> None:
        """Store (or replace) the answer for a request hash (sha256 hex of the request)."""
        if not _CACHE_KEY.match(key):
            raise ValueError("a cache key is a lower-case sha256 hex digest (64 characters)")
        usage_json = TokenUsage.model_validate(usage).model_dump()

        def work(session: Session) -> None:
            row = session.get(CacheRow, key) or CacheRow(key=key)
            row.provider, row.model, row.text, row.usage = provider, model, text, usage_json
            row.created_at = utc_now()
            session.add(row)

        self._run(work)

    # --- internals --------------------------------------------------------------------

    def _run(self, work: Callable[[Session], T], *, write: bool = True) -> T:
        """Run ``work`` in one short transaction, retrying what another writer can cause."""
        deadline = time.monotonic() + _RETRY_SECONDS
        attempt = 0
        while True:
            attempt += 1
            try:
                with Session(self._engine if write else self._reader, expire_on_commit=False) as session:
                    with session.begin():
                        return work(session)
            except PlaybookError:
                raise
            except IntegrityError as exc:
                if attempt >= _INTEGRITY_RETRIES:
                    raise StoreError(f"The history database {self._where} refused a write: {exc.orig}") from exc
                log.debug("retrying after a conflicting insert (attempt %d)", attempt)
            except DBAPIError as exc:
                if not _is_transient(exc) or time.monotonic() > deadline:
                    raise self._failure(exc) from exc
                log.debug("retrying after %s (attempt %d)", exc.orig, attempt)
                time.sleep(min(0.02 * 2**attempt, 0.5) * random.uniform(0.5, 1.0))
            except SQLAlchemyError as exc:
                raise self._failure(exc) from exc

    def _failure(self, exc: SQLAlchemyError) -> StoreError:
        detail = getattr(exc, "orig", None) or exc
        return StoreError(
            f"The history database {self._where} could not be used: {detail}. "
            "If another program holds it locked, close it and try again; "
            "otherwise check PLAYBOOK_DATABASE_URL."
        )

    def _upgrade(self) -> None:
        """Bring the schema to head unless it already is (the common case takes no write lock).

        Concurrent first opens are serialised by the database itself: SQLite's ``BEGIN
        IMMEDIATE`` or a PostgreSQL advisory lock, held until the upgrade commits, so the
        second opener finds the tables made.
        """
        config = migrations_config()
        heads = set(ScriptDirectory.from_config(config).get_heads())

        def current(session: Session) -> set[str]:
            return set(MigrationContext.configure(session.connection()).get_current_heads())

        if self._run(current, write=False) == heads:
            return

        def upgrade(session: Session) -> None:
            connection = session.connection()
            if connection.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_ID)))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

        with _ALEMBIC_LOCK:
            self._run(upgrade)

    def _not_found(self, run_id: str) -> RunNotFoundError:
        return RunNotFoundError(
            f"No run {run_id!r} in the history at {self._where}; run `playbook history` to list runs."
        )

    def _touch_run(self, session: Session, run_id: str) -> datetime:
        """Mark the run as changed now; raise if it does not exist (e.g. deleted mid-run)."""
        now = utc_now()
        result = session.connection().execute(update(RunRow).where(RunRow.id == run_id).values(updated_at=now))
        if result.rowcount == 0:
            raise self._not_found(run_id)
        return now

    def _step(self, session: Session, run_id: str, key: str, *, create_at: datetime | None = None) -> StepRow:
        """The step row; created (pending, no attempts) when ``create_at`` is given."""
        step = session.scalars(select(StepRow).where(StepRow.run_id == run_id, StepRow.key == key)).one_or_none()
        if step is not None:
            return step
        if create_at is None:
            raise self._missing_step(session, run_id, key)
        step = StepRow(
            run_id=run_id, key=key, status="pending", text="", partial_text="", attempts=0, created_at=create_at
        )
        session.add(step)
        session.flush()
        return step

    def _missing_step(self, session: Session, run_id: str, key: str) -> StoreError:
        if session.get(RunRow, run_id) is None:
            return self._not_found(run_id)
        return StoreError(f"Run {run_id} has no step {key!r}; start the step before writing to it.")

    def _add_version(self, session: Session, step: StepRow, text: str, kind: str, now: datetime) -> int:
        last = session.scalar(select(func.max(VersionRow.number)).where(VersionRow.step_id == step.id))
        number = (last or 0) + 1
        session.add(VersionRow(step_id=step.id, number=number, kind=kind, text=text, created_at=now))
        return number
