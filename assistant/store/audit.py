"""The audit trail: who created, ran, edited, repaired, exported, shared, reviewed, approved,
published and deleted what, and when.

Rows are appended and never changed or removed (deleting a document set leaves its trail), so an
admin can always answer "who did this". A run's cost with the server's keys is kept with its
entry, which is also how a person's spending today is known for the daily budget.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.store.engine import Database
from assistant.store.schema import AuditRow, utc_now

ACTIONS = frozenset(
    {"created", "ran", "repaired", "edited", "restored", "imported", "calibrated", "renamed", "shared", "unshared",
     "exported", "deleted", "signed_in", "submitted", "commented", "changes_requested", "approved", "published"}
)


class AuditRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    at: datetime
    actor: str
    actor_email: str | None
    action: str
    run_id: str | None
    step: str | None
    detail: dict[str, Any] | None
    cost: float | None


class AuditLog:
    """Appends to and reads the audit trail (one short transaction each)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def record(
        self,
        actor: str,
        action: str,
        *,
        actor_email: str | None = None,
        run_id: str | None = None,
        step: str | None = None,
        detail: dict[str, Any] | None = None,
        cost: float | None = None,
    ) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; use one of: {', '.join(sorted(ACTIONS))}")
        row = AuditRow(
            at=utc_now(), actor=actor[:300], actor_email=actor_email, action=action, run_id=run_id, step=step,
            detail=detail, cost=cost,
        )
        self._database.run(lambda session: session.add(row))

    def entries(
        self, limit: int = 200, *, actor: str | None = None, run_id: str | None = None, action: str | None = None
    ) -> list[AuditRecord]:
        """Newest first."""

        def work(session: Session) -> list[AuditRecord]:
            query = select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
            if actor is not None:
                query = query.where(AuditRow.actor == actor)
            if run_id is not None:
                query = query.where(AuditRow.run_id == run_id)
            if action is not None:
                query = query.where(AuditRow.action == action)
            return [AuditRecord.model_validate(row, from_attributes=True) for row in session.scalars(query)]

        return self._database.run(work, write=False)

    def spent_since(self, actor: str, since: datetime) -> float:
        """What ``actor``'s runs and repairs have cost since ``since``."""

        def work(session: Session) -> float:
            total = session.scalar(select(func.sum(AuditRow.cost)).where(AuditRow.actor == actor, AuditRow.at >= since))
            return float(total or 0.0)

        return self._database.run(work, write=False)
