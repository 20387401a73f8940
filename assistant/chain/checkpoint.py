"""Partial text saved while it streams, so a crash or a closed tab loses only seconds."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from assistant.chain.events import RunStore

logger = logging.getLogger(__name__)


class Checkpointer:
    """Saves the partial text of every streaming request every ``interval`` seconds.

    It runs on its own thread, so the saved text and the heartbeat stay fresh
    while a stream stalls or a retry waits: a killed process or a closed tab
    loses at most one interval of text, and a live step never reads as
    interrupted.
    """

    def __init__(self, store: RunStore | None, run_id: str | None, interval: float, lease_owner: str | None = None) -> None:
        self._store = store
        self._run_id = run_id
        self._lease_owner = lease_owner
        self._interval = interval
        self._watched: dict[str, Callable[[], str]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Checkpointer:
        if self._store is not None and self._run_id is not None:
            self._thread = threading.Thread(target=self._loop, name="checkpoints", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def watch(self, key: str, text: Callable[[], str]) -> None:
        with self._lock:
            self._watched[key] = text

    def unwatch(self, key: str) -> None:
        with self._lock:
            self._watched.pop(key, None)

    def _loop(self) -> None:
        assert self._store is not None and self._run_id is not None
        while not self._stop.wait(self._interval):
            self._renew_lease()
            with self._lock:
                watched = list(self._watched.items())
            for key, text in watched:
                try:
                    self._store.checkpoint(self._run_id, key, text())
                except Exception as exc:  # a full disk must not kill the stream; the next save retries
                    logger.warning("could not checkpoint %s: %s", key, exc)

    def _renew_lease(self) -> None:
        """Keep the run's lease fresh while the run lives (it goes stale only if this process dies)."""
        if self._lease_owner is None:
            return
        try:
            if not self._store.renew_lease(self._run_id, self._lease_owner):  # type: ignore[union-attr]
                logger.warning("the lease on run %s was taken over by another runner", self._run_id)
        except Exception as exc:  # the next beat retries, as with checkpoints
            logger.warning("could not renew the lease on run %s: %s", self._run_id, exc)
