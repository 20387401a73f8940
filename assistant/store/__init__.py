"""The run history: runs, steps and their versions, and the response cache (SQLAlchemy + Alembic). Never secrets."""

from assistant.store.audit import AuditRecord
from assistant.store.records import CachedAnswer, RunRecord, StepRecord, TokenUsage, VersionRecord
from assistant.store.reviews import REVIEW_ACTIONS, ReviewRecord
from assistant.store.runs import Store

__all__ = [
    "REVIEW_ACTIONS",
    "AuditRecord",
    "CachedAnswer",
    "ReviewRecord",
    "RunRecord",
    "StepRecord",
    "Store",
    "TokenUsage",
    "VersionRecord",
]
