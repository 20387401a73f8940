"""Anthropic Messages API streaming via the official SDK.

anthropic 2.x talks through ``httpx2`` and refuses a classic ``httpx.Client``
(``TypeError``), so unlike the OpenAI adapter the SDK keeps its own transport;
tests inject a ready SDK client instead. SDK retries are off because the chain
runner owns backoff. The SDK does not wrap transport errors raised mid-stream,
so ``_map_errors`` also catches the raw ``httpx2`` ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anthropic
import httpx2

from assistant.errors import (
    AuthError,
    BadRequestError,
    ConfigurationError,
    IncompleteAnswerError,
    ProviderError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RateLimitError,
)
from assistant.providers import redact, retry_after_seconds
from assistant.providers.base import CompletionRequest, Final, FinishReason, TextDelta
from assistant.providers.calls import Call, Server, finish

ANTHROPIC_HOST = "api.anthropic.com"
KEY_FIX = "check ANTHROPIC_API_KEY (or the Anthropic key field in the sidebar)"

_STOP: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "error",
}

#: ``event: error`` inside a 200 stream carries a type, not a status
_ERROR_TYPE_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


class AnthropicProvider:
    """Streams Claude answers from the Messages API (or a compatible gateway via ``base_url``)."""

    name = "anthropic"

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 120.0,
        client: anthropic.Anthropic | None = None,
    ) -> None:
        if client is None:
            if not api_key:
                raise ConfigurationError(
                    "No Anthropic key found. Set ANTHROPIC_API_KEY, enter it in the sidebar, "
                    "or run with --provider offline."
                )
            client = anthropic.Anthropic(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)
        self._client = client
        self._secrets = [api_key, getattr(client, "api_key", None), getattr(client, "auth_token", None)]
        self.timeout = timeout
        self.server = Server.of(client.base_url, ANTHROPIC_HOST, "Anthropic")
        self.base_url = self.server.url  # shown in messages
        self.is_anthropic = self.server.is_vendor

    @property
    def where(self) -> str:
        return self.server.where

    @property
    def subject(self) -> str:
        return self.server.subject

    def stream(self, request: CompletionRequest) -> Iterator[TextDelta | Final]:
        """Yield each text delta, then one Final with usage, stop reason and timing."""
        call = Call(request.model, request.timeout)
        stop: str | None = None
        input_tokens: int | None = None
        output_tokens: int | None = None
        model = request.model
        # anthropic 2.x has no ``temperature`` parameter (current models fix sampling), so it is not sent
        params: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": [{"role": "user", "content": request.prompt}],
        }
        if request.system:
            params["system"] = request.system
        with self._map_errors(call):
            events = self._client.messages.create(**params, stream=True, timeout=request.timeout)
            call.streaming = True
            with events:
                for event in events:
                    kind = getattr(event, "type", None)
                    if kind == "message_start":
                        message = getattr(event, "message", None)
                        model = getattr(message, "model", None) or model
                        start_usage = getattr(message, "usage", None)
                        input_tokens = getattr(start_usage, "input_tokens", None)
                    elif kind == "content_block_delta":
                        delta = getattr(event, "delta", None)
                        text = getattr(delta, "text", None)
                        if getattr(delta, "type", None) == "text_delta" and text:
                            yield call.text(text)
                    elif kind == "message_delta":
                        stop = getattr(getattr(event, "delta", None), "stop_reason", None) or stop
                        delta_usage = getattr(event, "usage", None)
                        output_tokens = getattr(delta_usage, "output_tokens", None) or output_tokens
                        # some gateways send 0 at message_start and the real count here
                        input_tokens = getattr(delta_usage, "input_tokens", None) or input_tokens
        yield finish(
            call, request, where=self.where, raw_reason=stop, reasons=_STOP,
            input_tokens=input_tokens, output_tokens=output_tokens, model=model,
        )

    def check(self, model: str) -> str:
        """Look the model up: proves the key and the model name without spending tokens."""
        timeout = min(self.timeout, 30.0)
        with self._map_errors(Call(model, timeout)):
            info = self._client.models.retrieve(model, timeout=timeout)
        name = getattr(info, "display_name", None) or getattr(info, "id", model)
        return f"Connected to {self.where}: model {model!r} is available ({name})."

    @contextmanager
    def _map_errors(self, call: Call) -> Iterator[None]:
        """Translate every SDK/transport failure into an ``assistant.errors`` type, keeping partial text."""
        try:
            yield
        except anthropic.APIStatusError as exc:
            status = exc.status_code
            if status < 400:  # an ``event: error`` inside the stream
                status = _ERROR_TYPE_STATUS.get(str(getattr(exc, "type", None) or _error_type(exc.body)), 500)
            raise self._status_error(status, exc, call) from exc
        except (anthropic.APITimeoutError, httpx2.TimeoutException) as exc:
            raise ProviderTimeoutError(
                f"{self.subject} did not answer within {call.timeout:g} s; retry, "
                "or raise PLAYBOOK_REQUEST_TIMEOUT for long answers.",
                partial_text=call.partial,
            ) from exc
        except (anthropic.APIConnectionError, httpx2.TransportError) as exc:
            if call.streaming:
                raise IncompleteAnswerError(
                    f"The connection to {self.where} dropped mid-answer "
                    f"({len(call.partial)} characters received); retry the step.",
                    partial_text=call.partial,
                ) from exc
            raise ProviderUnavailableError(
                f"Cannot reach {self.base_url}: is the server running? "
                "Check the base URL (PLAYBOOK_BASE_URL or the sidebar) and your network.",
                partial_text=call.partial,
            ) from exc
        except json.JSONDecodeError as exc:
            raise IncompleteAnswerError(
                f"{self.subject} sent malformed stream data (not JSON); retry the step.",
                partial_text=call.partial,
            ) from exc

    def _status_error(self, status: int, exc: anthropic.APIStatusError, call: Call) -> ProviderError:
        """Pick the error type and the advice for an HTTP status (or an in-stream error type)."""
        model, partial, where = call.model, call.partial, self.where
        detail = redact(_server_message(exc), self._secrets)[:300]
        if status == 401:
            return AuthError(
                f"{self.subject} rejected the API key (HTTP 401); {KEY_FIX}.", status=status, partial_text=partial
            )
        if status == 403:
            return AuthError(
                f"{self.subject} refused access to model {model!r} (HTTP 403); {KEY_FIX}: the key's workspace "
                "must have access to this model, or choose another model.",
                status=status,
                partial_text=partial,
            )
        if status == 404:
            hint = "choose another model in the sidebar or with --model"
            if not self.is_anthropic:
                hint += f"; the model alias must match one {where} serves, and check the base URL"
            return BadRequestError(
                f"Model {model!r} was not found at {where} (HTTP 404); {hint}.", status=status, partial_text=partial
            )
        if status == 429:
            wait = retry_after_seconds(exc.response.headers)
            when = f"retry after {wait:g} s" if wait is not None else "retry shortly"
            return RateLimitError(
                f"{self.subject} is rate limiting requests (HTTP 429); {when}, or lower PLAYBOOK_CONCURRENCY.",
                retry_after=wait,
                partial_text=partial,
            )
        if status == 408:
            return ProviderTimeoutError(
                f"{self.subject} timed out the request (HTTP 408); retry.", status=status, partial_text=partial
            )
        if status == 529:
            return ProviderUnavailableError(
                f"{self.subject} is overloaded (HTTP 529); retry in a moment.", status=status, partial_text=partial
            )
        if status >= 500:
            return ProviderUnavailableError(
                f"{self.subject} is unavailable (HTTP {status}: {detail}); retry in a moment.",
                status=status,
                partial_text=partial,
            )
        return BadRequestError(
            f"{self.subject} rejected the request (HTTP {status}: {detail}). If the prompt is too long, shorten the "
            "inputs or raise the model's context and max-tokens limits.",
            status=status,
            partial_text=partial,
        )


def _error_type(body: object) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("type") if isinstance(error, dict) else None


def _server_message(exc: anthropic.APIStatusError) -> str:
    """The server's own explanation, without the SDK's 'Error code: …' wrapper."""
    body = exc.body
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"]
    return str(exc.message)
