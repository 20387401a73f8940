"""One provider request of a step, a fan-out part or a repair, streamed to the end.

Every delta goes out as an event while the text is collected; what backoff
can fix is retried; the partial text stays checkpointed; an identical
request may be answered from the cache; usage lands on the step's result.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from assistant.chain.checkpoint import Checkpointer
from assistant.chain.context import RunnerContext
from assistant.chain.events import ChainEvent, StepResult
from assistant.chain.retry import retry_delay
from assistant.chain.schedule import StepScheduler
from assistant.errors import CancelledError, IncompleteAnswerError, ProviderError
from assistant.packs import RenderedPrompt, Section, Step
from assistant.providers.base import CompletionRequest, DraftTask, Final, TextDelta, Usage
from assistant.providers.pricing import cost_of


def cache_key(provider: str, model: str, request: CompletionRequest) -> str:
    """Everything that shapes the answer, hashed: only an identical request is answered from the cache."""
    payload = json.dumps(
        [provider, model, request.system, request.prompt, request.max_tokens, request.temperature], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Attempt:
    """One streamed answer, collected while events go out."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.first_token: float | None = None

    @property
    def text(self) -> str:
        return "".join(self.chunks)


class Progress:
    """The text of one request across retries: the current attempt and the longest partial so far."""

    def __init__(self) -> None:
        self.current = Attempt()
        self.attempts = 0
        self._longest = ""

    def start_attempt(self) -> None:
        self.keep(self.current.text)
        self.current = Attempt()

    def keep(self, text: str) -> None:
        if len(text) > len(self._longest):
            self._longest = text

    def best(self) -> str:
        text = self.current.text
        return text if len(text) >= len(self._longest) else self._longest


