"""Provider requests in flight, bounded and served critical path first.

Ranking by the work still downstream means the steps others wait for
(runbooks, which training reads) go before side branches nobody reads.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.errors import CancelledError
from assistant.packs import Pack


class RequestSlots:
    """At most ``size`` provider requests at once, served by priority.

    The priority is the work still downstream of the request's step, so the
    critical path (e.g. runbooks, which training waits for) is served before
    side branches (refinements nobody reads). Steps announce the requests
    they are about to make (:meth:`expect`), so a burst of newly ready steps
    is ordered by priority rather than by which thread happened to arrive
    first. Waiting gives up on Stop.
    """

    def __init__(self, size: int, cancel: threading.Event) -> None:
        self._free = size
        self._waiting: list[tuple[float, int]] = []
        self._expected: dict[str, tuple[float, int]] = {}
        self._tickets = itertools.count()
        self._condition = threading.Condition()
        self._cancel = cancel

    def expect(self, step: str, priority: float, count: int) -> None:
        """``step`` will soon ask for ``count`` slots; hold lower priorities back until it does."""
        if count < 1:
            return
        with self._condition:
            self._expected[step] = (priority, count)

    def forget(self, step: str) -> None:
        """The step needs no more slots than it took (it ended, or its parts were already done)."""
        with self._condition:
            self._expected.pop(step, None)
            self._condition.notify_all()

    def _admissible(self, ticket: tuple[float, int]) -> bool:
        if self._free == 0 or self._waiting[0] != ticket:
            return False
        announced = max((priority for priority, _ in self._expected.values()), default=float("-inf"))
        return -ticket[0] >= announced

    @contextmanager
    def slot(self, step: str, priority: float) -> Iterator[None]:
        ticket = (-priority, next(self._tickets))
        with self._condition:
            heapq.heappush(self._waiting, ticket)
            if step in self._expected:  # this request is one the step announced
                _, count = self._expected[step]
                if count <= 1:
                    del self._expected[step]
                else:
                    self._expected[step] = (priority, count - 1)
            try:
                while not self._admissible(ticket):
                    if self._cancel.is_set():
                        raise CancelledError()
                    self._condition.wait(timeout=0.05)
            finally:
                self._waiting.remove(ticket)
                heapq.heapify(self._waiting)
                self._condition.notify_all()
            self._free -= 1
        try:
            yield
        finally:
            with self._condition:
                self._free += 1
                self._condition.notify_all()


def downstream_work(pack: Pack) -> dict[str, float]:
    """For each step, the expected tokens on the longest path from it to the end of the DAG."""
    work: dict[str, float] = {}
    for step in reversed(pack.steps):
        dependants = [s for s in pack.steps if step.id in s.needs]
        work[step.id] = step.expected_tokens + max((work[d.id] for d in dependants), default=0.0)
    return work
