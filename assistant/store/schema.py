"""The tables of the run history, as SQLAlchemy rows; the first revision in ``migrations/`` must
create exactly these, and every later change to them is a new revision.

The column types live here too, because each one exists to make a backend store what the rows
promise: aware UTC datetimes on SQLite, and text without the NUL characters PostgreSQL refuses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

MAX_KEY_CHARS = 255


def utc_now() -> datetime:
    """The one clock every row is stamped with (aware, UTC)."""
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


# --- tables ------------------------------------------------------------------------------


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
    #: the document set's name and labels, as the user gives them (0003)
    title: Mapped[str | None] = mapped_column(String(200))
    labels: Mapped[list[str] | None] = mapped_column(JSON)
    #: who owns the set (issuer|subject of a signed-in user, or local:NAME) and the team it is shared with (0004)
    owner: Mapped[str | None] = mapped_column(String(300))
    owner_email: Mapped[str | None] = mapped_column(String(320))
    shared_with: Mapped[str | None] = mapped_column(String(100))
    #: who is running the run now (host, process, runner) and until when, unless renewed (0002)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    steps: Mapped[list[StepRow]] = relationship(order_by="StepRow.id", lazy="raise", passive_deletes=True)

    __table_args__ = (Index("ix_runs_created_at", "created_at"), Index("ix_runs_owner", "owner"))


class StepRow(Base):
    """One step or fan-out part; the surrogate ``id`` gives creation order on every backend."""

    __tablename__ = "steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(32), ForeignKey("runs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_CHARS))
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
    #: how this version was made (0003): by which provider and model, for what, from which inputs
    provider: Mapped[str | None] = mapped_column(String(50))
    model: Mapped[str | None] = mapped_column(String(200))
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    usage_estimated: Mapped[bool | None] = mapped_column(Boolean)
    cost: Mapped[float | None] = mapped_column(Float)
    #: {"steps": {step: version number read}, "variables": {name: value read}}
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("step_id", "number", name="uq_step_versions_step_id_number"),)


class CacheRow(Base):
    __tablename__ = "response_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(CleanText)
    usage: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """Who did what to which document set, when: appended, never changed (0004)."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(300))
    actor_email: Mapped[str | None] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(40))
    run_id: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(MAX_KEY_CHARS))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: what the action cost with the server's keys (a run, a repair), for daily budgets
    cost: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_audit_at", "at"), Index("ix_audit_actor_at", "actor", "at"))


class ReviewRow(Base):
    """A review step on a document set: submitted, commented, changes requested, approved (0005).

    Appended, never changed. An approval pins the versions it approved, their content hash and
    the policy they state, so an approved set stays what was approved whatever is edited later.
    """

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(32), ForeignKey("runs.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(300))
    actor_email: Mapped[str | None] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(40))
    #: what a comment is about: a step and, within it, a section (None: the whole set)
    step: Mapped[str | None] = mapped_column(String(MAX_KEY_CHARS))
    section: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(CleanText)
    #: {step: version number} the action was about, and the hash of their text and the profile
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: the policy the approved set states (approvals only)
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_reviews_run_id_at", "run_id", "at"),)
