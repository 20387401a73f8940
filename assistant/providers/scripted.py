"""A provider that replays scripted answers, for tests and benchmarks.

In the spirit of pydantic-ai's ``FunctionModel`` and llm's ``MockModel``: each
request takes the next :class:`ScriptedReply` (or asks a callable), then plays
its chunks with the given delays and faults. It follows the same rules as the
real adapters (a stream without a finish or an empty answer raises
``IncompleteAnswerError``) so the chain sees exactly what it would in production.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.errors import IncompleteAnswerError, ProviderError
from assistant.providers.tokens import count_tokens
from assistant.providers.base import CompletionRequest, Final, TextDelta, Usage


@dataclass
class ScriptedReply:
    """One scripted answer: its chunks, pacing, an optional fault and how it ends."""

    chunks: list[str] = field(default_factory=list)
    #: seconds before each chunk after the first
    delay: float = 0.0
    #: seconds before the first chunk (time to first token)
    first_delay: float = 0.0
    #: raised after ``fault_after`` chunks, carrying the text sent so far
    fault: ProviderError | None = None
    fault_after: int = 0
    #: ``None`` ends the stream without a finish, which surfaces as ``IncompleteAnswerError``
    finish_reason: Literal["stop", "length"] | None = "stop"
    #: reported usage; ``None`` means count tokens locally (``estimated=True``)
    usage: Usage | None = None
    model: str | None = None

    @classmethod
    def from_text(cls, text: str, size: int = 40, **options: Any) -> ScriptedReply:
        """A reply streaming ``text`` in chunks of ``size`` characters."""
        return cls(chunks=split_text(text, size), **options)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def split_text(text: str, size: int = 40) -> list[str]:
    """Cut ``text`` into pieces of ``size`` characters (the last may be shorter)."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    return [text[i : i + size] for i in range(0, len(text), size)]


ReplyLike = ScriptedReply | str
Responder = Callable[[CompletionRequest], ReplyLike]


class ScriptedProvider:
    """Answers requests from a queue of replies, or from a ``request -> reply`` callable.

    Thread-safe: the chain runs steps on several threads, and each request takes
    exactly one reply. Every request is kept in ``requests`` in arrival order.
    """

    __test__ = False
    name = "scripted"

    def __init__(
        self,
        replies: Sequence[ReplyLike] | Responder = (),
        *,
        default: ReplyLike | None = None,
    ) -> None:
        self._responder: Responder | None = replies if callable(replies) else None
        self._queue: deque[ReplyLike] = deque([] if callable(replies) else replies)
        self._default = default
        self._lock = threading.Lock()
        self.requests: list[CompletionRequest] = []

    def enqueue(self, *replies: ReplyLike) -> None:
        """Add replies to the end of the queue."""
        with self._lock:
            self._queue.extend(replies)

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._queue)

    def stream(self, request: CompletionRequest) -> Iterator[TextDelta | Final]:
        """Record the request and pick its reply now; the reply plays as the stream is read."""
        with self._lock:
            self.requests.append(request)
            number = len(self.requests)
            if self._responder is None:
                reply = self._queue.popleft() if self._queue else self._default
        if self._responder is not None:
            reply = self._responder(request)
        if reply is None:
            raise LookupError(
                f"ScriptedProvider has no reply left for request #{number} (model {request.model!r}); "
                "script more replies or pass default=."
            )
        if isinstance(reply, str):
            reply = ScriptedReply.from_text(reply)
        return self._play(reply, request)

    def check(self, model: str) -> str:
        return f"Scripted provider: replays scripted answers, no network ({model})."

    def _play(self, reply: ScriptedReply, request: CompletionRequest) -> Iterator[TextDelta | Final]:
        started = time.monotonic()
        first: float | None = None
        sent: list[str] = []
        for index, chunk in enumerate(reply.chunks):
            time.sleep(reply.first_delay if index == 0 else reply.delay)
            if reply.fault is not None and index == reply.fault_after:
                raise _with_partial(reply.fault, "".join(sent))
            if first is None:
                first = time.monotonic() - started
            sent.append(chunk)
            yield TextDelta(text=chunk)
        text = "".join(sent)
        if reply.fault is not None:
            raise _with_partial(reply.fault, text)
        if reply.finish_reason is None:
            raise IncompleteAnswerError(
                f"The scripted answer stopped before it finished ({len(text)} characters received); retry the step.",
                partial_text=text,
            )
        if reply.finish_reason == "stop" and not text.strip():
            raise IncompleteAnswerError("The scripted answer was empty; retry the step.")
        usage = reply.usage or Usage(
            input_tokens=count_tokens((request.system or "") + request.prompt, request.model),
            output_tokens=count_tokens(text, request.model),
            estimated=True,
        )
        yield Final(
            usage=usage,
            finish_reason=reply.finish_reason,
            latency=time.monotonic() - started,
            first_token_latency=first,
            model=reply.model or request.model,
        )


def _with_partial(fault: ProviderError, text: str) -> ProviderError:
    """A copy of the scripted fault carrying the text sent so far (replies may be reused)."""
    error = copy.copy(fault)
    if not error.partial_text:
        error.partial_text = text
    return error
