"""AnthropicProvider against the real anthropic SDK, with HTTP answered by respx or a loopback server.

anthropic 2.x accepts only an ``httpx2`` client, so respx-backed tests inject an
SDK client built on ``respx_http2_client`` (see conftest); the loopback tests
use the provider's own default client.
"""

from __future__ import annotations

import email.utils
import json
import time

import anthropic
import httpx
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
from assistant.providers.anthropic import AnthropicProvider
from assistant.providers.base import CompletionRequest, Final, TextDelta, collect
from assistant.providers.tokens import count_tokens

ANTHROPIC_KEY = "sk-ant-test-ANTHROPIC-SECRET-0123456789"
BASE = "https://api.anthropic.com"
GATEWAY = "https://llm-gateway.example"
REQUEST = CompletionRequest(
    model="claude-sonnet-4-6", prompt="Draft the severity matrix for Acme.", system="You write support playbooks."
)
ANSWER = ["## Severity", " matrix\n\n", "| Sev 1 | outage |"]


@pytest.fixture
def wire(anthropic_wire):
    return anthropic_wire


@pytest.fixture
def sdk_client(respx_http2_client):
    def make(base_url: str = BASE) -> anthropic.Anthropic:
        return anthropic.Anthropic(
            api_key=ANTHROPIC_KEY, base_url=base_url, max_retries=0, http_client=respx_http2_client()
        )

    return make


@pytest.fixture
def provider(sdk_client) -> AnthropicProvider:
    return AnthropicProvider(api_key=ANTHROPIC_KEY, client=sdk_client())


@pytest.fixture
def route(respx_mock):
    return respx_mock.post(f"{BASE}/v1/messages")


def stream_body(wire, events: list[tuple[str, str]]) -> httpx.Response:
    return httpx.Response(200, text=wire.sse(events), headers=wire.HEADERS)


def error_body(type_: str, message: str) -> dict:
    return {"type": "error", "error": {"type": type_, "message": message}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}


# --- streaming success ----------------------------------------------------------------


def test_streams_each_delta_then_final_with_server_usage(provider, route, wire):
    served = "claude-sonnet-4-6-20260217"  # the dated id the server reports for the alias
    route.mock(return_value=stream_body(wire, wire.events(ANSWER, input_tokens=25, output_tokens=15, model=served)))

    events = list(provider.stream(REQUEST))

    assert [e.text for e in events[:-1] if isinstance(e, TextDelta)] == ANSWER
    final = events[-1]
    assert isinstance(final, Final) and len(events) == len(ANSWER) + 1
    assert (final.usage.input_tokens, final.usage.output_tokens, final.usage.estimated) == (25, 15, False)
    assert final.finish_reason == "stop" and final.model == served
    assert final.first_token_latency is not None and 0 <= final.first_token_latency <= final.latency


def test_request_streams_with_system_prompt_and_key_header(provider, route, wire):
    route.mock(return_value=stream_body(wire, wire.events(ANSWER)))

    collect(provider, REQUEST)

    sent = route.calls.last.request
    body = json.loads(sent.content)
    assert body["stream"] is True and body["system"] == REQUEST.system
    assert body["messages"] == [{"role": "user", "content": REQUEST.prompt}]
    assert body["max_tokens"] == REQUEST.max_tokens and body["model"] == REQUEST.model
    bearer = sent.headers.get("authorization", "").removeprefix("Bearer ")
    assert ANTHROPIC_KEY in (sent.headers.get("x-api-key"), bearer)  # 2.x sends a bearer token
    assert route.call_count == 1


def test_stop_sequence_counts_as_stop(provider, route, wire):
    route.mock(return_value=stream_body(wire, wire.events(ANSWER, stop_reason="stop_sequence")))

    assert collect(provider, REQUEST).final.finish_reason == "stop"


def test_missing_usage_is_estimated_locally(provider, route, wire):
    route.mock(return_value=stream_body(wire, wire.events(ANSWER, input_tokens=None, output_tokens=None)))

    final = collect(provider, REQUEST).final

    assert final.usage.estimated is True
    assert final.usage.output_tokens == count_tokens("".join(ANSWER), REQUEST.model) > 0
    assert final.usage.input_tokens == count_tokens(REQUEST.system + REQUEST.prompt, REQUEST.model) > 0


def test_no_key_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="ANTHROPIC_API_KEY"):
        AnthropicProvider()


