"""Run history: every run, its steps and every version of their text (the API the chain runner,
the Studio and the UI write and read through).

One SQLAlchemy URL, SQLite by default (a file in the user's data dir) or PostgreSQL for a team.
Every operation is one short transaction on the ``Database`` this ``Store`` owns; the schema is
brought to head when a ``Store`` opens. The API takes explicit fields only, never a settings
object or a dict of headers: a key cannot reach the disk by accident.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, selectinload

from assistant.errors import RunNotFoundError, StoreError
from assistant.settings import Settings
from assistant.store.audit import AuditLog
from assistant.store.cache import ResponseCache
from assistant.store.engine import Database
from assistant.store.lease import RunLeases
from assistant.store.migrate import upgrade_schema
from assistant.store.records import STEP_STATUSES, VERSION_KINDS, CachedAnswer, RunRecord, run_record
from assistant.store.redaction import redact_url, refuse_secrets
from assistant.store.reviews import ReviewLog
from assistant.store.schema import MAX_KEY_CHARS, RunRow, StepRow, utc_now
from assistant.store.steps import add_figures, add_version, finish_attempt, start_attempt

DEFAULT_STALE_AFTER = 5.0  # a live step is checkpointed every second (at most 2)


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
        #: who did what, appended only (see :mod:`.audit`)
        self.audit = AuditLog(self._database)
        #: review and sign-off of each document set, appended only (see :mod:`.reviews`)
        self.reviews = ReviewLog(self._database)

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
        title: str | None = None,
        owner: str | None = None,
        owner_email: str | None = None,
    ) -> str:
        """Record a new run, a document set (status ``pending``), and return its id."""
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
            title=title.strip()[:200] if title and title.strip() else None,
            owner=owner,
            owner_email=owner_email,
            status="pending",
            created_at=now,
            updated_at=now,
        )
        self._database.run(lambda session: session.add(row))
        return run_id

    def set_run_status(self, run_id: str, status: str) -> None:
        """Set the status of the run's latest invocation (its figures are summed from its steps)."""
        _check(status, STEP_STATUSES, "run status")
        values: dict[str, Any] = {"status": status, "updated_at": utc_now()}

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

    def list_runs(self, limit: int = 100, *, owner: str | None = None, teams: Collection[str] = ()) -> list[RunRecord]:
        """Newest first, with steps but without versions (``StepRecord.versions`` is ``None``).

        With ``owner``, only that owner's sets and the sets shared with one of ``teams``.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        query = select(RunRow).order_by(RunRow.created_at.desc(), RunRow.id).limit(limit)
        if owner is not None:
            visible = RunRow.owner == owner
            query = query.where(or_(visible, RunRow.shared_with.in_(list(teams))) if teams else visible)

        def work(session: Session) -> list[RunRecord]:
            rows = session.scalars(query.options(selectinload(RunRow.steps))).all()
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
        """Begin an attempt: status ``running``, attempts + 1, heartbeat now; the step's current
        version stays current until a new answer is complete (see :mod:`.steps`)."""
        _check_key(key)

        def work(session: Session) -> None:
            now = self._touch_run(session, run_id)
            start_attempt(self._step(session, run_id, key, create_at=now), prompt=prompt, system=system, now=now)

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
        provider: str | None = None,
        model: str | None = None,
        inputs: dict[str, Any] | None = None,
    ) -> int | None:
        """Record how the attempt ended. A complete answer (done, truncated) becomes the current
        version, made by ``provider``/``model`` from ``inputs``; its number is returned. Anything
        else keeps its text as the step's partial text and leaves the current version alone.
        A step that never started (cancelled or failed before its call) is recorded too.
        """
        _check(status, STEP_STATUSES, "step status")
        _check_key(key)
        attempt = {"status": status, "text": text, "usage": usage, "cost": cost, "timings": timings, "report": report, "error": error}
        made = {"provider": provider, "model": model, "inputs": inputs}

        def work(session: Session) -> int | None:
            now = self._touch_run(session, run_id)
            return finish_attempt(session, self._step(session, run_id, key, create_at=now), attempt, made, now)

        return self._database.run(work)

    def add_version(
        self,
        run_id: str,
        key: str,
        text: str,
        kind: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        usage: dict[str, Any] | None = None,
        cost: float | None = None,
        inputs: dict[str, Any] | None = None,
        report: dict[str, Any] | None = None,
        status: str | None = None,
    ) -> int:
        """Keep a new current version: 'edited' by a person, 'repaired' by the chain (``usage`` and
        ``cost`` are the repair call's, added to the step's totals), 'restored', 'imported'.
        ``status`` is the step's status with this version (a repair can finish a cut-off draft, or
        be cut off itself). Returns the version number (1 for a step's first version); the step is
        created if new.
        """
        _check(kind, VERSION_KINDS, "version kind")
        if status is not None:
            _check(status, STEP_STATUSES, "step status")
        _check_key(key)
        made = {"provider": provider, "model": model, "inputs": inputs}

        def work(session: Session) -> int:
            now = self._touch_run(session, run_id)
            step = self._step(session, run_id, key, create_at=now)
            add_figures(step, usage, cost)
            if status is not None:
                step.status = status
            return add_version(session, step, text, kind, now, made=made, usage=usage, cost=cost, report=report)

        return self._database.run(work)

    def share_run(self, run_id: str, team: str | None) -> None:
        """Share the set with ``team`` (its members may see and change it), or stop sharing (None)."""
        self._update(run_id, {"shared_with": team[:100] if team else None})

    def update_run(
        self, run_id: str, *, title: str | None = None, labels: list[str] | None = None, variables: dict[str, Any] | None = None
    ) -> None:
        """Rename the document set, change its labels, or record the profile its next steps use."""
        values: dict[str, Any] = {}
        if title is not None:
            values["title"] = title.strip()[:200] or None
        if labels is not None:
            values["labels"] = sorted({label.strip()[:40] for label in labels if label.strip()})
        if variables is not None:
            values["variables"] = variables
        self._update(run_id, values)

    def _update(self, run_id: str, values: dict[str, Any]) -> None:
        def work(session: Session) -> None:
            result = session.connection().execute(
                update(RunRow).where(RunRow.id == run_id).values(**values, updated_at=utc_now())
            )
            if result.rowcount == 0:
                raise self._not_found(run_id)

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



def _check(value: str, allowed: frozenset[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; use one of: {', '.join(sorted(allowed))}")


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_CHARS:
        raise ValueError(f"a step key must be 1 to {MAX_KEY_CHARS} characters, e.g. 'runbooks:comms_lead'")
