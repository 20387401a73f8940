"""The fault matrix end to end: the chain runner + the real OpenAI SDK against respx.

Every fault either ends in a successful retry or in a clear message that says
what to do, and in every case the text received so far is kept.
"""

from __future__ import annotations

import httpx
import pytest
import respx

from assistant.chain import ChainEvent, ChainRunner, RunOptions
from assistant.providers.base import DraftTask
from assistant.providers.offline import compose_from_checklist
from assistant.providers.openai import OpenAIProvider
from assistant.packs import Pack

BASE = "https://api.openai.com/v1"
PARTIAL = ["## 1) Escalation Levels & Definitions\n\n", "Level 0 covers standard support for every "]


@pytest.fixture
def full_answer(procedure: Pack, atlasflow: dict) -> str:
    return compose_from_checklist(procedure, DraftTask(pack=procedure.name, step="playbook", variables=atlasflow))


def ok(wire, text: str) -> httpx.Response:
    chunks = [text[i : i + 500] for i in range(0, len(text), 500)]
    return httpx.Response(200, headers=wire.HEADERS, text=wire.sse(wire.events(chunks)))


def status(code: int, headers: dict[str, str] | None = None, message: str = "boom") -> httpx.Response:
    return httpx.Response(code, headers=headers or {}, json={"error": {"message": message, "type": "x", "code": None}})


def run(procedure: Pack, atlasflow: dict, responses: list, max_retries: int = 3, repair_rounds: int = 0):
    waits: list[float] = []
    events: list[ChainEvent] = []
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        route = mock.post("/chat/completions").mock(side_effect=responses)
        provider = OpenAIProvider(api_key="sk-test-key-000")
        runner = ChainRunner(
            procedure, provider, model="gpt-4.1-mini", variables=atlasflow,
            options=RunOptions(max_retries=max_retries, backoff_base=1.0, backoff_cap=8.0, max_repair_rounds=repair_rounds),
            sleep=waits.append,
        )
        result = runner.run(["playbook"], on_event=events.append)
        calls = route.call_count
    return result.steps["playbook"], waits, events, calls


@pytest.mark.parametrize(
    ("first", "expected_wait"),
    [
        (lambda w: status(429, {"retry-after": "3"}), 3.0),
        (lambda w: status(429), 1.0),
        (lambda w: status(500), 1.0),
        (lambda w: status(502), 1.0),
        (lambda w: status(503), 1.0),
        (lambda w: status(529, message="Overloaded"), 1.0),
        (lambda w: httpx.ConnectError("refused"), 1.0),
        (lambda w: httpx.ReadTimeout("slow"), 1.0),
        (lambda w: httpx.Response(200, headers=w.HEADERS, text=w.sse(w.events(PARTIAL, finish=None, usage=None)[:-1])), 1.0),
        (lambda w: httpx.Response(200, headers=w.HEADERS, text=w.sse(w.events([""], usage=None))), 1.0),
        (lambda w: httpx.Response(200, headers=w.HEADERS, text="data: {not json\n\n"), 1.0),
    ],
    ids=["429-retry-after", "429", "500", "502", "503", "529", "connect", "read-timeout", "cut-stream", "empty", "malformed"],
)
def test_transient_faults_are_retried_to_success(procedure, atlasflow, openai_wire, full_answer, first, expected_wait) -> None:
    step, waits, events, calls = run(procedure, atlasflow, [first(openai_wire), ok(openai_wire, full_answer)])
    assert step.status == "done" and step.text == full_answer
    assert waits == [expected_wait] and calls == 2
    assert [e.kind for e in events].count("retried") == 1


@pytest.mark.parametrize(
    ("response", "advice"),
    [
        (status(401), "OPENAI_API_KEY"),
        (status(403), "choose another model"),
        (status(404), "choose another model"),
        (status(400, message="context length exceeded"), "raise the model's context"),
    ],
    ids=["401", "403", "404", "400"],
)
def test_caller_faults_fail_at_once_with_advice(procedure, atlasflow, response, advice) -> None:
    step, waits, events, calls = run(procedure, atlasflow, [response])
    assert step.status == "failed" and calls == 1 and waits == []
    assert advice in step.error
    assert "sk-test-key-000" not in step.error
    assert any(e.kind == "failed" and advice in e.message for e in events)


def test_persistent_rate_limit_gives_up_with_what_to_do(procedure, atlasflow) -> None:
    step, waits, _, calls = run(procedure, atlasflow, [status(429)] * 3, max_retries=2)
    assert step.status == "failed" and calls == 3 and waits == [1.0, 2.0]
    assert "rate limiting" in step.error and "PLAYBOOK_CONCURRENCY" in step.error


def test_a_stream_cut_every_time_keeps_the_longest_partial_text(procedure, atlasflow, openai_wire) -> None:
    cut = lambda: httpx.Response(200, headers=openai_wire.HEADERS, text=openai_wire.sse(openai_wire.events(PARTIAL, finish=None, usage=None)[:-1]))
    step, waits, _, calls = run(procedure, atlasflow, [cut(), cut(), cut()], max_retries=2)
    assert step.status == "incomplete" and calls == 3
    assert step.text == "".join(PARTIAL)
    assert "retry" in step.error


def test_max_tokens_cut_is_kept_and_flagged_with_advice(procedure, atlasflow, openai_wire, full_answer) -> None:
    half = full_answer[: len(full_answer) // 2]
    response = httpx.Response(200, headers=openai_wire.HEADERS, text=openai_wire.sse(openai_wire.events([half], finish="length")))
    step, waits, _, calls = run(procedure, atlasflow, [response])
    assert step.status == "truncated" and step.text == half and calls == 1 and waits == []
    truncated = [lint for lint in step.report.lints if lint.code == "truncated"]
    assert truncated and "Raise max tokens" in truncated[0].message
    assert step.report.missing, "later sections are missing"


def test_truncated_answer_is_completed_by_a_targeted_repair(procedure, atlasflow, openai_wire, full_answer) -> None:
    half = full_answer[: full_answer.index("## 6)")]
    rest = full_answer[full_answer.index("## 6)") :]
    responses = [
        httpx.Response(200, headers=openai_wire.HEADERS, text=openai_wire.sse(openai_wire.events([half], finish="length"))),
        ok(openai_wire, rest),
    ]
    step, _, events, calls = run(procedure, atlasflow, responses, repair_rounds=1)
    assert calls == 2 and step.status == "done" and step.report.ok
    asked = [e.message for e in events if e.kind == "repairing"]
    assert asked and "Internal Communication Standards" in asked[0] and "Escalation Levels" not in asked[0]
