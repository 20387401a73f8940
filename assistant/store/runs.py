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
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import BaseModel, ConfigDict, computed_field
from pydantic_core import to_jsonable_python
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload

from assistant.errors import PlaybookError, RunNotFoundError, StoreError
from assistant.settings import Settings

log = logging.getLogger(__name__)

StepStatus = Literal["pending", "running", "done", "failed", "incomplete", "truncated", "cancelled"]
#: what a reader sees: a ``running`` step whose heartbeat stopped is ``interrupted``
EffectiveStatus = Literal["pending", "running", "done", "failed", "incomplete", "truncated", "cancelled", "interrupted"]
VersionKind = Literal["generated", "repaired", "edited"]

STEP_STATUSES: frozenset[str] = frozenset(get_args(StepStatus))
VERSION_KINDS: frozenset[str] = frozenset(get_args(VersionKind))
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
_SECRET_NAME = re.compile(
    r"(^|_)(api_?key|key|secret|password|passwd|token|authorization|auth|headers?|cookies?|credentials?)$"
)
_CACHE_KEY = re.compile(r"^[0-9a-f]{64}$")
_MAX_KEY_CHARS = 255

T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


# --- column types ------------------------------------------------------------------


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite itself keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CleanText(TypeDecorator[str]):
    """Text with NUL characters replaced, because PostgreSQL rejects them (model junk, never content)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else value.replace("\x00", "\ufffd")


# --- tables (the first revision in migrations/ must create exactly these) ---------------


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    pack: Mapped[str] = mapped_column(String(200))
    variables: Mapped[dict[str, Any]] = mapped_column(JSON)
    provider: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str | None] = mapped_column(CleanText)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    usage_estimated: Mapped[bool | None] = mapped_column(Boolean)
    cost: Mapped[float | None] = mapped_column(Float)

    steps: Mapped[list[StepRow]] = relationship(order_by="StepRow.id", lazy="raise", passive_deletes=True)

    __table_args__ = (Index("ix_runs_created_at", "created_at"),)


class StepRow(Base):
    """One step or fan-out part; the surrogate ``id`` gives creation order on every backend."""

    __tablename__ = "steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(32), ForeignKey("runs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(_MAX_KEY_CHARS))
    status: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[str | None] = mapped_column(CleanText)
    system: Mapped[str | None] = mapped_column(CleanText)
    text: Mapped[str] = mapped_column(CleanText)
    partial_text: Mapped[str] = mapped_column(CleanText)
    error: Mapped[str | None] = mapped_column(CleanText)
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    usage_estimated: Mapped[bool | None] = mapped_column(Boolean)
    cost: Mapped[float | None] = mapped_column(Float)
    timings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    versions: Mapped[list[VersionRow]] = relationship(
        order_by="VersionRow.number", lazy="raise", passive_deletes=True
    )

    __table_args__ = (UniqueConstraint("run_id", "key", name="uq_steps_run_id_key"),)


class VersionRow(Base):
    __tablename__ = "step_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step_id: Mapped[int] = mapped_column(Integer, ForeignKey("steps.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(CleanText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("step_id", "number", name="uq_step_versions_step_id_number"),)


class CacheRow(Base):
    __tablename__ = "response_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(CleanText)
    usage: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- read side ------------------------------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TokenUsage(_Record):
    """Tokens as the provider reported them (``estimated`` when counted locally)."""

    input_tokens: int = 0
    output_tokens: int = 0
    estimated: bool = False


class VersionRecord(_Record):
    number: int
    kind: VersionKind
    text: str
    created_at: datetime


class StepRecord(_Record):
    key: str
    status: StepStatus
    prompt: str | None
    system: str | None
    text: str
    partial_text: str
    error: str | None
    usage: TokenUsage | None
    cost: float | None
    timings: dict[str, Any] | None
    report: dict[str, Any] | None
    attempts: int
    heartbeat_at: datetime | None
    created_at: datetime
    #: oldest first; ``None`` when not loaded (``list_runs``): use ``get_run`` for them
    versions: list[VersionRecord] | None
    #: the step was ``running`` but its heartbeat was older than the staleness window when read
    stale: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def effective_status(self) -> EffectiveStatus:
        """``interrupted`` when the writer died mid-step (SIGKILL, closed tab), else ``status``."""
        return "interrupted" if self.status == "running" and self.stale else self.status

    @property
    def text_or_partial(self) -> str:
        """The output if there is one, else the last checkpoint of a step cut short."""
        return self.text or self.partial_text


class RunRecord(_Record):
    id: str
    pack: str
    variables: dict[str, Any]
    provider: str
    model: str
    base_url: str | None
    options: dict[str, Any]
    #: as last written by ``set_run_status``; read ``status`` for what a person should see
    stored_status: StepStatus
    created_at: datetime
    updated_at: datetime
    usage: TokenUsage | None
    cost: float | None
    steps: list[StepRecord]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> EffectiveStatus:
        """``interrupted`` when any step is, else the stored status."""
        if any(step.effective_status == "interrupted" for step in self.steps):
            return "interrupted"
        return self.stored_status

    def to_summary(self) -> dict[str, Any]:
        """One entry of ``playbook history --format json``."""
        return {
            "id": self.id,
            "pack": self.pack,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "provider": self.provider,
            "model": self.model,
            "cost": self.cost,
            "steps": self._step_summaries(),
        }

    def _step_summaries(self) -> list[dict[str, Any]]:
        """Whole steps in order; a fan-out step lists its parts (``runbooks:comms_lead``) under
        ``parts`` and, while its parts are still streaming, is summed up from them."""
        summaries: dict[str, dict[str, Any]] = {}
        for step in self.steps:
            step_id, _, part = step.key.partition(":")
            entry = summaries.setdefault(step_id, {"id": step_id, "status": None, "chars": 0})
            row = {"id": step.key, "status": step.effective_status, "chars": len(step.text_or_partial)}
            if part:
                entry.setdefault("parts", []).append(row)
            else:
                entry.update(status=row["status"], chars=row["chars"], whole=True)
        for entry in summaries.values():
            parts = entry.get("parts", [])
            if not entry.pop("whole", False):
                entry["chars"] = sum(p["chars"] for p in parts)
                entry["status"] = _combined_status([p["status"] for p in parts])
        return list(summaries.values())


def _combined_status(statuses: list[str]) -> str:
    """A fan-out step's status while only its parts exist."""
    for status in ("interrupted", "running", "failed", "incomplete", "cancelled", "pending", "truncated"):
        if status in statuses:
            return status
    return "done" if statuses else "pending"