class RequestStreamer:
    """Sends the requests of one pack's steps on one provider and model."""

    def __init__(self, context: RunnerContext, scheduler: StepScheduler, sleep: Callable[[float], None] | None) -> None:
        self._context = context
        self._scheduler = scheduler
        self._sleep = sleep
        self._result_lock = threading.Lock()
        self._checkpointer = Checkpointer(None, None, context.options.checkpoint_seconds)

    @contextmanager
    def checkpoints(self, run_id: str | None, lease_owner: str | None = None) -> Iterator[None]:
        """Keep saving the partial text of this run's requests (and renewing its lease) until the block ends."""
        self._checkpointer = Checkpointer(
            self._context.store, run_id, self._context.options.checkpoint_seconds, lease_owner
        )
        with self._checkpointer:
            yield

    def request(
        self,
        step: Step,
        part: Section | None,
        prompt: RenderedPrompt,
        result: StepResult,
        run_id: str | None,
        *,
        key: str,
        sections: Mapping[str, list[str]] | None = None,
        repair: bool = False,
    ) -> tuple[str, str]:
        """Stream one request with retries; returns (text, finish_reason).

        ``sections`` is a repair's plan: the section ids asked for, each with the items wanted
        (none: the whole section).
        """
        request = self._completion_request(step, part, prompt, sections)
        store = self._context.store if run_id is not None else None
        if store is not None and not repair:
            store.start_step(run_id, key, prompt=prompt.user, system=prompt.system)
        cached = self._from_cache(request, step, part, result, run_id, key=key, repair=repair)
        if cached is not None:
            return cached, "stop"
        progress = Progress()
        saving = store is not None and not repair
        if saving:
            self._checkpointer.watch(key, progress.best)
        try:
            final = self._stream_with_retries(request, step, part.id if part else None, progress, repair)
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
        self._add_usage(result, progress.current, final, repair)
        text = progress.current.text
        self._to_cache(request, text, final)
        if saving and part is not None:
            status = "truncated" if final.finish_reason == "length" else "done"
            context = self._context
            store.finish_step(
                run_id, key, status=status, text=text, usage=final.usage.model_dump(),
                cost=cost_of(context.model, final.usage),
                timings={"first_token": progress.current.first_token, "latency": final.latency},
                **context.provenance.made(context.pack, step, context.variables),
            )
        return text, final.finish_reason

    def _completion_request(
        self, step: Step, part: Section | None, prompt: RenderedPrompt, sections: Mapping[str, list[str]] | None
    ) -> CompletionRequest:
        context = self._context
        return CompletionRequest(
            model=context.model,
            prompt=prompt.user,
            system=prompt.system,
            max_tokens=min(step.max_tokens or context.options.max_tokens, context.options.max_tokens),
            temperature=context.options.temperature,
            timeout=context.options.timeout,
            task=DraftTask(
                pack=context.pack.name,
                step=step.id,
                part=part.id if part else None,
                variables=context.variables,
                sections=None if sections is None else list(sections),
                items={section_id: items for section_id, items in (sections or {}).items() if items},
            ),
        )

    def _from_cache(
        self,
        request: CompletionRequest,
        step: Step,
        part: Section | None,
        result: StepResult,
        run_id: str | None,
        *,
        key: str,
        repair: bool,
    ) -> str | None:
        """The stored answer to an identical request, replayed as if streamed; ``None`` when there is none."""
        context = self._context
        if not context.options.cache or context.store is None:
            return None
        cached = context.store.cache_get(cache_key(context.provider.name, context.model, request))
        if cached is None:
            return None
        part_id = part.id if part else None
        context.emit(ChainEvent(kind="cached", step=step.id, part=part_id, message="Reused a stored answer: no tokens spent."))
        context.emit(ChainEvent(kind="delta", step=step.id, part=part_id, text=cached.text, repair=repair))
        result.cached = True
        if run_id is not None and part is not None:
            context.store.finish_step(
                run_id, key, status="done", text=cached.text, usage=Usage().model_dump(), cost=0.0,
                **context.provenance.made(context.pack, step, context.variables),
            )
        return cached.text

    def _to_cache(self, request: CompletionRequest, text: str, final: Final) -> None:
        """Keep a complete answer for an identical request later; a cut one is never reused."""
        context = self._context
        if context.options.cache and context.store is not None and final.finish_reason == "stop":
            context.store.cache_put(
                cache_key(context.provider.name, context.model, request),
                provider=context.provider.name, model=context.model, text=text, usage=final.usage.model_dump(),
            )

    def _add_usage(self, result: StepResult, attempt: Attempt, final: Final, repair: bool) -> None:
        with self._result_lock:
            if repair:
                result.repair_usage = result.repair_usage + final.usage
            else:
                result.usage = result.usage + final.usage
                first = attempt.first_token
                if first is not None and (result.timings.get("first_token") is None or first < result.timings["first_token"]):
                    result.timings["first_token"] = first
                result.timings["latency"] = max(final.latency, result.timings.get("latency") or 0.0)

    def _stream_with_retries(
        self, request: CompletionRequest, step: Step, part_id: str | None, progress: Progress, repair: bool
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
                delay = retry_delay(exc, attempt_number, self._context.options)
                if delay is None or self._context.cancel.is_set():
                    raise
                self._context.emit(
                    ChainEvent(
                        kind="retried", step=step.id, part=part_id, repair=repair,
                        message=f"{exc.message} Retrying in {delay:.1f} s (attempt {attempt_number + 1}).",
                    )
                )
                self._wait(delay)
            finally:
                progress.attempts += 1

    def _stream_once(
        self, request: CompletionRequest, step: Step, part_id: str | None, attempt: Attempt, repair: bool
    ) -> Final:
        started = time.monotonic()
        with self._scheduler.slot(step.id):
            for event in self._context.provider.stream(request):
                if self._context.cancel.is_set():
                    raise CancelledError(partial_text=attempt.text)
                if isinstance(event, TextDelta):
                    if attempt.first_token is None:
                        attempt.first_token = time.monotonic() - started
                    attempt.chunks.append(event.text)
                    self._context.emit(ChainEvent(kind="delta", step=step.id, part=part_id, text=event.text, repair=repair))
                else:
                    if not repair:
                        self._scheduler.request_done(step.id)
                    return event
        raise IncompleteAnswerError(
            f"{self._context.provider.name}: the answer stream ended without a finish event; retry the step.",
            partial_text=attempt.text,
        )

    def _wait(self, seconds: float) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        elif self._context.cancel.wait(seconds):
            raise CancelledError()
