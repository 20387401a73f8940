"""Run a pack's steps as a DAG: concurrently, streaming, validated, repaired, stored.

One runner serves the CLI, the UI, tests and benchmarks. Each step is
render -> stream (with retries) -> validate -> targeted repair -> store, and
every stage is reported as a :class:`ChainEvent`. Steps whose inputs exist run
at once; fan-out parts run in parallel and are joined in manifest order; a
bounded set of slots limits the provider requests in flight. A failing step
stops only the steps that read it. Partial text is checkpointed while it
streams, and a resumed run never re-requests a finished step or part.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from assistant.chain.context import RunnerContext
from assistant.chain.events import ChainEvent, RunOptions, RunResult, RunStore, StepResult
from assistant.chain.history import GuardedHistory
from assistant.chain.parts import join_parts, part_key
from assistant.chain.plan import plan_steps
from assistant.chain.provenance import Provenance
from assistant.chain.repair_rounds import RepairRounds
from assistant.chain.schedule import StepScheduler
from assistant.chain.streaming import RequestStreamer
from assistant.errors import CancelledError, IncompleteAnswerError, PlaybookError, ProviderError
from assistant.packs import Pack, RenderedPrompt, Section, Step, render_step
from assistant.providers.base import Provider, Usage
from assistant.providers.pricing import cost_of
from assistant.providers.tokens import count_tokens
from assistant.validation import ValidationReport, validate_step


#: told of every finished run or repair: (action, run id, cost, steps)
FinishHook = Callable[[str, str | None, float | None, list[str]], None]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class ChainRunner:
    """Runs steps of one pack for one set of variables on one provider."""

    def __init__(
        self,
        pack: Pack,
        provider: Provider,
        *,
        model: str,
        variables: Mapping[str, str | list[str]],
        options: RunOptions | None = None,
        store: RunStore | None = None,
        system_pack: Pack | None = None,
        base_url: str | None = None,
        cancel: threading.Event | None = None,
        sleep: Callable[[float], None] | None = None,
        owner: tuple[str, str | None] | None = None,
        on_finish: FinishHook | None = None,
    ) -> None:
        self.pack = pack
        self.provider = provider
        self.model = model
        self.variables = dict(variables)
        self.options = options or RunOptions()
        self.store = store
        #: what steps write through while they run (a failed write never loses the text)
        self._history = GuardedHistory(store) if store is not None else None
        self.system_pack = system_pack
        self.base_url = base_url
        self.cancel = cancel or threading.Event()
        #: who a new run belongs to (owner key, email), and who hears about every finished run or repair
        self._owner = owner
        self._on_finish = on_finish
        #: this runner's name on the run's lease: machine, process and runner
        self._lease_owner = f"{socket.gethostname()[:120]} pid {os.getpid()} runner {uuid.uuid4().hex[:8]}"
        self._event_lock = threading.Lock()
        self._on_event: Callable[[ChainEvent], None] = lambda event: None
        self._provenance = Provenance(provider.name, model)
        context = RunnerContext(
            pack=pack, provider=provider, model=model, variables=self.variables, options=self.options, store=self._history,
            cancel=self.cancel, emit=self._emit, provenance=self._provenance,
        )
        self._scheduler = StepScheduler(context)
        self._requests = RequestStreamer(context, self._scheduler, sleep)
        self._repairs = RepairRounds(context, self._requests)

    def plan(self, steps: list[str] | None, available: Mapping[str, str]) -> list[Step]:
        """The steps to run, in manifest order; every input must be requested or available."""
        return plan_steps(self.pack, steps, available)

    # --- running --------------------------------------------------------------------

    def run(
        self,
        steps: list[str] | None = None,
        *,
        outputs: Mapping[str, str] | None = None,
        run_id: str | None = None,
        on_event: Callable[[ChainEvent], None] | None = None,
        fresh: Collection[str] = (),
    ) -> RunResult:
        """Run ``steps`` (default: every non-optional step) and return what happened.

        ``outputs`` supplies texts for steps done elsewhere; with ``run_id`` and a store the run
        is a document set: its finished steps and parts are reused and never requested again
        (except the ``fresh`` ones, which get a new version), its current versions are the inputs
        of later steps, and this runner's variables become the set's profile.
        """
        started = time.monotonic()
        started_at = _now()
        if on_event is not None:
            self._on_event = on_event
        available = dict(outputs or {})
        previous, finished_parts = self._finished_earlier(run_id, available, set(fresh))
        plan = self.plan(steps, available)
        run_id = self._open_run(plan, run_id)
        try:
            results: dict[str, StepResult] = {}
            for step in plan:
                if step.id in previous:
                    record = previous[step.id]
                    results[step.id] = StepResult(
                        step=step.id, status="done", text=record.text, report=_report(record), version=self._provenance.version(step.id)
                    )
            pending = [s for s in plan if s.id not in results]
            for step in pending:  # a step being written now is read only once its new version exists
                available.pop(step.id, None)
            with self._requests.checkpoints(run_id, self._lease_owner if run_id else None):
                self._scheduler.run(
                    pending, available, finished_parts, results,
                    lambda step, inputs: self._run_step(step, inputs, finished_parts, run_id),
                )
            result = self._close_run(plan, results, run_id, started, started_at)
            if self._on_finish is not None:
                self._on_finish("ran", run_id, result.cost, [s.id for s in plan if s.id not in previous])
            return result
        finally:
            if self._history is not None and run_id is not None:
                self._history.release_lease(run_id, self._lease_owner)

    def _finished_earlier(
        self, run_id: str | None, available: dict[str, str], fresh: set[str]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """What the document set already has: every step's current version is ``available`` to the
        steps that read it; done steps and parts (unless ``fresh``) are reused, not requested."""
        finished_parts: dict[str, str] = {}
        previous: dict[str, Any] = {}
        if run_id is None or self.store is None:
            return previous, finished_parts
        for step_record in self.store.get_run(run_id).steps:
            step_id, _, part = step_record.key.partition(":")
            if not part and step_record.current is not None:
                available.setdefault(step_id, step_record.text)
                self._provenance.note(step_id, step_record.current.number)
            if step_id in fresh or not step_record.finished:
                continue
            previous[step_record.key] = step_record
            if part:
                finished_parts[step_record.key] = step_record.text
        return previous, finished_parts

    def _open_run(self, plan: list[Step], run_id: str | None) -> str | None:
        """Record a new run (unless resuming one) and mark it running."""
        if self._history is not None:
            self._history.reset()
        if self.store is not None and run_id is None:
            run_id = self.store.create_run(
                pack=self.pack.name,
                variables=self.variables,
                provider=self.provider.name,
                model=self.model,
                base_url=self.base_url,
                options={
                    "steps": [s.id for s in plan],
                    "concurrency": self.options.concurrency,
                    "system_pack": self.system_pack.name if self.system_pack else None,
                    "max_tokens": self.options.max_tokens,
                },
                owner=self._owner[0] if self._owner else None,
                owner_email=self._owner[1] if self._owner else None,
            )
        if self.store is not None and run_id is not None:
            self.store.acquire_lease(run_id, self._lease_owner)  # before any request: one runner per run
            self.store.update_run(run_id, variables=self.variables)  # the set's profile is what its next steps read
            self.store.set_run_status(run_id, "running")
        return run_id

    def _close_run(
        self, plan: list[Step], results: dict[str, StepResult], run_id: str | None, started: float, started_at: str
    ) -> RunResult:
        """Add up usage and cost, settle the run's status and record it."""
        total = Usage()
        costs = []
        for result in results.values():
            total = total + result.usage + result.repair_usage
            costs.append(result.cost)
        statuses = {r.status for r in results.values()}
        status = (
            "cancelled"
            if "cancelled" in statuses
            else "failed"
            if statuses & {"failed", "skipped", "incomplete"}
            else "incomplete"
            if "truncated" in statuses
            else "done"
        )
        cost = None if any(c is None for c in costs) else round(sum(c for c in costs if c is not None), 6)
        history_error = self._history.failure if self._history is not None else None
        if self._history is not None and run_id is not None:
            self._history.set_run_status(run_id, "failed" if history_error else status)
        return RunResult(
            run_id=run_id,
            pack=self.pack.name,
            provider=self.provider.name,
            model=self.model,
            status=status,
            steps={s.id: results[s.id] for s in plan if s.id in results},
            usage=total,
            cost=cost,
            started_at=started_at,
            finished_at=_now(),
            elapsed=time.monotonic() - started,
            history_error=history_error,
        )

    def _emit(self, event: ChainEvent) -> None:
        with self._event_lock:
            self._on_event(event)

    def _run_step(
        self, step: Step, inputs: dict[str, str], finished_parts: dict[str, str], run_id: str | None
    ) -> StepResult:
        started = time.monotonic()
        result = StepResult(step=step.id, status="running", timings={"started_at": _now()})
        self._emit(ChainEvent(kind="started", step=step.id))
        try:
            if step.fan_out:
                text, final_reason, prompts = self._run_parts(step, inputs, finished_parts, result, run_id)
            else:
                prompt = render_step(self.pack, step, self.variables, inputs, system_pack=self.system_pack)
                prompts = [prompt]
                text, final_reason = self._requests.request(step, None, prompt, result, run_id, key=step.id)
        except (ProviderError, CancelledError) as exc:
            partial = exc.partial_text
            if isinstance(exc, CancelledError):
                result.status = "cancelled"
            else:
                result.status = "incomplete" if isinstance(exc, IncompleteAnswerError) else "failed"
            result.text = partial
            result.error = exc.message
            result.timings["elapsed"] = time.monotonic() - started
            result.cost = cost_of(self.model, result.usage)
            if self._history is not None and run_id is not None:
                self._history.finish_step(
                    run_id, step.id, status=result.status, text=partial, usage=result.usage.model_dump(),
                    cost=result.cost, timings=result.timings, error=exc.message,
                )
            result.version = self._provenance.version(step.id)
            self._emit(ChainEvent(kind="failed", step=step.id, message=exc.message, text=partial))
            return result
        except PlaybookError as exc:
            result.status = "failed"
            result.error = exc.message
            self._emit(ChainEvent(kind="failed", step=step.id, message=exc.message))
            return result

        made = self._provenance.made(self.pack, step, self.variables)
        result.regeneration_tokens = sum(count_tokens(p.text, self.model) for p in prompts) + count_tokens(text, self.model)
        result.text = text
        result.status = "truncated" if final_reason == "length" else "done"
        report = validate_step(text, self.pack, step.id, known_truncated=final_reason == "length")
        result.report = report
        result.cost = cost_of(self.model, result.usage)
        result.timings["elapsed"] = time.monotonic() - started
        self._emit(ChainEvent(kind="finished", step=step.id, usage=result.usage, elapsed=result.timings["elapsed"] or 0.0))
        self._emit(ChainEvent(kind="validated", step=step.id, report=report))
        if self._history is not None and run_id is not None:
            if step.fan_out:
                self._history.start_step(run_id, step.id, prompt="\n\n---\n\n".join(p.user for p in prompts), system=prompts[0].system)
            version = self._history.finish_step(
                run_id, step.id, status=result.status, text=text, usage=result.usage.model_dump(), cost=result.cost,
                timings=result.timings, report=report.model_dump(mode="json"), **made,
            )
            self._provenance.note(step.id, version)
        self._repairs.run(step, result, run_id, system=prompts[0].system)
        result.version = self._provenance.version(step.id)
        result.cost = cost_of(self.model, result.usage + result.repair_usage)
        result.timings["finished_at"] = _now()
        result.timings["elapsed"] = time.monotonic() - started
        return result

    def _run_parts(
        self, step: Step, inputs: dict[str, str], finished_parts: dict[str, str], result: StepResult, run_id: str | None
    ) -> tuple[str, str, list[RenderedPrompt]]:
        parts = self.pack.fan_out_parts[step.id]
        prompts = [render_step(self.pack, step, self.variables, inputs, part=p, system_pack=self.system_pack) for p in parts]
        texts: dict[str, str] = {}
        reasons: dict[str, str] = {}
        errors: list[ProviderError | CancelledError] = []

        def one(part: Section, prompt: RenderedPrompt) -> None:
            key = part_key(step.id, part.id)
            if key in finished_parts:
                texts[part.id] = finished_parts[key]
                reasons[part.id] = "stop"
                result.parts[part.id] = "done"
                return
            try:
                texts[part.id], reasons[part.id] = self._requests.request(step, part, prompt, result, run_id, key=key)
                result.parts[part.id] = "truncated" if reasons[part.id] == "length" else "done"
                self._emit(ChainEvent(kind="part_finished", step=step.id, part=part.id, text=texts[part.id]))
            except (ProviderError, CancelledError) as exc:
                texts[part.id] = exc.partial_text
                result.parts[part.id] = "cancelled" if isinstance(exc, CancelledError) else "failed"
                errors.append(exc)

        with ThreadPoolExecutor(max_workers=len(parts), thread_name_prefix=f"{step.id}-part") as pool:
            list(pool.map(one, parts, prompts))
        joined = join_parts(parts, texts)
        if errors:
            first = errors[0]
            first.partial_text = joined
            raise first
        reason = "length" if "length" in reasons.values() else "stop"
        return joined, reason, prompts

    # --- repair ---------------------------------------------------------------------

    def repair(
        self,
        step_id: str,
        text: str,
        *,
        inputs: Mapping[str, str] | None = None,
        run_id: str | None = None,
        on_event: Callable[[ChainEvent], None] | None = None,
    ) -> StepResult:
        """Repair a draft (e.g. one edited in the UI): request only its missing sections and points.

        ``inputs`` are the outputs of the steps it reads (only used to build
        the same system prompt the step ran with).
        """
        if on_event is not None:
            self._on_event = on_event
        step = self.pack.step(step_id)
        report = validate_step(text, self.pack, step.id)
        result = StepResult(step=step.id, status="done", text=text, report=report)
        needed = {n: (inputs or {}).get(n) or "(see the draft)" for n in step.needs}
        part = self.pack.fan_out_parts.get(step.id, [None])[0]
        system = render_step(self.pack, step, self.variables, needed, part=part, system_pack=self.system_pack).system
        self._repairs.run(step, result, run_id, system=system, rounds=max(self.options.max_repair_rounds, 1))
        result.cost = cost_of(self.model, result.repair_usage)
        if self._on_finish is not None and result.repair_usage.output_tokens:
            self._on_finish("repaired", run_id, result.cost, [step.id])
        return result


    def draft_sections(
        self,
        step_id: str,
        prompt: str,
        plan: Mapping[str, list[str]],
        *,
        on_event: Callable[[ChainEvent], None] | None = None,
    ) -> tuple[str, StepResult]:
        """One request for the sections a person's own document lacks (``plan``, as a repair's); the
        answer comes back unmerged, so the caller can put it in without touching their text."""
        if on_event is not None:
            self._on_event = on_event
        step = self.pack.step(step_id)
        result = StepResult(step=step.id, status="done", text="")
        addition, finish = self._requests.request(
            step, None, RenderedPrompt(user=prompt, system=None), result, None, key=step.id, sections=plan, repair=True
        )
        result.text = addition
        result.status = "truncated" if finish == "length" else "done"
        result.cost = cost_of(self.model, result.repair_usage)
        if self._on_finish is not None and result.repair_usage.output_tokens:
            self._on_finish("drafted", None, result.cost, [step.id])
        return addition, result


def _report(record: Any) -> ValidationReport | None:
    raw = getattr(record, "report", None)
    return ValidationReport.model_validate(raw) if raw else None
