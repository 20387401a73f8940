"""Review and sign-off records of a document set: appended, never changed (see ``ReviewRow``).

The rules (who may approve what, when a set is a draft again) live with the Studio; the store
keeps what happened, in order, so any state can be recomputed and every decision traced.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.engine import Database
from assistant.store.schema import ReviewRow, RunRow, utc_now

ReviewAction = Literal["submitted", "commented", "changes_requested", "approved"]
REVIEW_ACTIONS: frozenset[str] = frozenset(get_args(ReviewAction))
MAX_COMMENT_CHARS = 4000


class ReviewRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    run_id: str
    at: datetime
    actor: str
    actor_email: str | None
    action: ReviewAction
    step: str | None
    section: str | None
    body: str | None
    versions: dict[str, Any]
    content_hash: str
    policy: dict[str, Any] | None

    @property
    def shown(self) -> str:
        """Who, as files and pages name them: the email, never a local login name."""
        return self.actor_email or ("the local user" if self.actor.startswith("local:") else self.actor)


class ReviewLog:
    """Appends to and reads the review records (one short transaction each)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def add(
        self,
        run_id: str,
        action: str,
        *,
        actor: str,
        actor_email: str | None,
        versions: dict[str, Any],
        content_hash: str,
        step: str | None = None,
        section: str | None = None,
        body: str | None = None,
        policy: dict[str, Any] | None = None,
    ) -> ReviewRecord:
        if action not in REVIEW_ACTIONS:
            raise ValueError(f"unknown review action {action!r}; use one of: {', '.join(sorted(REVIEW_ACTIONS))}")
        row = ReviewRow(
            run_id=run_id, at=utc_now(), actor=actor[:300], actor_email=actor_email, action=action, step=step,
            section=section[:200] if section else None, body=body[:MAX_COMMENT_CHARS] if body else None,
            versions=versions, content_hash=content_hash, policy=policy,
        )

        def work(session: Session) -> ReviewRecord:
            if session.get(RunRow, run_id) is None:
                raise ValueError(f"no run {run_id!r}")
            session.add(row)
            session.flush()
            return ReviewRecord.model_validate(row, from_attributes=True)

        return self._database.run(work)

    def entries(self, run_id: str) -> list[ReviewRecord]:
        """Oldest first."""

        def work(session: Session) -> list[ReviewRecord]:
            query = select(ReviewRow).where(ReviewRow.run_id == run_id).order_by(ReviewRow.at, ReviewRow.id)
            return [ReviewRecord.model_validate(row, from_attributes=True) for row in session.scalars(query)]

        return self._database.run(work, write=False)

    def get(self, review_id: int) -> ReviewRecord | None:
        def work(session: Session) -> ReviewRecord | None:
            row = session.get(ReviewRow, review_id)
            return ReviewRecord.model_validate(row, from_attributes=True) if row is not None else None

        return self._database.run(work, write=False)
