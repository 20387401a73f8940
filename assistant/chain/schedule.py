"""Steps as a DAG: each starts once its inputs exist, and its requests queue by downstream work.

Steps whose inputs exist run at once; a failing step stops only the steps
that read it; Stop cancels the steps not started yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager

from assistant.chain.context import RunnerContext
from assistant.chain.events import USABLE, ChainEvent, StepResult
from assistant.chain.parts import part_key
from assistant.chain.slots import RequestSlots, downstream_work
from assistant.packs import Step

#: runs one ready step with the outputs it reads
StepRun = Callable[[Step, dict[str, str]], StepResult]


class StepScheduler:
    """Starts ready steps on worker threads and lines their requests up for the request slots.

    A step announces the requests it is about to make, and a step's last
    request announces the steps waiting only for it, so a freed slot goes to
    the critical path rather than to whichever side branch asks first.
    """

    def __init__(self, context: RunnerContext) -> None:
        self._pack = context.pack
        self._cancel = context.cancel
        self._emit = context.emit
        self._slots = RequestSlots(context.options.concurrency, context.cancel)
        self._priority = downstream_work(context.pack)
        self._lock = threading.Lock()
        self._outstanding: dict[str, int] = {}
        self._not_started: set[str] = set()
        self._usable: set[str] = set()

    def slot(self, step_id: str) -> AbstractContextManager[None]:
        """Hold one of the request slots, queued by the step's downstream work."""
        return self._slots.slot(step_id, self._priority.get(step_id, 0.0))

    def run(
        self,
        pending: list[Step],
        available: dict[str, str],
        finished_parts: dict[str, str],
        results: dict[str, StepResult],
        run_step: StepRun,
    ) -> None:
        """Run ``pending`` as their inputs become ``available``, putting each outcome in ``results``."""
        blocked: set[str] = set()
        with self._lock:
            self._not_started = {s.id for s in pending}
            self._usable = set(available)
        with ThreadPoolExecutor(max_workers=max(1, len(pending)), thread_name_prefix="step") as pool:
            running: dict[Future[StepResult], Step] = {}
            while pending or running:
                for step in list(pending):
                    if self._cancel.is_set():
                        pending.remove(step)
                        self._slots.forget(step.id)
                        results[step.id] = StepResult(step=step.id, status="cancelled", error="Stopped before it started.")
                    elif any(n in blocked for n in step.needs):
                        pending.remove(step)
                        self._slots.forget(step.id)
                        blocked.add(step.id)
                        reason = ", ".join(n for n in step.needs if n in blocked)
                        results[step.id] = StepResult(
                            step=step.id, status="skipped", error=f"Not run: it reads {reason}, which did not finish."
                        )
                        self._emit(ChainEvent(kind="skipped", step=step.id, message=results[step.id].error or ""))
                    elif all(available.get(n) for n in step.needs):
                        pending.remove(step)
                        with self._lock:
                            self._not_started.discard(step.id)
                        inputs = {n: available[n] for n in step.needs}
                        self._slots.expect(step.id, self._priority.get(step.id, 0.0), self._requests_left(step, finished_parts))
                        running[pool.submit(self._run_step, step, inputs, finished_parts, run_step)] = step
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    step = running.pop(future)
                    result = future.result()
                    results[step.id] = result
                    if result.status in USABLE:
                        available[step.id] = result.text
                        with self._lock:
                            self._usable.add(step.id)
                    else:
                        blocked.add(step.id)

    def _run_step(self, step: Step, inputs: dict[str, str], finished_parts: dict[str, str], run_step: StepRun) -> StepResult:
        try:
            with self._lock:
                self._outstanding[step.id] = self._requests_left(step, finished_parts)
            return run_step(step, inputs)
        finally:
            self._slots.forget(step.id)

    def _requests_left(self, step: Step, finished_parts: Mapping[str, str]) -> int:
        """Requests a step will still make: one, or one per fan-out part not finished earlier."""
        parts = self._pack.fan_out_parts.get(step.id, [])
        return sum(1 for p in parts if part_key(step.id, p.id) not in finished_parts) if parts else 1

    def request_done(self, step_id: str) -> None:
        """Called while the request still holds its slot: when it is the step's last one,
        the steps waiting only for this one will request next, so announce them now and the
        slot about to be freed is not taken by a lower-priority side branch."""
        with self._lock:
            self._outstanding[step_id] = self._outstanding.get(step_id, 1) - 1
            if self._outstanding[step_id] > 0:
                return
            for dependant in self._pack.steps:
                if dependant.id in self._not_started and step_id in dependant.needs and all(
                    n == step_id or n in self._usable for n in dependant.needs
                ):
                    parts = len(self._pack.fan_out_parts.get(dependant.id, [])) or 1
                    self._slots.expect(dependant.id, self._priority.get(dependant.id, 0.0), parts)
