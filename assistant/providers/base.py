"""The provider contract: one streaming call, typed events, typed errors.

Every adapter turns a :class:`CompletionRequest` into a stream of
:class:`TextDelta` events followed by exactly one :class:`Final`. There is a
single request path: a non-streaming caller just collects the stream
(:func:`collect`). Adapters translate their SDK's exceptions into
``assistant.errors`` types in one place and know nothing of chains or storage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import IncompleteAnswerError
from assistant.settings import default

FinishReason = Literal["stop", "length", "error"]


class DraftTask(BaseModel):
    """Which document a request asks for. Never sent over the wire: it lets the
    offline provider compose the draft without a model, and tests assert on it."""

    model_config = ConfigDict(frozen=True)

    pack: str
    step: str
    part: str | None = None
    variables: dict[str, str | list[str]] = {}
    #: only these section ids (a targeted repair); None means the whole document
    sections: list[str] | None = None
    #: of those, the sections the draft has but incompletely: only these of their items (by text)
    items: dict[str, list[str]] = {}


class CompletionRequest(BaseModel):
    """What one model call needs. ``prompt`` is the user message."""

    model_config = ConfigDict(frozen=True)

    model: str
    prompt: str
    system: str | None = None
    max_tokens: int = default("max_tokens")
    temperature: float = default("temperature")
    timeout: float = default("request_timeout")
    task: DraftTask | None = None


class Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    #: True when the server sent no usage and the numbers were counted locally
    estimated: bool = False

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            estimated=self.estimated or other.estimated,
        )

    def __sub__(self, earlier: Usage) -> Usage:
        """What was spent since ``earlier`` (a running total's growth)."""
        return Usage(
            input_tokens=self.input_tokens - earlier.input_tokens,
            output_tokens=self.output_tokens - earlier.output_tokens,
            estimated=self.estimated,
        )


class TextDelta(BaseModel):
    type: Literal["text"] = "text"
    text: str


class Final(BaseModel):
    type: Literal["final"] = "final"
    usage: Usage = Usage()
    finish_reason: FinishReason = "stop"
    #: seconds from request to the last byte, and to the first text
    latency: float = 0.0
    first_token_latency: float | None = None
    model: str | None = None


StreamEvent = Annotated[TextDelta | Final, Field(discriminator="type")]


@runtime_checkable
class Provider(Protocol):
    """Anything that can stream a completion."""

    name: str

    def stream(self, request: CompletionRequest) -> Iterator[TextDelta | Final]:
        """Yield text deltas, then one Final; raise ``ProviderError`` subclasses on failure."""
        ...

    def check(self, model: str) -> str:
        """A cheap call proving the connection and key work; returns a human summary."""
        ...


@dataclass
class Completion:
    """A collected stream."""

    text: str
    final: Final
    chunks: list[str] = field(default_factory=list)


def collect(provider: Provider, request: CompletionRequest) -> Completion:
    """Run a request to the end and return the whole answer (the non-streaming path)."""
    chunks: list[str] = []
    for event in provider.stream(request):
        if isinstance(event, TextDelta):
            chunks.append(event.text)
        else:
            return Completion(text="".join(chunks), final=event, chunks=chunks)
    raise IncompleteAnswerError(
        f"{provider.name}: the answer stream ended without a finish event; retry the step.",
        partial_text="".join(chunks),
    )
