"""OpenAIProvider against the real openai SDK, with HTTP answered by respx or a loopback server."""

from __future__ import annotations

import email.utils
import json
import time

import httpx
import openai
import pytest

from assistant.errors import (
    AuthError,
    BadRequestError,
    ConfigurationError,
    IncompleteAnswerError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RateLimitError,
)
from assistant.providers.base import CompletionRequest, Final, TextDelta, collect
from assistant.providers.openai import DUMMY_KEY, OpenAIProvider
from assistant.providers.tokens import count_tokens

OPENAI_KEY = "sk-test-OPENAI-SECRET-0123456789abcdef"
BASE = "https://api.openai.com/v1"
LOCAL = "http://localhost:11434/v1"
REQUEST = CompletionRequest(
    model="gpt-4.1-mini", prompt="Draft the severity matrix for Acme.", system="You write support playbooks."
)
ANSWER = ["## Severity", " matrix\n\n", "| Sev 1 | outage |"]


@pytest.fixture
def provider() -> OpenAIProvider:
    return OpenAIProvider(api_key=OPENAI_KEY)


@pytest.fixture
def route(respx_mock):
    return respx_mock.post(f"{BASE}/chat/completions")


@pytest.fixture
def wire(openai_wire):
    return openai_wire


def stream_body(wire, events: list[str]) -> httpx.Response:
    return httpx.Response(200, text=wire.sse(events), headers=wire.HEADERS)


def error_body(message: str, code: str | None = None, type_: str = "invalid_request_error") -> dict:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


# --- streaming success ----------------------------------------------------------------


def test_streams_each_delta_then_final_with_server_usage(provider, route, wire):
    route.mock(return_value=stream_body(wire, wire.events(ANSWER, usage=(21, 9))))

    events = list(provider.stream(REQUEST))

    assert [e.text for e in events[:-1] if isinstance(e, TextDelta)] == ANSWER
    final = events[-1]
    assert isinstance(final, Final) and len(events) == len(ANSWER) + 1
    assert (final.usage.input_tokens, final.usage.output_tokens, final.usage.estimated) == (21, 9, False)
    assert final.finish_reason == "stop"
    assert final.model == "gpt-4.1-mini-2025-04-14"
    assert final.first_token_latency is not None and 0 <= final.first_token_latency <= final.latency


def test_request_asks_for_a_stream_with_usage_and_sends_system_prompt(provider, route, wire):
    route.mock(return_value=stream_body(wire, wire.events(ANSWER)))

    collect(provider, REQUEST)

    sent = route.calls.last.request
    body = json.loads(sent.content)
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [
        {"role": "system", "content": REQUEST.system},
        {"role": "user", "content": REQUEST.prompt},
    ]
    assert body["max_completion_tokens"] == REQUEST.max_tokens and body["temperature"] == REQUEST.temperature
    assert sent.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert route.call_count == 1  # the SDK's own retries are off


def test_compatible_server_needs_no_key_and_gets_max_tokens(respx_mock, wire):
    route = respx_mock.post(f"{LOCAL}/chat/completions").mock(return_value=stream_body(wire, wire.events(ANSWER)))

    completion = collect(OpenAIProvider(base_url=LOCAL), REQUEST)

    body = json.loads(route.calls.last.request.content)
    assert completion.text == "".join(ANSWER)
    assert body["max_tokens"] == REQUEST.max_tokens and "max_completion_tokens" not in body
    assert route.calls.last.request.headers["authorization"] == f"Bearer {DUMMY_KEY}"


def test_injected_sdk_client_is_used(respx_mock, wire):
    route = respx_mock.post("https://proxy.example/v1/chat/completions").mock(
        return_value=stream_body(wire, wire.events(ANSWER))
    )
    client = openai.OpenAI(api_key="k-proxy", base_url="https://proxy.example/v1", max_retries=0,
                           http_client=httpx.Client())

    assert collect(OpenAIProvider(client=client), REQUEST).text == "".join(ANSWER)
    assert route.called


def test_no_key_and_no_base_url_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        OpenAIProvider()


def test_missing_usage_is_estimated_locally(provider, route, wire):
    route.mock(return_value=stream_body(wire, wire.events(ANSWER, usage=None)))

    final = collect(provider, REQUEST).final

    assert final.usage.estimated is True
    assert final.usage.output_tokens == count_tokens("".join(ANSWER), REQUEST.model) > 0
    assert final.usage.input_tokens == count_tokens(REQUEST.system + REQUEST.prompt, REQUEST.model) > 0


# --- how a stream ends ------------------------------------------------------------------


def test_finish_reason_length_keeps_the_text_and_reports_length(provider, route, wire):
    route.mock(return_value=stream_body(wire, wire.events(ANSWER, finish="length")))

    completion = collect(provider, REQUEST)

    assert completion.final.finish_reason == "length"
    assert completion.text == "".join(ANSWER)


