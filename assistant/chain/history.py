"""The history as a run writes it: a failed write is remembered, never allowed to lose the text.

A full disk or a database that went read-only mid-run must not throw away an answer that has
already been paid for. While steps run, every history write goes through :class:`GuardedHistory`:
the first failure is kept (the caller then writes the drafts somewhere else and says where),
later writes are still tried, and the run goes on with its text in memory. Writes before the
first request (creating the run, taking its lease) are not guarded: failing there loses nothing.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from assistant.chain.events import RunStore
from assistant.errors import RunBusyError, StoreError

logger = logging.getLogger(__name__)


class GuardedHistory:
    """A ``RunStore`` whose writes report failure instead of raising (reads of the cache miss)."""

    def __init__(self, store: RunStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self.failure: str | None = None

    def reset(self) -> None:
        with self._lock:
            self.failure = None

    def _guard(self, what: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except RunBusyError:
            raise
        except (StoreError, OSError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            logger.debug("the history could not %s: %s", what, message)
            with self._lock:
                self.failure = self.failure or message
            return None

    # --- the RunStore protocol ------------------------------------------------------------

    def create_run(self, **fields: Any) -> str:
        return self.store.create_run(**fields)

    def acquire_lease(self, run_id: str, owner: str) -> None:
        self.store.acquire_lease(run_id, owner)

    def get_run(self, run_id: str) -> Any:
        return self.store.get_run(run_id)

    def renew_lease(self, run_id: str, owner: str) -> bool:
        return bool(self._guard("renew the run's lease", self.store.renew_lease, run_id, owner))

    def release_lease(self, run_id: str, owner: str) -> None:
        self._guard("release the run's lease", self.store.release_lease, run_id, owner)

    def start_step(self, run_id: str, key: str, **fields: Any) -> None:
        self._guard(f"record {key}", self.store.start_step, run_id, key, **fields)

    def checkpoint(self, run_id: str, key: str, partial_text: str) -> None:
        self._guard(f"checkpoint {key}", self.store.checkpoint, run_id, key, partial_text)

    def update_run(self, run_id: str, **fields: Any) -> None:
        self.store.update_run(run_id, **fields)

    def finish_step(self, run_id: str, key: str, **fields: Any) -> int | None:
        return self._guard(f"save {key}", self.store.finish_step, run_id, key, **fields)

    def add_version(self, run_id: str, key: str, text: str, kind: str, **made: Any) -> int | None:
        return self._guard(f"save a version of {key}", self.store.add_version, run_id, key, text, kind, **made)

    def set_run_status(self, run_id: str, status: str) -> None:
        self._guard("save the run's status", self.store.set_run_status, run_id, status)

    def cache_get(self, key: str) -> Any:
        """A cached answer, or None (also when the cache cannot be read: the request is then made)."""
        try:
            return self.store.cache_get(key)
        except (StoreError, OSError):
            return None

    def cache_put(self, key: str, **fields: Any) -> None:
        self._guard("save to the answer cache", self.store.cache_put, key, **fields)
