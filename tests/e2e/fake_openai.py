"""A tiny OpenAI-compatible server on loopback that streams canned answers slowly.

Used by the browser tests (and by hand) to watch the app stream a real
provider's answer and to press Stop mid-answer, with no network and no key:
point the sidebar at it with provider OpenAI and Base URL ``http://127.0.0.1:PORT/v1``.

Answers come from ``tests/data/answers``: the AtlasFlow playbook (minus the
sections named in ``drop``, so the checklist has something to repair), one
role of the AtlasFlow runbooks per fan-out request, the training pack, and for
a repair prompt exactly the sections it asks for. ``Unauthorized`` is the same kind of server
with a key it refuses: every request gets OpenAI's 401.

    python tests/e2e/fake_openai.py --port 8765 --delay 0.02
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from assistant.providers.loopback import LoopbackServer, Pace
from assistant.providers.tokens import CHARS_PER_TOKEN

ANSWERS = Path(__file__).resolve().parent.parent / "data" / "answers"
MODEL = "fake-model"
ROLES = ["Escalation Owner / Customer Liaison", "Incident Commander", "Comms Lead", "SME Lead"]


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading line, block) for each ``## `` section of ``text``."""
    parts = re.split(r"(?m)^(?=## )", text)
    return [(part.splitlines()[0], part) for part in parts if part.startswith("## ")]


def playbook(drop: tuple[str, ...] = ()) -> str:
    text = (ANSWERS / "pb_atlasflow_complete.md").read_text(encoding="utf-8")
    for heading, block in _sections(text):
        if any(word.lower() in heading.lower() for word in drop):
            text = text.replace(block, "")
    return text


def runbook(role: str) -> str:
    text = (ANSWERS / "rb_atlasflow_complete.md").read_text(encoding="utf-8")
    blocks = re.split(r"(?m)^(?=# )", text)
    return next((b for b in blocks if b.startswith(f"# {role}")), blocks[-1])


def repair(prompt: str) -> str:
    """The sections a repair prompt asks for, each with its required items as bullets."""
    out: list[str] = []
    for match in re.finditer(r"(?ms)^### (.+?)\n(.*?)(?=^### |^Facts about|\Z)", prompt):
        title, body = match.group(1), match.group(2)
        items = [line[2:] for line in body.splitlines() if line.startswith("- ")]
        out.append(
            f"## {title}\n\n"
            + "\n".join(f"- **{item}**: owned by the Support Lead; reviewed monthly." for item in items)
        )
    return "\n\n".join(out) + "\n"


def answer(prompt: str, drop: tuple[str, ...]) -> str:
    if prompt.startswith("You are completing a draft"):
        return repair(prompt)
    if "Create role-based runbooks" in prompt:
        role = next((r for r in ROLES if f"runbook for {r}" in prompt or f"Write the runbook for: {r}" in prompt), None)
        if role is None:
            wanted = re.search(r"(?m)^# (.+?) runbook", prompt)
            role = wanted.group(1) if wanted else ROLES[0]
        return runbook(role)
    if "Create escalation training and QA" in prompt:
        return (ANSWERS / "tr_atlasflow_complete.md").read_text(encoding="utf-8")
    return playbook(drop)


def FakeOpenAI(port: int = 0, *, delay: float = 0.02, chunk: int = 24, drop: tuple[str, ...] = ()) -> LoopbackServer:  # noqa: N802
    """The project's loopback server answering with the AtlasFlow answers above, ``delay`` s per chunk."""

    def reply(body: dict) -> str:
        prompt = next((m["content"] for m in reversed(body.get("messages", [])) if m["role"] == "user"), "")
        return answer(prompt, drop)

    tokens = chunk / CHARS_PER_TOKEN
    pace = Pace(tokens_per_second=tokens / delay if delay else 0.0, chunk_tokens=max(1, round(tokens)))
    return LoopbackServer(reply, pace, model=MODEL, port=port)


class Unauthorized:
    """A loopback server that refuses every request with OpenAI's 401, as a revoked key is refused.

    ``with Unauthorized() as server: ... server.base_url ...``; ``server.requests`` holds the path and
    the Authorization header of each request, so a test sees which key reached the server.
    """

    BODY = json.dumps(
        {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error", "code": "invalid_api_key"}}
    ).encode()

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        refused = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def _refuse(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                refused.requests.append((self.path, self.headers.get("authorization", "")))
                self.send_response(401)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(refused.BODY)))
                self.end_headers()
                self.wfile.write(refused.BODY)

            do_GET = do_POST = _refuse

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> Unauthorized:
        threading.Thread(target=self._server.serve_forever, name="unauthorized-server", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds between chunks")
    parser.add_argument("--drop", default="", help="comma-separated playbook section words to leave out, e.g. Metrics")
    args = parser.parse_args()
    with FakeOpenAI(args.port, delay=args.delay, drop=tuple(w for w in args.drop.split(",") if w)) as fake:
        print(f"Fake OpenAI-compatible server at {fake.base_url} (model {MODEL!r}); Ctrl+C to stop.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
