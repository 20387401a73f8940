"""The run history: runs, steps and their versions, and the response cache (SQLAlchemy + Alembic). Never secrets."""

from assistant.store.runs import CachedAnswer, RunRecord, StepRecord, Store, TokenUsage, VersionRecord

__all__ = ["CachedAnswer", "RunRecord", "StepRecord", "Store", "TokenUsage", "VersionRecord"]
