"""The run history: runs, steps and their versions, and the response cache (SQLAlchemy + Alembic). Never secrets."""

from assistant.store.audit import AuditRecord
from assistant.store.records import CachedAnswer, RunRecord, StepRecord, TokenUsage, VersionRecord
from assistant.store.runs import Store

__all__ = ["AuditRecord", "CachedAnswer", "RunRecord", "StepRecord", "Store", "TokenUsage", "VersionRecord"]
