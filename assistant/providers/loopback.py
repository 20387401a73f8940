"""A loopback OpenAI-compatible server: streams scripted answers at a set pace.

Used by the crash-and-resume tests, the benchmark and demos: it speaks the
real wire format (``/v1/chat/completions`` with SSE chunks, ``/v1/models``),
so the real OpenAI SDK and the CLI talk to it exactly as they would to
llama.cpp or vLLM, with a chosen time to first token and output speed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from assistant.providers.tokens import CHARS_PER_TOKEN


@dataclass
class Pace:
    """How an answer streams: seconds to the first token, then tokens per second."""

    first_token: float = 0.0
    tokens_per_second: float = 0.0  # 0 means as fast as possible
    chunk_tokens: int = 8
    include_usage: bool = True


@dataclass
class LoopbackAnswer:
    text: str
    pace: Pace | None = None
    finish_reason: str = "stop"


Answerer = Callable[[dict[str, Any]], "str | LoopbackAnswer"]


@dataclass
class RequestLog:
    body: dict[str, Any]
    received_at: float
    #: monotonic time the last byte was sent (None while streaming or if the client left)
    finished_at: float | None = None
    prompt: str = field(init=False)

    def __post_init__(self) -> None:
        messages = self.body.get("messages") or []
        self.prompt = "\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")


class LoopbackServer:
    """``with LoopbackServer(answer) as server: ... server.base_url ...``"""

    def __init__(self, answer: Answerer, pace: Pace | None = None, model: str = "loopback-model", port: int = 0) -> None:
        self.answer = answer
        self.pace = pace or Pace()
        self.model = model
        self.requests: list[RequestLog] = []
        #: the Authorization header of every request, so tests can prove a key reached the server
        self.authorizations: list[str] = []
        #: every header of every request, so tests can prove a key never reached the server in any of them
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="loopback-server", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _record(self, body: dict[str, Any]) -> RequestLog:
        log = RequestLog(body, time.monotonic())
        with self._lock:
            self.requests.append(log)
        return log

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _note_headers(self) -> None:
                server.authorizations.append(self.headers.get("authorization", ""))
                server.headers.append(dict(self.headers.items()))

            def do_GET(self) -> None:
                self._note_headers()
                if self.path.rstrip("/").endswith("/models"):
                    self._json({"object": "list", "data": [{"id": server.model, "object": "model", "owned_by": "loopback"}]})
                else:
                    self._json({"error": {"message": "not found"}}, status=404)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                self._note_headers()
                log = server._record(body)
                reply = server.answer(body)
                answer = reply if isinstance(reply, LoopbackAnswer) else LoopbackAnswer(str(reply))
                pace = answer.pace or server.pace
                if not body.get("stream"):
                    self._json(_completion(server.model, answer, log.prompt))
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.end_headers()
                try:
                    _stream(self.wfile, server.model, answer, pace, log.prompt)
                except (BrokenPipeError, ConnectionResetError):
                    return
                log.finished_at = time.monotonic()
                self.close_connection = True

            def _json(self, data: dict[str, Any], status: int = 200) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler


def _tokens(text: str) -> int:
    return max(1, round(len(text) / CHARS_PER_TOKEN)) if text else 0


def _usage(prompt: str, text: str) -> dict[str, int]:
    prompt_tokens, completion_tokens = _tokens(prompt), _tokens(text)
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens}


def _chunk(model: str, choices: list[dict[str, Any]], usage: dict[str, int] | None = None) -> bytes:
    data: dict[str, Any] = {
        "id": "chatcmpl-loopback",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
    }
    if usage is not None:
        data["usage"] = usage
    return f"data: {json.dumps(data)}\n\n".encode()


def _delta(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    return _chunk(model, [{"index": 0, "delta": delta, "finish_reason": finish}])


def _stream(out: Any, model: str, answer: LoopbackAnswer, pace: Pace, prompt: str) -> None:
    time.sleep(pace.first_token)
    step = max(1, int(pace.chunk_tokens * CHARS_PER_TOKEN))
    delay = pace.chunk_tokens / pace.tokens_per_second if pace.tokens_per_second else 0.0
    out.write(_delta(model, {"role": "assistant", "content": ""}))
    for index in range(0, len(answer.text), step):
        if index:
            time.sleep(delay)
        out.write(_delta(model, {"content": answer.text[index : index + step]}))
        out.flush()
    out.write(_delta(model, {}, answer.finish_reason))
    if pace.include_usage:
        out.write(_chunk(model, [], _usage(prompt, answer.text)))
    out.write(b"data: [DONE]\n\n")
    out.flush()


def _completion(model: str, answer: LoopbackAnswer, prompt: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-loopback",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text}, "finish_reason": answer.finish_reason}],
        "usage": _usage(prompt, answer.text),
    }
