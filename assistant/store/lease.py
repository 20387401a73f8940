"""One runner per run: a lease on the run's row, taken and renewed by conditional updates.

Two processes resuming the same run would both stream, both bill the provider and both store
a version. The runner therefore takes the run's lease before its first request: one UPDATE that
succeeds only when the lease is free, already its own, or stale (not renewed within the
staleness window, because its holder died). The UPDATE is atomic on SQLite and PostgreSQL alike,
so exactly one of two racing runners gets it; the other is refused with who holds it and when
it goes stale. The holder renews it with every checkpoint and releases it when the run ends.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from assistant.errors import RunBusyError, RunNotFoundError
from assistant.store.engine import Database
from assistant.store.schema import RunRow, utc_now


class RunLeases:
    """Leases on runs, in the history database."""

    def __init__(self, database: Database, stale_after: timedelta) -> None:
        self._database = database
        self._stale_after = stale_after

    def acquire(self, run_id: str, owner: str) -> None:
        """Take the run's lease, or raise ``RunBusyError`` naming its live holder."""
        if not self._take(run_id, owner, renew_only=False):
            self._refuse(run_id)

    def renew(self, run_id: str, owner: str) -> bool:
        """Extend a lease this owner holds; False when it was lost (taken over after going stale)."""
        return self._take(run_id, owner, renew_only=True)

    def release(self, run_id: str, owner: str) -> None:
        def work(session: Session) -> None:
            session.connection().execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.lease_owner == owner)
                .values(lease_owner=None, lease_expires_at=None)
            )

        self._database.run(work)

    def _take(self, run_id: str, owner: str, *, renew_only: bool) -> bool:
        now = utc_now()
        free = or_(RunRow.lease_owner.is_(None), RunRow.lease_owner == owner, RunRow.lease_expires_at < now)
        condition = RunRow.lease_owner == owner if renew_only else free

        def work(session: Session) -> bool:
            result = session.connection().execute(
                update(RunRow)
                .where(RunRow.id == run_id, condition)
                .values(lease_owner=owner, lease_expires_at=now + self._stale_after)
            )
            return result.rowcount == 1

        return self._database.run(work)

    def _refuse(self, run_id: str) -> None:
        def work(session: Session) -> tuple[str | None, object] | None:
            row = session.execute(
                select(RunRow.lease_owner, RunRow.lease_expires_at).where(RunRow.id == run_id)
            ).one_or_none()
            return None if row is None else (row[0], row[1])

        holder = self._database.run(work, write=False)
        if holder is None:
            raise RunNotFoundError(f"No run {run_id!r} in the history; run `playbook history` to list runs.")
        owner, expires = holder
        seconds = max(0.0, (expires - utc_now()).total_seconds()) if expires else 0.0
        when = expires.strftime("%H:%M:%S UTC") if expires else "soon"
        raise RunBusyError(
            f"Run {run_id} is being run by {owner}; it is refused here so the provider is not called twice. "
            f"Wait for that run to finish, or resume after {when} (in {seconds:.0f} s) if its process has died."
        )
