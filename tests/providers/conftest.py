"""Shared fixtures for the provider tests: SSE bodies in each API's exact wire
format, an httpx2 transport that lets ``respx`` answer the Anthropic SDK, and a
tiny loopback HTTP server for proving the default clients work for real.

Helpers are handed out as fixtures (``openai_wire``, ``anthropic_wire``, …)
rather than imported, because ``tests/`` is not a package."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import httpx2
import pytest

SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8"}


# --- OpenAI chat.completion.chunk stream ------------------------------------------


class OpenAIWire:
    """Builds ``data:`` payloads exactly as /v1/chat/completions streams them."""

    MODEL = "gpt-4.1-mini-2025-04-14"
    HEADERS = SSE_HEADERS

    @staticmethod
    def chunk(delta: dict[str, Any] | None, finish: str | None = None, *, model: str = MODEL,
              usage: dict[str, int] | None = None) -> dict[str, Any]:
        """One ``chat.completion.chunk``; ``delta=None`` makes the trailing usage-only chunk."""
        return {
            "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
            "object": "chat.completion.chunk",
            "created": 1741569952,
            "model": model,
            "service_tier": "default",
            "system_fingerprint": "fp_b376dfbbd5",
            "choices": []
            if delta is None
            else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            "usage": usage,
        }

    @classmethod
    def events(cls, chunks: list[str], *, finish: str | None = "stop", usage: tuple[int, int] | None = (21, 9),
               model: str = MODEL) -> list[str]:
        """A whole streamed completion with ``include_usage``: role, deltas, finish, usage, ``[DONE]``."""
        events = [cls.chunk({"role": "assistant", "content": "", "refusal": None}, model=model)]
        events += [cls.chunk({"content": text}, model=model) for text in chunks]
        if finish is not None:
            events.append(cls.chunk({}, finish, model=model))
        if usage is not None:
            prompt, completion = usage
            counts = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
            events.append(cls.chunk(None, model=model, usage=counts))
        return [json.dumps(e) for e in events] + ["[DONE]"]

    @staticmethod
    def sse(events: list[str]) -> str:
        return "".join(f"data: {data}\n\n" for data in events)


# --- Anthropic Messages stream -----------------------------------------------------


class AnthropicWire:
    """Builds ``(event, data)`` pairs exactly as /v1/messages streams them."""

    MODEL = "claude-sonnet-4-6"
    HEADERS = SSE_HEADERS

    @classmethod
    def events(cls, chunks: list[str], *, stop_reason: str | None = "end_turn", input_tokens: int | None = 25,
               output_tokens: int | None = 15, model: str = MODEL) -> list[tuple[str, str]]:
        """message_start, a text block with one delta per chunk, then message_delta and message_stop.

        ``stop_reason=None`` leaves out the closing message_delta/message_stop;
        ``None`` token counts leave the usage out (as some gateways do).
        """
        start_usage = None if input_tokens is None else {
            "input_tokens": input_tokens, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
            "output_tokens": 1, "service_tier": "standard",
        }
        message = {"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "content": [],
                   "model": model, "stop_reason": None, "stop_sequence": None, "usage": start_usage}
        events: list[tuple[str, dict[str, Any]]] = [
            ("message_start", {"type": "message_start", "message": message}),
            ("content_block_start", {"type": "content_block_start", "index": 0,
                                     "content_block": {"type": "text", "text": ""}}),
            ("ping", {"type": "ping"}),
        ]
        events += [("content_block_delta", {"type": "content_block_delta", "index": 0,
                                            "delta": {"type": "text_delta", "text": text}}) for text in chunks]
        events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
        if stop_reason is not None:
            delta: dict[str, Any] = {"type": "message_delta",
                                     "delta": {"stop_reason": stop_reason, "stop_sequence": None}}
            if output_tokens is not None:
                delta["usage"] = {"output_tokens": output_tokens}
            events.append(("message_delta", delta))
            events.append(("message_stop", {"type": "message_stop"}))
        return [(name, json.dumps(data)) for name, data in events]

    @staticmethod
    def sse(events: list[tuple[str, str]]) -> str:
        return "".join(f"event: {name}\ndata: {data}\n\n" for name, data in events)


@pytest.fixture
def openai_wire() -> type[OpenAIWire]:
    return OpenAIWire


@pytest.fixture
def anthropic_wire() -> type[AnthropicWire]:
    return AnthropicWire


# --- mid-stream failures --------------------------------------------------------------


class FailingStream(httpx.SyncByteStream):
    """A response body that sends ``body`` and then raises ``error`` (a dropped or stalled stream)."""

    def __init__(self, body: str, error: Exception) -> None:
        self.body, self.error = body.encode(), error

    def __iter__(self) -> Iterator[bytes]:
        yield self.body
        raise self.error


@pytest.fixture
def failing_body() -> Callable[[str, Exception], httpx.Response]:
    """A 200 SSE response that sends ``body`` and then raises the given transport error."""
    return lambda body, error: httpx.Response(200, headers=SSE_HEADERS, stream=FailingStream(body, error))


# --- respx for the Anthropic SDK ----------------------------------------------------


class _BridgedStream(httpx2.SyncByteStream):
    def __init__(self, response: httpx.Response, request: httpx2.Request) -> None:
        self.response, self.request = response, request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.response.iter_raw()
        except httpx.TransportError as exc:
            raise _as_httpx2(exc, self.request) from exc

    def close(self) -> None:
        self.response.close()


def _as_httpx2(exc: httpx.TransportError, request: httpx2.Request) -> Exception:
    return getattr(httpx2, type(exc).__name__, httpx2.TransportError)(str(exc), request=request)


class RespxBridge(httpx2.BaseTransport):
    """Sends the SDK's httpx2 requests through a classic ``httpx.Client`` so ``respx`` answers them.

    anthropic 2.x only accepts an ``httpx2`` client, which respx does not patch;
    transport errors come back as the matching ``httpx2`` exception, as the real
    transport would raise them.
    """

    def __init__(self) -> None:
        self.client = httpx.Client()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        classic = httpx.Request(request.method, str(request.url), headers=request.headers.raw, content=request.read())
        try:
            response = self.client.send(classic, stream=True)
        except httpx.TransportError as exc:
            raise _as_httpx2(exc, request) from exc
        return httpx2.Response(response.status_code, headers=response.headers.raw,
                               stream=_BridgedStream(response, request))

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def respx_http2_client(respx_mock) -> Iterator[Callable[[], httpx2.Client]]:
    """An ``httpx2.Client`` whose requests ``respx_mock`` answers (for SDKs that accept only httpx2)."""
    clients: list[httpx2.Client] = []

    def make() -> httpx2.Client:
        clients.append(httpx2.Client(transport=RespxBridge()))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


# --- a real HTTP server on 127.0.0.1 ---------------------------------------------------


@dataclass
class Reply:
    """What the loopback server sends: status, headers, body pieces and pauses."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: dict(SSE_HEADERS))
    parts: list[str] = field(default_factory=list)
    pause_before: float = 0.0
    pause_between: float = 0.0


@dataclass
class LoopbackServer:
    url: str
    replies: list[Reply]
    received: list[dict[str, Any]]


@pytest.fixture
def loopback() -> Iterator[Callable[..., LoopbackServer]]:
    """Start a threaded HTTP server on 127.0.0.1 answering each request with the next queued ``Reply``."""
    servers: list[ThreadingHTTPServer] = []

    def start(**reply: Any) -> LoopbackServer:
        """Serve one ``Reply(**reply)``; append more to ``.replies`` for later requests."""
        state = LoopbackServer(url="", replies=[Reply(**reply)], received=[])

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                state.received.append({
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "json": json.loads(body) if body else None,
                })
                reply = state.replies.pop(0)
                time.sleep(reply.pause_before)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("connection", "close")
                self.end_headers()
                try:
                    for index, part in enumerate(reply.parts):
                        if index:
                            time.sleep(reply.pause_between)
                        self.wfile.write(part.encode())
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_GET = _answer

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        state.url = f"http://127.0.0.1:{server.server_address[1]}"
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