def test_default_sdk_client_has_retries_off_and_uses_base_url():
    provider = AnthropicProvider(api_key=ANTHROPIC_KEY, base_url=GATEWAY, timeout=7)

    assert provider._client.max_retries == 0
    assert provider.base_url == GATEWAY and not provider.is_anthropic


# --- how a stream ends ------------------------------------------------------------------


def test_max_tokens_keeps_the_text_and_reports_length(provider, route, wire):
    route.mock(return_value=stream_body(wire, wire.events(ANSWER, stop_reason="max_tokens")))

    completion = collect(provider, REQUEST)

    assert completion.final.finish_reason == "length"
    assert completion.text == "".join(ANSWER)


def test_stream_cut_before_message_delta_raises_incomplete_with_partial_text(provider, route, wire):
    route.mock(return_value=stream_body(wire, wire.events(ANSWER, stop_reason=None)))

    with pytest.raises(IncompleteAnswerError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.partial_text == "".join(ANSWER)
    assert caught.value.retryable


def test_empty_answer_raises_incomplete(provider, route, wire):
    route.mock(return_value=stream_body(wire, wire.events([])))

    with pytest.raises(IncompleteAnswerError, match="empty answer"):
        list(provider.stream(REQUEST))


def test_malformed_stream_data_raises_incomplete_with_partial_text(provider, route, wire):
    events = wire.events(ANSWER[:2], stop_reason=None)[:-1]  # drop content_block_stop
    events.append(("content_block_delta", '{"type": "content_block_delta", "index": 0, "delta": {"ty'))
    route.mock(return_value=stream_body(wire, events))

    with pytest.raises(IncompleteAnswerError, match="malformed") as caught:
        list(provider.stream(REQUEST))

    assert caught.value.partial_text == "".join(ANSWER[:2])


def test_overloaded_error_event_mid_stream_is_unavailable_with_partial_text(provider, route, wire):
    events = wire.events(ANSWER[:1], stop_reason=None)[:-1]
    events.append(("error", json.dumps(error_body("overloaded_error", "Overloaded"))))
    route.mock(return_value=stream_body(wire, events))

    with pytest.raises(ProviderUnavailableError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.status == 529 and caught.value.partial_text == ANSWER[0]


# --- HTTP errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "type_"), [(401, "authentication_error"), (403, "permission_error")]
)
def test_auth_errors_name_the_env_var_and_never_the_key(provider, route, status, type_):
    route.respond(status, json=error_body(type_, f"invalid x-api-key {ANTHROPIC_KEY}"))

    with pytest.raises(AuthError) as caught:
        list(provider.stream(REQUEST))

    error = caught.value
    assert error.status == status and not error.retryable
    assert "ANTHROPIC_API_KEY" in error.message
    assert ANTHROPIC_KEY not in str(error) and ANTHROPIC_KEY not in repr(error.args)


def test_unknown_model_names_the_model_and_says_choose_another(provider, route):
    route.respond(404, json=error_body("not_found_error", "model: claude-9"))

    with pytest.raises(BadRequestError) as caught:
        list(provider.stream(REQUEST.model_copy(update={"model": "claude-9"})))

    assert caught.value.status == 404 and not caught.value.retryable
    assert "'claude-9'" in caught.value.message and "choose another model" in caught.value.message


def test_unknown_model_on_a_gateway_says_the_alias_must_match(sdk_client, respx_mock):
    respx_mock.post(f"{GATEWAY}/v1/messages").respond(404, json=error_body("not_found_error", "no such model"))
    provider = AnthropicProvider(client=sdk_client(GATEWAY))

    with pytest.raises(BadRequestError) as caught:
        list(provider.stream(REQUEST))

    assert "must match" in caught.value.message and GATEWAY in caught.value.message


@pytest.mark.parametrize("status", [400, 422])
def test_bad_request_passes_on_the_server_reason_without_the_key(provider, route, status):
    reason = f"prompt is too long: 215000 tokens > 200000 maximum ({ANTHROPIC_KEY})"
    route.respond(status, json=error_body("invalid_request_error", reason))

    with pytest.raises(BadRequestError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.status == status and not caught.value.retryable
    assert "prompt is too long" in caught.value.message and "shorten" in caught.value.message
    assert ANTHROPIC_KEY not in caught.value.message


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "12"}, 12.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({}, None),
    ],
)
def test_rate_limit_carries_retry_after(provider, route, headers, expected):
    route.respond(429, json=error_body("rate_limit_error", "Number of requests has exceeded your rate limit"),
                  headers=headers)

    with pytest.raises(RateLimitError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.retry_after == expected and caught.value.retryable


def test_rate_limit_retry_after_as_http_date(provider, route):
    when = email.utils.formatdate(time.time() + 60, usegmt=True)
    route.respond(429, json=error_body("rate_limit_error", "slow down"), headers={"retry-after": when})

    with pytest.raises(RateLimitError) as caught:
        list(provider.stream(REQUEST))

    assert 55 <= caught.value.retry_after <= 60


@pytest.mark.parametrize("status", [500, 502, 503, 504, 529])
def test_server_errors_are_unavailable_and_retryable(provider, route, status):
    type_ = "overloaded_error" if status == 529 else "api_error"
    route.respond(status, json=error_body(type_, "Internal server error"))

    with pytest.raises(ProviderUnavailableError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.status == status and caught.value.retryable
    assert route.call_count == 1
    if status == 529:
        assert "overloaded" in caught.value.message


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
    body = wire.sse(wire.events(ANSWER[:2], stop_reason=None))
    route.mock(return_value=failing_body(body, httpx.ReadTimeout("stall")))

    with pytest.raises(ProviderTimeoutError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.partial_text == "".join(ANSWER[:2])


def test_connection_dropped_mid_stream_is_incomplete_with_partial_text(provider, route, wire, failing_body):
    body = wire.sse(wire.events(ANSWER[:2], stop_reason=None))
    route.mock(return_value=failing_body(body, httpx.RemoteProtocolError("peer closed connection")))

    with pytest.raises(IncompleteAnswerError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.partial_text == "".join(ANSWER[:2])


# --- check ------------------------------------------------------------------------------


def test_check_looks_the_model_up(provider, respx_mock):
    respx_mock.get(f"{BASE}/v1/models/claude-sonnet-4-6").respond(200, json={
        "type": "model", "id": "claude-sonnet-4-6", "display_name": "Claude Sonnet 4.6",
        "created_at": "2026-02-17T00:00:00Z",
    })

    assert "Claude Sonnet 4.6" in provider.check("claude-sonnet-4-6")


def test_check_maps_an_unknown_model_to_bad_request(provider, respx_mock):
    respx_mock.get(f"{BASE}/v1/models/claude-9").respond(404, json=error_body("not_found_error", "model: claude-9"))

    with pytest.raises(BadRequestError, match="'claude-9'"):
        provider.check("claude-9")


# --- a real server on 127.0.0.1, through the default (httpx2) client ---------------------


def test_default_client_streams_from_a_real_loopback_server(loopback, wire):
    parts = [wire.sse([event]) for event in wire.events(ANSWER)]
    server = loopback(parts=parts, pause_between=0.01)
    provider = AnthropicProvider(api_key=ANTHROPIC_KEY, base_url=server.url, timeout=5)

    completion = collect(provider, REQUEST)

    assert completion.chunks == ANSWER and completion.final.usage.output_tokens == 15
    received = server.received[0]
    assert received["path"] == "/v1/messages" and received["json"]["stream"] is True
    headers = received["headers"]
    assert ANTHROPIC_KEY in (headers.get("x-api-key"), headers.get("authorization", "").removeprefix("Bearer "))


def test_default_client_timeout_mid_stream_keeps_the_partial_text(loopback, wire):
    events = wire.events(ANSWER)
    head = wire.sse(events[:4])  # message_start .. the first text delta
    server = loopback(parts=[head, wire.sse(events[4:])], pause_between=2.0)
    provider = AnthropicProvider(api_key=ANTHROPIC_KEY, base_url=server.url, timeout=5)

    with pytest.raises(ProviderTimeoutError) as caught:
        list(provider.stream(REQUEST.model_copy(update={"timeout": 0.3})))

    assert caught.value.partial_text == ANSWER[0]


def test_default_client_reports_a_server_that_is_not_running(closed_port):
    base = f"http://127.0.0.1:{closed_port}"

    with pytest.raises(ProviderUnavailableError) as caught:
        list(AnthropicProvider(api_key=ANTHROPIC_KEY, base_url=base, timeout=5).stream(REQUEST))

    assert f"Cannot reach {base}" in caught.value.message
