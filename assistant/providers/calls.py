"""What both SDK adapters share: the state of a call in flight and how a stream ends.

Both adapters must apply the same rules at the end of a stream (no finish
reason means an incomplete answer, an empty answer is not a success, missing
usage is counted locally and marked estimated), so the rules live here once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from assistant.errors import IncompleteAnswerError
from assistant.providers.tokens import count_tokens
from assistant.providers.base import CompletionRequest, Final, FinishReason, TextDelta, Usage


def sentence_start(phrase: str) -> str:
    """A phrase that opens a message ("the server at …" -> "The server at …"): people read messages as they are."""
    return phrase[:1].upper() + phrase[1:]


@dataclass(frozen=True)
class Server:
    """The server an adapter talks to, as messages name it (never with credentials or query keys)."""

    url: str
    is_vendor: bool
    vendor: str

    @classmethod
    def of(cls, base_url: object, vendor_host: str, vendor: str) -> Server:
        parts = urlsplit(str(base_url))
        netloc = parts.netloc.rpartition("@")[2]
        shown = urlunsplit((parts.scheme, netloc, parts.path, "", "")).rstrip("/")
        return cls(shown, parts.hostname == vendor_host, vendor)

    @property
    def where(self) -> str:
        return self.vendor if self.is_vendor else f"the server at {self.url}"

    @property
    def subject(self) -> str:
        """``where`` at the start of a sentence."""
        return sentence_start(self.where)


@dataclass
class Call:
    """A request in flight: what error messages and the final event need to know."""

    model: str
    timeout: float
    chunks: list[str] = field(default_factory=list)
    #: the response has started (a transport error now means a cut stream, not an unreachable server)
    streaming: bool = False
    started: float = field(default_factory=time.monotonic)
    first_token: float | None = None

    @property
    def partial(self) -> str:
        return "".join(self.chunks)

    def text(self, text: str) -> TextDelta:
        """Record a piece of the answer and return its event."""
        if self.first_token is None:
            self.first_token = time.monotonic() - self.started
        self.chunks.append(text)
        return TextDelta(text=text)


def finish(
    call: Call,
    request: CompletionRequest,
    *,
    where: str,
    raw_reason: str | None,
    reasons: dict[str, FinishReason],
    input_tokens: int | None,
    output_tokens: int | None,
    model: str,
) -> Final:
    """The Final event of a stream, or the error that an unfinished or empty stream is."""
    text = call.partial
    if raw_reason is None:
        raise IncompleteAnswerError(
            f"The answer from {where} stopped before the model finished "
            f"({len(text)} characters received); retry the step.",
            partial_text=text,
        )
    reason = reasons.get(raw_reason, "stop")
    if reason == "stop" and not text.strip():
        raise IncompleteAnswerError(
            f"{sentence_start(where)} returned an empty answer for model {request.model!r}; retry the step or choose another model."
        )
    usage = Usage(
        input_tokens=input_tokens
        if input_tokens is not None
        else count_tokens((request.system or "") + request.prompt, request.model),
        output_tokens=output_tokens if output_tokens is not None else count_tokens(text, request.model),
        estimated=input_tokens is None or output_tokens is None,
    )
    return Final(
        usage=usage,
        finish_reason=reason,
        latency=time.monotonic() - call.started,
        first_token_latency=call.first_token,
        model=model,
    )
