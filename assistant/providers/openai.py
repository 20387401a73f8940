"""OpenAI chat completions, and any OpenAI-compatible server via ``base_url``.

Ollama, vLLM, llama.cpp and LM Studio speak the same streaming wire format but
need no real key and may send no usage, so both are optional here. The SDK is
given a classic ``httpx.Client``: openai 3.x talks through ``httpx2`` by
default, which ``respx`` cannot intercept, and the classic client works just as
well against real servers. SDK retries are off because the chain runner owns
backoff.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import openai

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

#: local servers ignore the key, but the SDK refuses to start without one
DUMMY_KEY = "not-needed"
OPENAI_HOST = "api.openai.com"
KEY_FIX = "check OPENAI_API_KEY (or the OpenAI key field in the sidebar)"

_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "content_filter": "error",
    "tool_calls": "stop",
    "function_call": "stop",
}


class OpenAIProvider:
    """Streams chat completions from OpenAI or an OpenAI-compatible server."""

    name = "openai"

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 120.0,
        client: openai.OpenAI | None = None,
    ) -> None:
        if client is None:
            if not api_key and not base_url:
                raise ConfigurationError(
                    "No OpenAI key found. Set OPENAI_API_KEY, enter it in the sidebar, "
                    "or run with --provider offline."
                )
            client = openai.OpenAI(
                api_key=api_key or DUMMY_KEY,
                base_url=base_url,
                timeout=timeout,
                max_retries=0,
                http_client=httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0))),
            )
        self._client = client
        self._secrets = [api_key, getattr(client, "api_key", None)]
        self.timeout = timeout
        self.server = Server.of(client.base_url, OPENAI_HOST, "OpenAI")
        self.base_url = self.server.url  # shown in messages
        self.is_openai = self.server.is_vendor

    @property
    def where(self) -> str:
        return self.server.where

    @property
    def subject(self) -> str:
        return self.server.subject

    def stream(self, request: CompletionRequest) -> Iterator[TextDelta | Final]:
        """Yield each content delta, then one Final with usage, finish reason and timing."""
        call = Call(request.model, request.timeout)
        reason: str | None = None
        input_tokens: int | None = None
        output_tokens: int | None = None
        model = request.model
        with self._map_errors(call):
            events = self._client.chat.completions.create(**self._params(request), timeout=request.timeout)
            call.streaming = True
            with events:
                for chunk in events:
                    model = getattr(chunk, "model", None) or model
                    raw_usage = getattr(chunk, "usage", None)
                    if raw_usage is not None:
                        input_tokens = raw_usage.prompt_tokens or 0
                        output_tokens = raw_usage.completion_tokens or 0
                    for choice in getattr(chunk, "choices", None) or []:
                        if getattr(choice, "index", 0) != 0:
                            continue
                        text = getattr(getattr(choice, "delta", None), "content", None)
                        if text:
                            yield call.text(text)
                        reason = getattr(choice, "finish_reason", None) or reason
        yield finish(
            call, request, where=self.where, raw_reason=reason, reasons=_FINISH,
            input_tokens=input_tokens, output_tokens=output_tokens, model=model,
        )

    def check(self, model: str) -> str:
        """List the server's models: proves the URL and key without spending tokens."""
        with self._map_errors(Call(model, min(self.timeout, 30.0))):
            ids = sorted(m.id for m in self._client.models.list(timeout=min(self.timeout, 30.0)))
        listed = model in ids
        if self.is_openai and not listed:
            raise BadRequestError(
                f"OpenAI accepted the key but model {model!r} is not available to it; "
                "choose another model in the sidebar or with --model.",
                status=404,
            )
        summary = f"Connected to {self.where}: {len(ids)} model(s) available"
        if listed:
            return f"{summary}, including {model!r}."
        shown = ", ".join(ids[:8]) or "none"
        return f"{summary}; {model!r} is not listed (it offers: {shown}), so pick one of those if requests fail."

    def _params(self, request: CompletionRequest) -> dict[str, Any]:
        messages = [{"role": "user", "content": request.prompt}]
        if request.system:
            messages.insert(0, {"role": "system", "content": request.system})
        params: dict[str, Any] = {
            "model": request.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        # OpenAI's newer models reject max_tokens; compatible servers may not know the new name
        params["max_completion_tokens" if self.is_openai else "max_tokens"] = request.max_tokens
        if not (self.is_openai and request.model.startswith(("o1", "o3", "o4", "gpt-5"))):
            params["temperature"] = request.temperature  # reasoning models accept only the default
        return params

    @contextmanager
    def _map_errors(self, call: Call) -> Iterator[None]:
        """Translate every SDK/transport failure into an ``assistant.errors`` type, keeping partial text."""
        try:
            yield
        except openai.APIStatusError as exc:
            raise self._status_error(exc.status_code, exc, call) from exc
        except (openai.APITimeoutError, httpx.TimeoutException) as exc:
            raise ProviderTimeoutError(
                f"{self.subject} did not answer within {call.timeout:g} s; retry, "
                "or raise PLAYBOOK_REQUEST_TIMEOUT for long answers.",
                partial_text=call.partial,
            ) from exc
        except (openai.APIConnectionError, httpx.TransportError) as exc:
            partial = call.partial
            if call.streaming:
                raise IncompleteAnswerError(
                    f"The connection to {self.where} dropped mid-answer "
                    f"({len(partial)} characters received); retry the step.",
                    partial_text=partial,
                ) from exc
            raise ProviderUnavailableError(
                f"Cannot reach {self.base_url}: is the server running? "
                "Check the base URL (PLAYBOOK_BASE_URL or the sidebar) and your network.",
                partial_text=partial,
            ) from exc
        except openai.APIError as exc:  # an error object sent inside a 200 stream
            body = exc.body if isinstance(exc.body, dict) else {}
            code = body.get("code")
            status = code if isinstance(code, int) and 400 <= code < 600 else 500
            raise self._status_error(status, exc, call) from exc
        except json.JSONDecodeError as exc:
            raise IncompleteAnswerError(
                f"{self.subject} sent malformed stream data (not JSON); retry the step.",
                partial_text=call.partial,
            ) from exc

    def _status_error(self, status: int, exc: openai.APIError, call: Call) -> ProviderError:
        """Pick the error type and the advice for an HTTP status (or an in-stream error code)."""
        model, partial = call.model, call.partial
        detail = redact(_server_message(exc), self._secrets)[:300]
        headers = exc.response.headers if isinstance(exc, openai.APIStatusError) else None
        where = self.where
        if status == 401:
            fix = KEY_FIX if self.is_openai else f"set OPENAI_API_KEY (or the sidebar key) to the key {where} expects"
            return AuthError(f"{self.subject} rejected the API key (HTTP 401); {fix}.", status=status, partial_text=partial)
        if status == 403:
            return AuthError(
                f"{self.subject} refused access to model {model!r} (HTTP 403); {KEY_FIX}: the key's project "
                "must have access to this model, or choose another model.",
                status=status,
                partial_text=partial,
            )
        if status == 404:
            hint = (
                "choose another model in the sidebar or with --model"
                if self.is_openai
                else f"the model name must match one {where} serves (e.g. `ollama list`), and the base URL "
                "usually ends in /v1"
            )
            return BadRequestError(
                f"Model {model!r} was not found at {where} (HTTP 404); {hint}.", status=status, partial_text=partial
            )
        if status == 429:
            if getattr(exc, "code", None) == "insufficient_quota":
                return AuthError(
                    f"{self.subject} reports no remaining quota (HTTP 429 insufficient_quota); add credit or {KEY_FIX}.",
                    status=status,
                    partial_text=partial,
                )
            wait = retry_after_seconds(headers)
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


def _server_message(exc: openai.APIError) -> str:
    """The server's own explanation, without the SDK's 'Error code: …' wrapper."""
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]
        if isinstance(error, str):
            return error
    return str(exc.message)
