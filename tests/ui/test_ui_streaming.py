"""The worker-thread / queue bridge, without Streamlit: events in, text for st.write_stream out."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.api import Studio
from assistant.errors import ProviderUnavailableError
from assistant.providers.scripted import ScriptedProvider, ScriptedReply
from ui.runs import _views
from ui.streaming import ChainJob

PACK = "escalation-procedure"


@pytest.fixture
def studio() -> Studio:
    return Studio()


def _job(studio: Studio, provider: ScriptedProvider, steps: list[str], *, outputs=None, **options) -> ChainJob:
    pack = studio.pack(PACK)
    variables = studio.variables(pack, pack.example)
    cancel = threading.Event()
    runner = studio.runner(
        pack, variables, provider=provider, history=False, cancel=cancel, backoff_base=0.0, **options
    )
    return ChainJob(
        "run",
        _views(pack, steps),
        lambda on_event: runner.run(steps, outputs=outputs or {}, on_event=on_event),
        cancel,
        pack=PACK,
    ).start()


def _show(job: ChainJob) -> dict[tuple[str, tuple[str, int]], str]:
    """Do what the chain page does: stream every stage in order until the job ends."""
    shown: dict = {}
    while True:
        target = job.next_stage(set(shown))
        if target is None:
            if job.finished:
                return shown
            job.poll(0.05)
            continue
        shown[target] = "".join(job.text_stream(*target))


def test_deltas_reach_the_page_in_order_and_the_result_arrives_last(studio: Studio) -> None:
    text = "# Playbook\n\nCosts $5K <b>.\n" * 20
    job = _job(
        studio,
        ScriptedProvider([ScriptedReply.from_text(text, size=7, delay=0.001)]),
        ["playbook"],
        max_repair_rounds=0,
    )
    shown = _show(job)
    assert list(shown) == [("playbook", ("main", 1))]
    streamed = shown[("playbook", ("main", 1))]
    assert streamed.replace("&lt;", "<").replace("\\$", "$").replace("### ", "# ") == text
    assert job.end is not None and job.end.error is None
    assert job.end.result.steps["playbook"].text == text
    assert job.thread.name == "playbook-run" and not job.thread.is_alive()


def test_fan_out_parts_are_shown_in_sequence_under_their_titles(studio: Studio) -> None:
    def reply(request):
        return ScriptedReply.from_text(f"Part text for {request.task.part}.\n", size=5, delay=0.001)

    job = _job(studio, ScriptedProvider(reply), ["runbooks"], outputs={"playbook": "# Playbook\n"}, max_repair_rounds=0)
    shown = _show(job)
    text = shown[("runbooks", ("main", 1))]
    order = [
        text.index(f"Part text for {part}")
        for part in ("escalation_owner", "incident_commander", "comms_lead", "sme_lead")
    ]
    assert order == sorted(order)
    assert text.startswith("### Escalation Owner / Customer Liaison")


def test_a_retry_starts_the_stream_again(studio: Studio) -> None:
    flaky = ScriptedReply.from_text("first attempt text", size=4, fault=ProviderUnavailableError("down"), fault_after=2)
    job = _job(
        studio,
        ScriptedProvider([flaky, ScriptedReply.from_text("# Second\n\nattempt.\n")]),
        ["playbook"],
        max_repair_rounds=0,
    )
    shown = _show(job)
    assert shown[("playbook", ("main", 2))] == "### Second\n\nattempt.\n"
    assert job.views["playbook"].messages and "Retrying" in job.views["playbook"].messages[0]


def test_stop_keeps_what_streamed(studio: Studio) -> None:
    slow = ScriptedReply.from_text("word " * 400, size=5, delay=0.01)
    job = _job(studio, ScriptedProvider([slow]), ["playbook", "runbooks"], max_repair_rounds=0)
    while len(job.views["playbook"].text) < 50:
        job.poll(0.05)
    job.stop()
    assert "Stopping" in job.status_line("playbook")
    job.wait(10)
    result = job.end.result
    assert result.status == "cancelled"
    assert result.steps["playbook"].status == "cancelled"
    assert 50 <= len(result.steps["playbook"].text) < len("word " * 400)
    assert job.views["playbook"].text == result.steps["playbook"].text
    assert result.steps["runbooks"].status in ("cancelled", "skipped")


def test_a_crash_in_the_worker_is_handed_to_the_page() -> None:
    def boom(on_event):
        raise RuntimeError("engine bug")

    job = ChainJob("run", [], boom, threading.Event()).start()
    job.wait(5)
    assert isinstance(job.end.error, RuntimeError)


def test_waiting_never_blocks_longer_than_the_poll(studio: Studio) -> None:
    slow = ScriptedReply.from_text("x" * 20, size=10, first_delay=0.5)
    job = _job(studio, ScriptedProvider([slow]), ["playbook"], max_repair_rounds=0)
    ticks: list[float] = []
    started = time.monotonic()
    stream = job.text_stream("playbook", ("main", 1), tick=lambda: ticks.append(time.monotonic() - started))
    while not job.views["playbook"].started:
        job.poll(0.05)
    "".join(stream)
    assert ticks and ticks[0] < 0.3  # the page gets control back (progress line, Stop) while it waits


def test_a_retry_never_leaks_the_next_attempts_text_into_the_previous_stream() -> None:
    from assistant.chain import ChainEvent
    from ui.streaming import StepView

    release = threading.Event()

    def work(emit):
        emit(ChainEvent(kind="started", step="playbook"))
        emit(ChainEvent(kind="delta", step="playbook", text="attempt-one "))
        release.wait(5)
        # the retry and the new attempt's first text arrive together, in one poll
        emit(ChainEvent(kind="retried", step="playbook", message="503"))
        emit(ChainEvent(kind="delta", step="playbook", text="SECOND-ATTEMPT-TEXT"))
        emit(ChainEvent(kind="finished", step="playbook"))
        return None

    job = ChainJob("run", [StepView(step="playbook", title="Playbook")], work, threading.Event()).start()
    while not job.stages("playbook"):
        job.poll(0.01)
    stream = job.text_stream("playbook", ("main", 1))
    first = next(stream)
    release.set()
    rest = "".join(stream)
    assert first == "attempt-one " and "SECOND" not in rest
    assert "".join(job.text_stream("playbook", ("main", 2))) == "SECOND-ATTEMPT-TEXT"