def test_stream_cut_before_finish_raises_incomplete_with_partial_text(provider, route, wire):
    events = wire.events(ANSWER, finish=None, usage=None)[:-1]  # no finish, no usage, no [DONE]
    route.mock(return_value=stream_body(wire, events))

    with pytest.raises(IncompleteAnswerError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.partial_text == "".join(ANSWER)
    assert caught.value.retryable


def test_empty_answer_raises_incomplete(provider, route, wire):
    route.mock(return_value=stream_body(wire, wire.events([], finish="stop")))

    with pytest.raises(IncompleteAnswerError, match="empty answer"):
        list(provider.stream(REQUEST))


def test_malformed_stream_data_raises_incomplete_with_partial_text(provider, route, wire):
    events = wire.events(ANSWER[:2], finish=None, usage=None)[:-1] + ['{"id": "chatcmpl-1", "choices": [{"ind']
    route.mock(return_value=stream_body(wire, events))

    with pytest.raises(IncompleteAnswerError, match="malformed") as caught:
        list(provider.stream(REQUEST))

    assert caught.value.partial_text == "".join(ANSWER[:2])


def test_error_object_inside_the_stream_is_mapped_with_partial_text(provider, route, wire):
    events = wire.events(ANSWER[:1], finish=None, usage=None)[:-1]
    events.append(json.dumps({"error": {"message": "model is overloaded", "type": "ServiceUnavailable", "code": 503}}))
    route.mock(return_value=stream_body(wire, events))

    with pytest.raises(ProviderUnavailableError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.status == 503 and caught.value.partial_text == ANSWER[0]


# --- HTTP errors ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_name_the_env_var_and_never_the_key(provider, route, status):
    route.respond(status, json=error_body(f"Incorrect API key provided: {OPENAI_KEY}.", "invalid_api_key"))

    with pytest.raises(AuthError) as caught:
        list(provider.stream(REQUEST))

    error = caught.value
    assert error.status == status and not error.retryable
    assert "OPENAI_API_KEY" in error.message
    assert OPENAI_KEY not in str(error) and OPENAI_KEY not in repr(error.args)


def test_a_compatible_server_refusing_the_key_is_named_at_the_start_of_a_sentence(respx_mock):
    respx_mock.post(f"{LOCAL}/chat/completions").respond(401, json=error_body("Incorrect API key provided."))

    with pytest.raises(AuthError) as caught:
        list(OpenAIProvider(base_url=LOCAL, api_key="sk-local").stream(REQUEST))

    # shown as it is on the step card and by the CLI: a capital first letter, the server named again in the advice
    assert caught.value.message.startswith(f"The server at {LOCAL} rejected the API key (HTTP 401)")
    assert f"the key the server at {LOCAL} expects" in caught.value.message


def test_unknown_model_names_the_model_and_says_choose_another(provider, route):
    route.respond(404, json=error_body("The model `gpt-9` does not exist", "model_not_found"))

    with pytest.raises(BadRequestError) as caught:
        list(provider.stream(REQUEST.model_copy(update={"model": "gpt-9"})))

    assert caught.value.status == 404 and not caught.value.retryable
    assert "'gpt-9'" in caught.value.message and "choose another model" in caught.value.message


def test_unknown_model_on_a_compatible_server_says_the_alias_must_match(respx_mock):
    respx_mock.post(f"{LOCAL}/chat/completions").respond(404, json={"error": "model 'llama9' not found"})

    with pytest.raises(BadRequestError) as caught:
        list(OpenAIProvider(base_url=LOCAL).stream(REQUEST.model_copy(update={"model": "llama9"})))

    assert "'llama9'" in caught.value.message and "must match" in caught.value.message
    assert LOCAL in caught.value.message


@pytest.mark.parametrize("status", [400, 422])
def test_bad_request_passes_on_the_server_reason_without_the_key(provider, route, status):
    reason = f"This model's maximum context length is 128000 tokens (key {OPENAI_KEY})"
    route.respond(status, json=error_body(reason, "context_length_exceeded"))

    with pytest.raises(BadRequestError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.status == status and not caught.value.retryable
    assert "maximum context length" in caught.value.message and "shorten" in caught.value.message
    assert OPENAI_KEY not in caught.value.message


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({}, None),
    ],
)
def test_rate_limit_carries_retry_after(provider, route, headers, expected):
    route.respond(429, json=error_body("Rate limit reached", "rate_limit_exceeded", "requests"), headers=headers)

    with pytest.raises(RateLimitError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.retry_after == expected and caught.value.retryable


def test_rate_limit_retry_after_as_http_date(provider, route):
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    route.respond(429, json=error_body("Rate limit reached"), headers={"retry-after": when})

    with pytest.raises(RateLimitError) as caught:
        list(provider.stream(REQUEST))

    assert 25 <= caught.value.retry_after <= 30


def test_exhausted_quota_is_not_a_retryable_rate_limit(provider, route):
    route.respond(429, json=error_body("You exceeded your current quota", "insufficient_quota", "insufficient_quota"))

    with pytest.raises(AuthError) as caught:
        list(provider.stream(REQUEST))

    assert not caught.value.retryable and "quota" in caught.value.message


@pytest.mark.parametrize("status", [500, 502, 503, 504, 529])
def test_server_errors_are_unavailable_and_retryable(provider, route, status):
    route.respond(status, json=error_body("The server had an error", type_="server_error"))

    with pytest.raises(ProviderUnavailableError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.status == status and caught.value.retryable
    assert route.call_count == 1  # no SDK retries: the chain runner owns backoff


def test_connect_error_says_the_server_cannot_be_reached(provider, route):
    route.mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))

    with pytest.raises(ProviderUnavailableError) as caught:
        list(provider.stream(REQUEST))

    assert f"Cannot reach {BASE}" in caught.value.message and "server running" in caught.value.message


def test_read_timeout_is_a_provider_timeout(provider, route):
    route.mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(ProviderTimeoutError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.retryable and "PLAYBOOK_REQUEST_TIMEOUT" in caught.value.message


def test_timeout_mid_stream_keeps_the_partial_text(provider, route, wire, failing_body):
    body = wire.sse(wire.events(ANSWER[:2], finish=None, usage=None)[:-1])
    route.mock(return_value=failing_body(body, httpx.ReadTimeout("stall")))

    with pytest.raises(ProviderTimeoutError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.partial_text == "".join(ANSWER[:2])


def test_connection_dropped_mid_stream_is_incomplete_with_partial_text(provider, route, wire, failing_body):
    body = wire.sse(wire.events(ANSWER[:2], finish=None, usage=None)[:-1])
    dropped = httpx.RemoteProtocolError("peer closed connection without sending complete message body")
    route.mock(return_value=failing_body(body, dropped))

    with pytest.raises(IncompleteAnswerError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.partial_text == "".join(ANSWER[:2])


# --- check ------------------------------------------------------------------------------


def models_page(*ids: str) -> dict:
    return {"object": "list", "data": [{"id": i, "object": "model", "created": 1, "owned_by": "system"} for i in ids]}


def test_check_lists_models_and_confirms_the_chosen_one(provider, respx_mock):
    respx_mock.get(f"{BASE}/models").respond(200, json=models_page("gpt-4.1", "gpt-4.1-mini"))

    assert "'gpt-4.1-mini'" in provider.check("gpt-4.1-mini") and "2 model" in provider.check("gpt-4.1-mini")


def test_check_rejects_a_model_openai_does_not_offer(provider, respx_mock):
    respx_mock.get(f"{BASE}/models").respond(200, json=models_page("gpt-4.1"))

    with pytest.raises(BadRequestError, match="'gpt-9'"):
        provider.check("gpt-9")


def test_check_on_a_compatible_server_lists_what_it_offers(respx_mock):
    respx_mock.get(f"{LOCAL}/models").respond(200, json=models_page("llama3.2:3b"))

    assert "llama3.2:3b" in OpenAIProvider(base_url=LOCAL).check("llama3")


def test_check_maps_a_bad_key_to_auth_error(provider, respx_mock):
    respx_mock.get(f"{BASE}/models").respond(401, json=error_body(f"Incorrect API key provided: {OPENAI_KEY}"))

    with pytest.raises(AuthError) as caught:
        provider.check("gpt-4.1-mini")

    assert OPENAI_KEY not in caught.value.message


# --- a real server on 127.0.0.1, through the default client ------------------------------


def test_default_client_streams_from_a_real_loopback_server(loopback, wire):
    # llama.cpp style: no usage in the stream
    parts = [f"data: {e}\n\n" for e in wire.events(ANSWER, usage=None, model="qwen2.5-0.5b")]
    server = loopback(parts=parts, pause_between=0.01)
    provider = OpenAIProvider(base_url=f"{server.url}/v1", timeout=5)

    completion = collect(provider, REQUEST.model_copy(update={"model": "qwen2.5-0.5b"}))

    assert completion.chunks == ANSWER
    assert completion.final.usage.estimated and completion.final.model == "qwen2.5-0.5b"
    received = server.received[0]
    assert received["path"] == "/v1/chat/completions" and received["json"]["stream"] is True
    assert received["headers"]["authorization"] == f"Bearer {DUMMY_KEY}"


def test_default_client_times_out_on_a_stalled_loopback_server(loopback, wire):
    server = loopback(parts=[wire.sse(wire.events(ANSWER))], pause_before=2.0)
    provider = OpenAIProvider(base_url=f"{server.url}/v1", timeout=5)

    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError):
        list(provider.stream(REQUEST.model_copy(update={"timeout": 0.3})))
    assert time.monotonic() - started < 1.8


def test_default_client_reports_a_server_that_is_not_running(closed_port):
    base = f"http://127.0.0.1:{closed_port}/v1"

    with pytest.raises(ProviderUnavailableError) as caught:
        list(OpenAIProvider(base_url=base, timeout=5).stream(REQUEST))

    assert f"Cannot reach {base}" in caught.value.message
