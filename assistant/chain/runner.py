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

import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Any

from assistant.chain.checkpoint import Checkpointer
from assistant.chain.events import USABLE, ChainEvent, RunOptions, RunResult, RunStore, StepResult
from assistant.chain.parts import join_parts, part_key
from assistant.chain.plan import plan_steps
from assistant.chain.retry import retry_delay
from assistant.chain.slots import RequestSlots, downstream_work
from assistant.errors import CancelledError, IncompleteAnswerError, PlaybookError, ProviderError
from assistant.packs import Pack, RenderedPrompt, Section, Step, render_step
from assistant.providers.base import CompletionRequest, DraftTask, Final, Provider, TextDelta, Usage
from assistant.providers.pricing import cost_of
from assistant.providers.tokens import count_tokens
from assistant.validation import ValidationReport, build_repair_prompt, merge_repair, validate_step


def cache_key(provider: str, model: str, request: CompletionRequest) -> str:
    payload = json.dumps(
        [provider, model, request.system, request.prompt, request.max_tokens, request.temperature], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class _Attempt:
    """One streamed answer, collected while events go out."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.first_token: float | None = None

    @property
    def text(self) -> str:
        return "".join(self.chunks)


class _Progress:
    """The text of one request across retries: the current attempt and the longest partial so far."""

    def __init__(self) -> None:
        self.current = _Attempt()
        self.attempts = 0
        self._longest = ""

    def start_attempt(self) -> None:
        self.keep(self.current.text)
        self.current = _Attempt()

    def keep(self, text: str) -> None:
        if len(text) > len(self._longest):
            self._longest = text

    def best(self) -> str:
        text = self.current.text
        return text if len(text) >= len(self._longest) else self._longest


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
    ) -> None:
        self.pack = pack
        self.provider = provider
        self.model = model
        self.variables = dict(variables)
        self.options = options or RunOptions()
        self.store = store
        self.system_pack = system_pack
        self.base_url = base_url
        self.cancel = cancel or threading.Event()
        self._sleep = sleep
        self._slots = RequestSlots(self.options.concurrency, self.cancel)
        self._priority = downstream_work(pack)
        self._plan_lock = threading.Lock()
        self._result_lock = threading.Lock()
        self._outstanding: dict[str, int] = {}
        self._not_started: set[str] = set()
        self._usable: set[str] = set()
        self._event_lock = threading.Lock()
        self._on_event: Callable[[ChainEvent], None] = lambda event: None
        self._checkpointer = Checkpointer(None, None, self.options.checkpoint_seconds)

    # --- planning -------------------------------------------------------------------

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
    ) -> RunResult:
        """Run ``steps`` (default: every non-optional step) and return what happened.

        ``outputs`` supplies texts for steps done elsewhere (edited drafts in
        the UI); with ``run_id`` and a store, finished steps and parts of that
        run are reused and never requested again.
        """
        started = time.monotonic()
        started_at = _now()
        if on_event is not None:
            self._on_event = on_event
        available = dict(outputs or {})
        finished_parts: dict[str, str] = {}
        previous: dict[str, Any] = {}
        if run_id is not None and self.store is not None:
            record = self.store.get_run(run_id)
            for step_record in record.steps:
                if step_record.effective_status == "done" and step_record.text:
                    previous[step_record.key] = step_record
                    if ":" in step_record.key:
                        finished_parts[step_record.key] = step_record.text
                    else:
                        available.setdefault(step_record.key, step_record.text)
        plan = self.plan(steps, available)
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
            )
        if self.store is not None and run_id is not None:
            self.store.set_run_status(run_id, "running")
        results: dict[str, StepResult] = {}
        for step in plan:
            if step.id in previous:
                record = previous[step.id]
                results[step.id] = StepResult(step=step.id, status="done", text=record.text, report=_report(record))
        self._checkpointer = Checkpointer(self.store, run_id, self.options.checkpoint_seconds)
        with self._checkpointer:
            self._schedule([s for s in plan if s.id not in results], available, finished_parts, results, run_id)

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
        if self.store is not None and run_id is not None:
            self.store.set_run_status(run_id, status, usage=total.model_dump(), cost=cost)
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
        )

    def _schedule(
        self,
        pending: list[Step],
        available: dict[str, str],
        finished_parts: dict[str, str],
        results: dict[str, StepResult],
        run_id: str | None,
    ) -> None:
        blocked: set[str] = set()
        with self._plan_lock:
            self._not_started = {s.id for s in pending}
            self._usable = set(available)
        with ThreadPoolExecutor(max_workers=max(1, len(pending)), thread_name_prefix="step") as pool:
            running: dict[Future[StepResult], Step] = {}
            while pending or running:
                for step in list(pending):
                    if self.cancel.is_set():
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
                        with self._plan_lock:
                            self._not_started.discard(step.id)
                        inputs = {n: available[n] for n in step.needs}
                        self._slots.expect(step.id, self._priority.get(step.id, 0.0), self._requests_left(step, finished_parts))
                        running[pool.submit(self._run_step, step, inputs, finished_parts, run_id)] = step
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    step = running.pop(future)
                    result = future.result()
                    results[step.id] = result
                    if result.status in USABLE:
                        available[step.id] = result.text
                        with self._plan_lock:
                            self._usable.add(step.id)
                    else:
                        blocked.add(step.id)

    def _requests_left(self, step: Step, finished_parts: Mapping[str, str]) -> int:
        """Requests a step will still make: one, or one per fan-out part not finished earlier."""
        parts = self.pack.fan_out_parts.get(step.id, [])
        return sum(1 for p in parts if part_key(step.id, p.id) not in finished_parts) if parts else 1

    def _request_done(self, step_id: str) -> None:
        """Called while the request still holds its slot: when it is the step's last one,
        the steps waiting only for this one will request next, so announce them now and the
        slot about to be freed is not taken by a lower-priority side branch."""
        with self._plan_lock:
            self._outstanding[step_id] = self._outstanding.get(step_id, 1) - 1
            if self._outstanding[step_id] > 0:
                return
            for dependant in self.pack.steps:
                if dependant.id in self._not_started and step_id in dependant.needs and all(
                    n == step_id or n in self._usable for n in dependant.needs
                ):
                    parts = len(self.pack.fan_out_parts.get(dependant.id, [])) or 1
                    self._slots.expect(dependant.id, self._priority.get(dependant.id, 0.0), parts)

    def _emit(self, event: ChainEvent) -> None:
        with self._event_lock:
            self._on_event(event)

    def _run_step(self, step: Step, inputs: dict[str, str], finished_parts: dict[str, str], run_id: str | None) -> StepResult:
        try:
            return self._run_step_once(step, inputs, finished_parts, run_id)
        finally:
            self._slots.forget(step.id)

    def _run_step_once(
        self, step: Step, inputs: dict[str, str], finished_parts: dict[str, str], run_id: str | None
    ) -> StepResult:
        started = time.monotonic()
        with self._plan_lock:
            self._outstanding[step.id] = self._requests_left(step, finished_parts)
        result = StepResult(step=step.id, status="running", timings={"started_at": _now()})
        self._emit(ChainEvent(kind="started", step=step.id))
        try:
            if step.fan_out:
                text, final_reason, prompts = self._run_parts(step, inputs, finished_parts, result, run_id)
            else:
                prompt = render_step(self.pack, step, self.variables, inputs, system_pack=self.system_pack)
                prompts = [prompt]
                text, final_reason = self._request(step, None, prompt, result, run_id, key=step.id)
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
            if self.store is not None and run_id is not None:
                self.store.finish_step(
                    run_id, step.id, status=result.status, text=partial, usage=result.usage.model_dump(),
                    cost=result.cost, timings=result.timings, error=exc.message,
                )
            self._emit(ChainEvent(kind="failed", step=step.id, message=exc.message, text=partial))
            return result
        except PlaybookError as exc:
            result.status = "failed"
            result.error = exc.message
            self._emit(ChainEvent(kind="failed", step=step.id, message=exc.message))
            return result

        result.regeneration_tokens = sum(count_tokens(p.text, self.model) for p in prompts) + count_tokens(text, self.model)
        result.text = text
        result.status = "truncated" if final_reason == "length" else "done"
        report = validate_step(text, self.pack, step.id, known_truncated=final_reason == "length")
        result.report = report
        result.cost = cost_of(self.model, result.usage)
        result.timings["elapsed"] = time.monotonic() - started
        self._emit(ChainEvent(kind="finished", step=step.id, usage=result.usage, elapsed=result.timings["elapsed"] or 0.0))
        self._emit(ChainEvent(kind="validated", step=step.id, report=report))
        if self.store is not None and run_id is not None:
            if step.fan_out:
                self.store.start_step(run_id, step.id, prompt="\n\n---\n\n".join(p.user for p in prompts), system=prompts[0].system)
            self.store.finish_step(
                run_id, step.id, status=result.status, text=text, usage=result.usage.model_dump(), cost=result.cost,
                timings=result.timings, report=report.model_dump(mode="json"),
            )
        self._repair(step, result, run_id, system=prompts[0].system)
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
                texts[part.id], reasons[part.id] = self._request(step, part, prompt, result, run_id, key=key)
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

    def _request(
        self,
        step: Step,
        part: Section | None,
        prompt: RenderedPrompt,
        result: StepResult,
        run_id: str | None,
        *,
        key: str,
        sections: list[str] | None = None,
        repair: bool = False,
    ) -> tuple[str, str]:
        """Stream one request with retries; returns (text, finish_reason)."""
        request = CompletionRequest(
            model=self.model,
            prompt=prompt.user,
            system=prompt.system,
            max_tokens=min(step.max_tokens or self.options.max_tokens, self.options.max_tokens),
            temperature=self.options.temperature,
            timeout=self.options.timeout,
            task=DraftTask(
                pack=self.pack.name, step=step.id, part=part.id if part else None, variables=self.variables, sections=sections
            ),
        )
        part_id = part.id if part else None
        store = self.store if run_id is not None else None
        if store is not None and not repair:
            store.start_step(run_id, key, prompt=prompt.user, system=prompt.system)
        if self.options.cache and self.store is not None:
            cached = self.store.cache_get(cache_key(self.provider.name, self.model, request))
            if cached is not None:
                self._emit(ChainEvent(kind="cached", step=step.id, part=part_id, message="Reused a stored answer: no tokens spent."))
                self._emit(ChainEvent(kind="delta", step=step.id, part=part_id, text=cached.text, repair=repair))
                result.cached = True
                if store is not None and part is not None:
                    store.finish_step(run_id, key, status="done", text=cached.text, usage=Usage().model_dump(), cost=0.0)
                return cached.text, "stop"
        progress = _Progress()
        saving = store is not None and not repair
        if saving:
            self._checkpointer.watch(key, progress.best)
        try:
            final = self._stream_with_retries(request, step, part_id, progress, repair)
        except (ProviderError, CancelledError) as exc:
            exc.partial_text = progress.best()
            if saving and part is not None:
                status = "cancelled" if isinstance(exc, CancelledError) else "failed"
                store.finish_step(run_id, key, status=status, text=exc.partial_text, error=exc.message)
            raise
        finally:
            with self._result_lock:  # fan-out parts finish on several threads
                result.attempts += progress.attempts
            if saving:
                self._checkpointer.unwatch(key)
        usage = final.usage
        with self._result_lock:
            if repair:
                result.repair_usage = result.repair_usage + usage
            else:
                result.usage = result.usage + usage
                first = progress.current.first_token
                if first is not None and (result.timings.get("first_token") is None or first < result.timings["first_token"]):
                    result.timings["first_token"] = first
                result.timings["latency"] = max(final.latency, result.timings.get("latency") or 0.0)
        text = progress.current.text
        if self.options.cache and self.store is not None and final.finish_reason == "stop":
            self.store.cache_put(
                cache_key(self.provider.name, self.model, request),
                provider=self.provider.name, model=self.model, text=text, usage=usage.model_dump(),
            )
        if saving and part is not None:
            status = "truncated" if final.finish_reason == "length" else "done"
            store.finish_step(
                run_id, key, status=status, text=text, usage=usage.model_dump(), cost=cost_of(self.model, usage),
                timings={"first_token": progress.current.first_token, "latency": final.latency},
            )
        return text, final.finish_reason

    def _stream_with_retries(
        self, request: CompletionRequest, step: Step, part_id: str | None, progress: _Progress, repair: bool
    ) -> Final:
        """Retry what backoff can fix (rate limits, 5xx, timeouts, cut streams); never auth or bad requests."""
        attempt_number = 0
        while True:
            attempt_number += 1
            progress.start_attempt()
            try:
                return self._stream_once(request, step, part_id, progress.current, repair)
            except ProviderError as exc:
                progress.keep(exc.partial_text)
                delay = retry_delay(exc, attempt_number, self.options)
                if delay is None or self.cancel.is_set():
                    raise
                self._emit(
                    ChainEvent(
                        kind="retried", step=step.id, part=part_id, repair=repair,
                        message=f"{exc.message} Retrying in {delay:.1f} s (attempt {attempt_number + 1}).",
                    )
                )
                self._wait(delay)
            finally:
                progress.attempts += 1

    def _stream_once(
        self, request: CompletionRequest, step: Step, part_id: str | None, attempt: _Attempt, repair: bool
    ) -> Final:
        started = time.monotonic()
        with self._slots.slot(step.id, self._priority.get(step.id, 0.0)):
            for event in self.provider.stream(request):
                if self.cancel.is_set():
                    raise CancelledError(partial_text=attempt.text)
                if isinstance(event, TextDelta):
                    if attempt.first_token is None:
                        attempt.first_token = time.monotonic() - started
                    attempt.chunks.append(event.text)
                    self._emit(ChainEvent(kind="delta", step=step.id, part=part_id, text=event.text, repair=repair))
                else:
                    if not repair:
                        self._request_done(step.id)
                    return event
        raise IncompleteAnswerError(
            f"{self.provider.name}: the answer stream ended without a finish event; retry the step.",
            partial_text=attempt.text,
        )

    def _wait(self, seconds: float) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        elif self.cancel.wait(seconds):
            raise CancelledError()

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
        """Repair a draft (e.g. one edited in the UI): request only its missing sections.

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
        self._repair(step, result, run_id, system=system, rounds=max(self.options.max_repair_rounds, 1))
        result.cost = cost_of(self.model, result.repair_usage)
        return result

    def _repair(
        self, step: Step, result: StepResult, run_id: str | None, *, system: str | None, rounds: int | None = None
    ) -> None:
        report = result.report
        limit = self.options.max_repair_rounds if rounds is None else rounds
        round_number = 0
        while report is not None and report.missing and round_number < limit and not self.cancel.is_set():
            round_number += 1
            wanted = list(report.missing)
            self._emit(
                ChainEvent(kind="repairing", step=step.id, message=f"Asking only for: {', '.join(wanted)} (round {round_number}).")
            )
            prompt = RenderedPrompt(user=build_repair_prompt(self.pack, step, result.text, report, self.variables), system=system)
            try:
                addition, finish = self._request(step, None, prompt, result, run_id, key=step.id, sections=wanted, repair=True)
            except (ProviderError, CancelledError) as exc:
                self._emit(ChainEvent(kind="failed", step=step.id, message=f"Repair failed: {exc.message} The draft is kept."))
                return
            checklist = self.pack.checklist_for(step.id)
            assert checklist is not None
            merged = merge_repair(result.text, addition, checklist, wanted)
            if merged == result.text:
                self._emit(
                    ChainEvent(
                        kind="failed", step=step.id,
                        message="The repair answer held none of the requested sections; the draft is unchanged.",
                    )
                )
                return
            result.text = merged
            cut = finish == "length"
            report = validate_step(result.text, self.pack, step.id, known_truncated=cut)
            result.report = report
            if cut:
                result.status = "truncated"
            elif result.status == "truncated" and report.ok:
                result.status = "done"
            progress = set(report.missing) != set(wanted)
            if self.store is not None and run_id is not None:
                self.store.add_version(run_id, step.id, result.text, "repaired")
                spent = result.usage + result.repair_usage
                self.store.set_report(
                    run_id, step.id, report.model_dump(mode="json"),
                    usage=spent.model_dump(), cost=cost_of(self.model, spent),
                )
            self._emit(ChainEvent(kind="repaired", step=step.id, report=report, usage=result.repair_usage))
            if not progress:
                return  # another round would ask for the same sections again


def _report(record: Any) -> ValidationReport | None:
    raw = getattr(record, "report", None)
    return ValidationReport.model_validate(raw) if raw else None
