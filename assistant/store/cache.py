"""The response cache: a model's answer kept under the sha256 of the request that produced it,
so an identical request is answered from the history instead of being billed again.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from assistant.store.engine import Database
from assistant.store.records import CachedAnswer, TokenUsage
from assistant.store.schema import CacheRow, utc_now

_CACHE_KEY = re.compile(r"^[0-9a-f]{64}$")


class ResponseCache:
    """Answers by request hash, in the history database (one transaction per call)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def get(self, key: str) -> CachedAnswer | None:
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

        return self._database.run(work, write=False)

    def put(self, key: str, *, provider: str, model: str, text: str, usage: dict[str, Any]) -> None:
        """Store (or replace) the answer for a request hash (sha256 hex of the request)."""
        if not _CACHE_KEY.match(key):
            raise ValueError("a cache key is a lower-case sha256 hex digest (64 characters)")
        usage_json = TokenUsage.model_validate(usage).model_dump()

        def work(session: Session) -> None:
            row = session.get(CacheRow, key) or CacheRow(key=key)
            row.provider, row.model, row.text, row.usage = provider, model, text, usage_json
            row.created_at = utc_now()
            session.add(row)

        self._database.run(work)