class CachedAnswer(_Record):
    key: str
    provider: str
    model: str
    text: str
    usage: TokenUsage
    created_at: datetime


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
    if not key or len(key) > _MAX_KEY_CHARS:
        raise ValueError(f"a step key must be 1 to {_MAX_KEY_CHARS} characters, e.g. 'runbooks:comms_lead'")


def _refuse_secrets(value: object, path: str = "options") -> None:
    """Options are free-form JSON, so refuse anything named like a key or a header."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            where = f"{path}.{name}"
            if _SECRET_NAME.search(str(name).lower().replace("-", "_")):
                raise ValueError(f"{where} looks like a secret or a header; the history never stores those")
            _refuse_secrets(item, where)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _refuse_secrets(item, f"{path}[{index}]")


_URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>]+")


def _redact_text(text: str | None) -> str | None:
    """Error messages quote URLs; drop any credentials those carry before they are stored."""
    return _URL_IN_TEXT.sub(lambda match: _redact_url(match.group(0)) or "", text) if text else text


def _redact_url(url: str | None) -> str | None:
    """Drop credentials a base URL may carry (``user:key@host``, ``?api-key=...``)."""
    if not url:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    query = urlencode(
        [
            (name, "REDACTED" if _SECRET_NAME.search(name.lower().replace("-", "_")) else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _usage_columns(usage: Mapping[str, Any] | None) -> dict[str, Any]:
    if usage is None:
        return {}
    checked = TokenUsage.model_validate(usage)
    return {
        "input_tokens": checked.input_tokens,
        "output_tokens": checked.output_tokens,
        "usage_estimated": checked.estimated,
    }


def _usage_of(row: RunRow | StepRow) -> TokenUsage | None:
    if row.input_tokens is None and row.output_tokens is None:
        return None
    return TokenUsage(
        input_tokens=row.input_tokens or 0,
        output_tokens=row.output_tokens or 0,
        estimated=bool(row.usage_estimated),
    )


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
        _refuse_secrets(options)
        run_id = uuid.uuid4().hex
        now = _now()
        row = RunRow(
            id=run_id,
            pack=pack,
            variables=variables,
            provider=provider,
            model=model,
            base_url=_redact_url(base_url),
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
        values: dict[str, Any] = {"status": status, "updated_at": _now(), **_usage_columns(usage)}
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
            return self._record(row, with_versions=True)

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
            return [self._record(row, with_versions=False) for row in rows]

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
                .values(partial_text=partial_text, heartbeat_at=_now())
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
            step.error = _redact_text(error)
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
            row.created_at = _now()
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
        now = _now()
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

    def _record(self, row: RunRow, *, with_versions: bool) -> RunRecord:
        now = _now()
        steps = [
            StepRecord(
                key=step.key,
                status=step.status,  # type: ignore[arg-type]
                prompt=step.prompt,
                system=step.system,
                text=step.text,
                partial_text=step.partial_text,
                error=step.error,
                usage=_usage_of(step),
                cost=step.cost,
                timings=step.timings,
                report=step.report,
                attempts=step.attempts,
                heartbeat_at=step.heartbeat_at,
                created_at=step.created_at,
                versions=[
                    VersionRecord(
                        number=v.number, kind=v.kind, text=v.text, created_at=v.created_at  # type: ignore[arg-type]
                    )
                    for v in step.versions
                ]
                if with_versions
                else None,
                stale=step.status == "running"
                and (step.heartbeat_at is None or now - step.heartbeat_at > self._stale_after),
            )
            for step in row.steps
        ]
        return RunRecord(
            id=row.id,
            pack=row.pack,
            variables=row.variables,
            provider=row.provider,
            model=row.model,
            base_url=row.base_url,
            options=row.options,
            stored_status=row.status,  # type: ignore[arg-type]
            created_at=row.created_at,
            updated_at=row.updated_at,
            usage=_usage_of(row),
            cost=row.cost,
            steps=steps,
        )
