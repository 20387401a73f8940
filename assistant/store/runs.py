"""Run history: every run, its steps and every version of their text (the API the chain runner,
the Studio and the UI write and read through).

One SQLAlchemy URL, SQLite by default (a file in the user's data dir) or PostgreSQL for a team.
Every operation is one short transaction on the ``Database`` this ``Store`` owns; the schema is
brought to head when a ``Store`` opens. The API takes explicit fields only, never a settings
object or a dict of headers: a key cannot reach the disk by accident.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from assistant.errors import RunNotFoundError, StoreError
from assistant.settings import Settings
from assistant.store.cache import ResponseCache
from assistant.store.engine import Database
from assistant.store.lease import RunLeases
from assistant.store.migrate import upgrade_schema
from assistant.store.records import STEP_STATUSES, VERSION_KINDS, CachedAnswer, RunRecord, TokenUsage, run_record
from assistant.store.redaction import redact_text, redact_url, refuse_secrets
from assistant.store.schema import MAX_KEY_CHARS, RunRow, StepRow, VersionRow, utc_now

DEFAULT_STALE_AFTER = 5.0  # a live step is checkpointed every second (at most 2)
#: a finished step with text in one of these states gets a 'generated' version
_VERSIONED_STATUSES = frozenset({"done", "truncated", "incomplete"})


class Store:
    """The run history. Thread-safe; open one per process (or share one between threads)."""

    def __init__(self, url: str, *, stale_after: float = DEFAULT_STALE_AFTER) -> None:
        self._stale_after = timedelta(seconds=stale_after)
        self._database = Database(url)
        try:
            upgrade_schema(self._database)
        except BaseException:
            self._database.close()
            raise
        self._cache = ResponseCache(self._database)
        self._leases = RunLeases(self._database, self._stale_after)

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store at ``settings.resolved_database_url`` (a file in the user's data dir by default)."""
        return cls(settings.resolved_database_url)

    def close(self) -> None:
        """Release pooled connections (file handles, PostgreSQL sessions)."""
        self._database.close()

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
        self._database.run(lambda session: session.add(row))
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

        self._database.run(work)

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

        return self._database.run(work, write=False)

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

        return self._database.run(work, write=False)

    def delete_run(self, run_id: str) -> None:
        """Remove the run; its steps and versions go with it (foreign-key cascade)."""

        def work(session: Session) -> None:
            result = session.connection().execute(delete(RunRow).where(RunRow.id == run_id))
            if result.rowcount == 0:
                raise self._not_found(run_id)

        self._database.run(work)

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

        self._database.run(work)

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

        self._database.run(work)

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

        self._database.run(work)

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

        return self._database.run(work)

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

        self._database.run(work)

    # --- response cache ---------------------------------------------------------------

    def cache_get(self, key: str) -> CachedAnswer | None:
        """The stored answer for a request hash, if any."""
        return self._cache.get(key)

    def cache_put(self, key: str, *, provider: str, model: str, text: str, usage: dict[str, Any]) -> None:
        """Store (or replace) the answer for a request hash (sha256 hex of the request)."""
        self._cache.put(key, provider=provider, model=model, text=text, usage=usage)

    # --- one runner per run ------------------------------------------------------------

    def acquire_lease(self, run_id: str, owner: str) -> None:
        """Take the run for one runner; ``RunBusyError`` names a live holder (see :mod:`.lease`)."""
        self._leases.acquire(run_id, owner)

    def renew_lease(self, run_id: str, owner: str) -> bool:
        return self._leases.renew(run_id, owner)

    def release_lease(self, run_id: str, owner: str) -> None:
        self._leases.release(run_id, owner)

    # --- internals --------------------------------------------------------------------

    def _not_found(self, run_id: str) -> RunNotFoundError:
        return RunNotFoundError(
            f"No run {run_id!r} in the history at {self._database.where}; run `playbook history` to list runs."
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
