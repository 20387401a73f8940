"""A loopback Zendesk and PagerDuty that keep state and check every request against the API description.

Each request is validated with openapi-core against the same OpenAPI description the studio checks
its bodies with; a request that does not fit is answered 400 and kept in ``violations`` (the
tests assert there are none). Objects get ids and keep every field they were sent; unrelated
objects seeded by a test are served alongside the studio's. ``faults`` makes the next requests
that match fail with a status (401, 429, 5xx), to test how the studio copes.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest

from assistant.publish.clients import COLLECTIONS
from assistant.publish.schemas import api_description

HOSTS = {"zendesk": "https://example.zendesk.com", "pagerduty": "https://api.pagerduty.com"}


@dataclass
class Fault:
    method: str
    path: str
    status: int
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)


class FakeVendor:
    """One vendor's API on 127.0.0.1, with state, request validation and injected faults."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.api = OpenAPI.from_dict(api_description(target))  # type: ignore[arg-type]
        self.objects: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in COLLECTIONS}
        self.requests: list[tuple[str, str, Any]] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def seed(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Put an object in the account (a group, a schedule, someone else's trigger)."""
        obj = {"id": self._new_id(kind), **fields}
        self.objects[kind][str(obj["id"])] = obj
        return obj

    def named(self, kind: str, name: str) -> dict[str, Any]:
        return next(o for o in self.objects[kind].values() if (o.get("title") or o.get("name")) == name)

    def writes(self) -> list[tuple[str, str, Any]]:
        return [r for r in self.requests if r[0] != "GET"]

    def _new_id(self, kind: str) -> Any:
        number = next(self._ids)
        return f"P{number}" if self.target == "pagerduty" else (str(number) if kind == "trigger_category" else number)

    def _kind(self, path: str) -> tuple[str, str | None] | None:
        for kind, (base, _) in COLLECTIONS.items():
            if path == base:
                return kind, None
            if path.startswith(base + "/") and "/" not in path[len(base) + 1 :]:
                return kind, path[len(base) + 1 :]
        return None

    def handle(self, method: str, raw_path: str, headers: dict[str, str], data: bytes) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(raw_path)
        args = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            self.requests.append((method, parts.path, json.loads(data) if data else None))
            fault = next((f for f in self.faults if f.method == method and parts.path.startswith(f.path) and f.times > 0), None)
            if fault is not None:
                fault.times -= 1
                return fault.status, fault.headers, {"error": f"injected {fault.status}", "echo": headers.get("authorization", "")}
        request = MockRequest(HOSTS[self.target], method.lower(), parts.path, args=args, headers=headers, data=data or None)
        try:
            self.api.validate_request(request)
        except Exception as exc:  # openapi-core raises one of many error types; each is a violation
            detail = "; ".join(str(e) for e in getattr(exc, "schema_errors", []) or [exc])
            self.violations.append(f"{method} {parts.path}: {detail}")
            return 400, {}, {"error": "invalid request", "details": detail}
        found = self._kind(parts.path)
        if found is None:
            return 404, {}, {"error": "not found"}
        kind, object_id = found
        return self._serve(method, kind, object_id, args, json.loads(data) if data else None)

    def _serve(self, method: str, kind: str, object_id: str | None, args: dict[str, str], body: Any) -> tuple[int, dict[str, str], Any]:
        key = COLLECTIONS[kind][1]
        with self._lock:
            store = self.objects[kind]
            if method == "GET":
                query = args.get("query", "").casefold()
                items = [o for o in store.values() if query in str(o.get("name") or o.get("title") or "").casefold()]
                return 200, {}, {key: items, "next_page": None} if self.target == "zendesk" else {key: items, "more": False}
            wrapper, fields = next(iter(body.items()))
            if method == "POST":
                obj = {**fields, "id": self._new_id(kind)}
                store[str(obj["id"])] = obj
                return 201, {}, {wrapper: obj}
            if object_id not in store:
                return 404, {}, {"error": f"no {kind} {object_id}"}
            store[object_id] = {**store[object_id], **fields}
            return 200, {}, {wrapper: store[object_id]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            def _do(self) -> None:
                data = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, answer = vendor.handle(self.command, self.path, headers, data)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _do

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
