"""The chain runner with the scripted provider: order, concurrency, faults, repair, resume."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from assistant.chain import ChainEvent, ChainRunner, RunOptions
from assistant.errors import AuthError, ProviderUnavailableError, RateLimitError, VariablesError
from assistant.providers.base import CompletionRequest, DraftTask
from assistant.providers.offline import OfflineProvider, compose_from_checklist
from assistant.providers.scripted import ScriptedProvider, ScriptedReply
from assistant.store import Store
from assistant.packs import Pack


def draft_for(pack: Pack, request: CompletionRequest) -> str:
    """A complete, valid answer for whatever the request asks (the offline composer)."""
    task = request.task
    assert task is not None
    return compose_from_checklist(pack, task)


def responder(pack: Pack, **per_step: object):
    """Answer each request from the offline composer unless a step is scripted otherwise."""

    def answer(request: CompletionRequest) -> ScriptedReply:
        task = request.task
        key = task.step if task.part is None else f"{task.step}:{task.part}"
        special = per_step.get(key) or per_step.get(task.step)
        if callable(special):
            return special(request)
        if isinstance(special, ScriptedReply):
            return special
        return ScriptedReply.from_text(draft_for(pack, request), size=400)

    return answer


def fast(**overrides: object) -> RunOptions:
    return RunOptions(backoff_base=0.0, backoff_cap=0.0, **overrides)


def test_default_run_orders_steps_by_their_needs(procedure: Pack, atlasflow: dict) -> None:
    provider = ScriptedProvider(responder(procedure))
    events: list[ChainEvent] = []
    result = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast()).run(on_event=events.append)
    assert result.status == "done"
    assert list(result.steps) == ["playbook", "runbooks", "training"]
    order = [(r.task.step, r.task.part) for r in provider.requests]
    assert order[0] == ("playbook", None)
    assert {p for s, p in order[1:5]} == {"escalation_owner", "incident_commander", "comms_lead", "sme_lead"}
    assert order[5] == ("training", None)
    # training read both earlier outputs
    assert "Escalation Levels & Definitions" in provider.requests[5].prompt
    assert "Incident Commander" in provider.requests[5].prompt
    kinds = [e.kind for e in events if e.step == "playbook"]
    assert kinds[0] == "started" and "delta" in kinds and kinds.index("finished") < kinds.index("validated")
    assert all(step.report and step.report.ok for step in result.steps.values())


def test_fan_out_parts_run_in_parallel_and_join_in_manifest_order(procedure: Pack, atlasflow: dict) -> None:
    delays = {"escalation_owner": 0.3, "incident_commander": 0.2, "comms_lead": 0.1, "sme_lead": 0.0}

    def slow_part(request: CompletionRequest) -> ScriptedReply:
        text = draft_for(procedure, request)
        return ScriptedReply.from_text(text, size=len(text), first_delay=delays[request.task.part])

    provider = ScriptedProvider(responder(procedure, runbooks=slow_part))
    runner = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast(concurrency=4))
    started = time.monotonic()
    result = runner.run(["runbooks"], outputs={"playbook": "PLAYBOOK"})
    elapsed = time.monotonic() - started
    assert elapsed < 0.55, "four parts should overlap, not take 0.6 s one after another"
    text = result.steps["runbooks"].text
    positions = [text.index(title) for title in ("Escalation Owner", "Incident Commander", "Comms Lead", "SME Lead")]
    assert positions == sorted(positions)
    assert result.steps["runbooks"].report.ok


def test_concurrency_bound_is_respected(procedure: Pack, atlasflow: dict) -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def tracked(request: CompletionRequest) -> ScriptedReply:
        text = draft_for(procedure, request)
        return ScriptedReply(chunks=[text[: len(text) // 2], text[len(text) // 2 :]], delay=0.05)

    class Counting(ScriptedProvider):
        def stream(self, request):  # type: ignore[override]
            nonlocal in_flight, peak
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            try:
                yield from super().stream(request)
            finally:
                with lock:
                    in_flight -= 1

    provider = Counting(tracked)
    steps = [s.id for s in procedure.steps if s.optional] + ["runbooks"]
    ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast(concurrency=2)).run(
        steps, outputs={"playbook": "PLAYBOOK"}
    )
    assert len(provider.requests) == 10
    assert peak == 2


def test_a_failing_step_stops_only_its_dependants(procedure: Pack, atlasflow: dict) -> None:
    broken = ScriptedReply.from_text("x", fault=AuthError("bad key"), fault_after=0)
    provider = ScriptedProvider(responder(procedure, runbooks=broken))
    steps = ["runbooks", "training", "customer_narrative"]
    result = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast()).run(
        steps, outputs={"playbook": "PLAYBOOK"}
    )
    assert result.steps["runbooks"].status == "failed"
    assert "bad key" in result.steps["runbooks"].error
    assert result.steps["training"].status == "skipped"
    assert "runbooks" in result.steps["training"].error
    assert result.steps["customer_narrative"].status == "done"
    assert not any(r.task.step == "training" for r in provider.requests)
    assert result.status == "failed"


def test_retries_honour_retry_after_and_never_retry_auth(procedure: Pack, atlasflow: dict) -> None:
    waits: list[float] = []
    flaky = [
        ScriptedReply.from_text("Partial answ", fault=RateLimitError("slow down", retry_after=7.0), fault_after=1, size=4),
        ScriptedReply.from_text("x", fault=ProviderUnavailableError("503"), fault_after=0),
    ]

    def playbook(request: CompletionRequest) -> ScriptedReply:
        return flaky.pop(0) if flaky else ScriptedReply.from_text(draft_for(procedure, request), size=500)

    provider = ScriptedProvider(responder(procedure, playbook=playbook))
    events: list[ChainEvent] = []
    runner = ChainRunner(
        procedure, provider, model="m", variables=atlasflow,
        options=RunOptions(backoff_base=0.5, backoff_cap=4.0), sleep=waits.append,
    )
    result = runner.run(["playbook"], on_event=events.append)
    assert result.steps["playbook"].status == "done"
    assert waits == [7.0, 1.0]  # retry-after wins over backoff; then 0.5 * 2
    assert sum(1 for e in events if e.kind == "retried") == 2
    assert len(provider.requests) == 3

    provider = ScriptedProvider([ScriptedReply.from_text("x", fault=AuthError("check OPENAI_API_KEY"), fault_after=0)])
    result = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast(), sleep=waits.append).run(["playbook"])
    assert result.steps["playbook"].status == "failed" and len(provider.requests) == 1


def test_text_received_before_a_final_failure_is_kept(procedure: Pack, atlasflow: dict) -> None:
    cut = ScriptedReply(chunks=["## 1) Escalation Levels\n", "Level 0 is standard support"], finish_reason=None)
    provider = ScriptedProvider([cut] * 3)
    result = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast(max_retries=2)).run(["playbook"])
    step = result.steps["playbook"]
    assert step.status == "incomplete"
    assert step.text == "## 1) Escalation Levels\nLevel 0 is standard support"
    assert len(provider.requests) == 3


def test_length_finish_is_flagged_and_repaired(procedure: Pack, atlasflow: dict) -> None:
    full = compose_from_checklist(procedure, DraftTask(pack=procedure.name, step="playbook", variables=atlasflow))
    cut_at = full.index("## 6)")
    truncated = ScriptedReply.from_text(full[:cut_at] + "## 6) Internal Communication Standards\n\nThe war room opens in", finish_reason="length")
    provider = ScriptedProvider(responder(procedure, playbook=lambda r: truncated if r.task.sections is None else ScriptedReply.from_text(draft_for(procedure, r))))
    events: list[ChainEvent] = []
    result = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast()).run(["playbook"], on_event=events.append)
    first_report = next(e.report for e in events if e.kind == "validated")
    assert first_report.truncated and any(l.code == "truncated" for l in first_report.lints)
    assert "resolution_closure" in first_report.missing
    # the section being written when the answer was cut has its war room, not its other points
    cut_section = first_report.section("internal_comms")
    assert cut_section.status == "incomplete" and "War room setup checklist" not in cut_section.missing_items
    repair_request = provider.requests[1]
    assert repair_request.task.sections == ["internal_comms", *first_report.missing]
    assert repair_request.task.items == {"internal_comms": cut_section.missing_items}
    assert "levels" not in repair_request.task.sections
    step = result.steps["playbook"]
    assert step.report.ok and step.status == "done"
    assert step.text.count("## 6) Internal Communication Standards") == 1
    assert step.text.index("The war room opens in") < step.text.index("Executive brief format") < step.text.index("## 7)")


def test_repair_asks_only_for_the_missing_sections_and_merges_in_order(procedure: Pack, atlasflow: dict) -> None:
    full = compose_from_checklist(procedure, DraftTask(pack=procedure.name, step="playbook", variables=atlasflow))
    start, end = full.index("## 4)"), full.index("## 5)")
    start2, end2 = full.index("## 8)"), full.index("## 9)")
    without_two = full[:start] + full[end:start2] + full[end2:]

    def playbook(request: CompletionRequest) -> ScriptedReply:
        if request.task.sections is None:
            return ScriptedReply.from_text(without_two, size=300)
        return ScriptedReply.from_text("Here you go:\n\n" + draft_for(procedure, request))

    provider = ScriptedProvider(responder(procedure, playbook=playbook))
    result = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast()).run(["playbook"])
    assert len(provider.requests) == 2, "one repair round is enough"
    repair = provider.requests[1]
    assert repair.task.sections == ["routing", "service_recovery"]
    assert "### 4) Escalation Routing Rules" in repair.prompt and "### 8) Service Recovery" in repair.prompt
    assert "### 1) Escalation Levels" not in repair.prompt and "### 3) Ownership Model" not in repair.prompt
    step = result.steps["playbook"]
    assert step.report.ok
    headings = [line for line in step.text.splitlines() if line.startswith("## ")]
    assert [h.split(")")[0] for h in headings[:10]] == [f"## {n}" for n in range(1, 11)]
    spent = step.repair_usage.input_tokens + step.repair_usage.output_tokens
    assert 0 < spent <= 0.3 * step.regeneration_tokens


def test_stop_keeps_what_streamed(procedure: Pack, atlasflow: dict) -> None:
    cancel = threading.Event()
    slow = ScriptedReply(chunks=["## 1) Escalation Levels\n", "Level 0", " and more"] + ["."] * 50, delay=0.02)
    provider = ScriptedProvider([slow])

    def stop_after_some(event: ChainEvent) -> None:
        if event.kind == "delta" and "Level 0" in event.text:
            cancel.set()

    runner = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast(), cancel=cancel)
    result = runner.run(["playbook", "runbooks"], on_event=stop_after_some)
    assert result.steps["playbook"].status == "cancelled"
    assert result.steps["playbook"].text.startswith("## 1) Escalation Levels\nLevel 0")
    assert result.status == "cancelled"


def test_steps_must_have_their_inputs(procedure: Pack, atlasflow: dict) -> None:
    runner = ChainRunner(procedure, ScriptedProvider(), model="m", variables=atlasflow)
    with pytest.raises(VariablesError, match="--steps playbook,training"):
        runner.run(["training"], outputs={"runbooks": "R"})


def test_resume_never_requests_finished_steps_or_parts(procedure: Pack, atlasflow: dict, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    broken = ScriptedReply.from_text("partial comms text", fault=AuthError("bad key"), fault_after=1, size=8)
    first = ScriptedProvider(responder(procedure, **{"runbooks:comms_lead": broken}))
    result = ChainRunner(procedure, first, model="m", variables=atlasflow, options=fast(), store=store).run()
    assert result.steps["runbooks"].status == "failed"
    run_id = result.run_id
    stored = {s.key: s for s in store.get_run(run_id).steps}
    assert stored["runbooks:comms_lead"].text_or_partial.startswith("partial ")

    second = ScriptedProvider(responder(procedure))
    resumed = ChainRunner(procedure, second, model="m", variables=atlasflow, options=fast(), store=store).run(run_id=run_id)
    asked = [(r.task.step, r.task.part) for r in second.requests]
    assert asked == [("runbooks", "comms_lead"), ("training", None)]
    assert resumed.status == "done" and resumed.run_id == run_id


def test_cache_reuses_an_identical_request(procedure: Pack, atlasflow: dict, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    provider = ScriptedProvider(responder(procedure))
    options = fast(cache=True)
    first = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=options, store=store).run(["playbook"])
    events: list[ChainEvent] = []
    second = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=options, store=store).run(
        ["playbook"], on_event=events.append
    )
    assert len(provider.requests) == 1
    assert second.steps["playbook"].text == first.steps["playbook"].text
    assert second.steps["playbook"].usage.output_tokens == 0
    assert any(e.kind == "cached" and "no tokens" in e.message for e in events)


def test_offline_provider_drafts_pass_their_own_checklists(library, procedure: Pack, atlasflow: dict) -> None:
    for name in library.names:
        pack = library.get(name)
        from assistant.packs import prepare_variables

        variables = prepare_variables(pack, pack.example)
        result = ChainRunner(pack, OfflineProvider(library), model="offline-draft", variables=variables).run(
            [s.id for s in pack.steps]
        )
        for step_id, step in result.steps.items():
            assert step.report.ok, (name, step_id, step.report.missing, step.report.lints)
            assert "Offline draft" in step.text


def test_a_repair_cut_at_max_tokens_keeps_the_step_truncated(procedure: Pack, atlasflow: dict) -> None:
    full = compose_from_checklist(procedure, DraftTask(pack=procedure.name, step="playbook", variables=atlasflow))
    draft = full[: full.index("## 10)")]

    def playbook(request: CompletionRequest) -> ScriptedReply:
        if request.task.sections is None:
            return ScriptedReply.from_text(draft, finish_reason="length")
        return ScriptedReply.from_text(draft_for(procedure, request), finish_reason="length")

    provider = ScriptedProvider(responder(procedure, playbook=playbook))
    result = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast(max_repair_rounds=1)).run(["playbook"])
    step = result.steps["playbook"]
    assert step.status == "truncated" and result.status == "incomplete"
    assert step.report.truncated and not step.report.ok


def test_user_max_tokens_caps_every_request(procedure: Pack, atlasflow: dict) -> None:
    provider = ScriptedProvider(responder(procedure))
    ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast(max_tokens=200)).run(["playbook"])
    assert provider.requests[0].max_tokens == 200


def test_stop_marks_steps_not_started_as_cancelled_not_skipped(procedure: Pack, atlasflow: dict) -> None:
    cancel = threading.Event()
    slow = ScriptedReply(chunks=["## 1) Escalation Levels\n", "Level 0"] + ["."] * 50, delay=0.02)
    provider = ScriptedProvider([slow])

    def stop(event: ChainEvent) -> None:
        if event.kind == "delta":
            cancel.set()

    result = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast(), cancel=cancel).run(on_event=stop)
    assert result.steps["playbook"].status == "cancelled"
    assert result.steps["runbooks"].status == "cancelled" and result.steps["training"].status == "cancelled"


def test_fan_out_usage_adds_up_across_parallel_parts(procedure: Pack, atlasflow: dict) -> None:
    from assistant.providers.base import Usage

    def part(request: CompletionRequest) -> ScriptedReply:
        return ScriptedReply.from_text(draft_for(procedure, request), size=200, delay=0.001, usage=Usage(input_tokens=100, output_tokens=10))

    provider = ScriptedProvider(responder(procedure, runbooks=part))
    for _ in range(5):
        result = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=fast(concurrency=4)).run(
            ["runbooks"], outputs={"playbook": "PLAYBOOK"}
        )
        assert result.steps["runbooks"].usage.input_tokens == 400 and result.steps["runbooks"].usage.output_tokens == 40


def test_a_repair_cut_off_at_the_length_limit_leaves_the_stored_step_truncated_like_the_result(procedure, atlasflow, tmp_path) -> None:
    from assistant.providers.scripted import ScriptedProvider, ScriptedReply
    from assistant.store import Store

    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    replies = [ScriptedReply.from_text("## 1) Escalation Levels\n\nLevel 1: the agent owns it.\n"), ScriptedReply.from_text("## 4) Escalation Routing Rules\n\nRoute by", finish_reason="length")]
    result = ChainRunner(procedure, ScriptedProvider(replies), model="m", variables=atlasflow, store=store, options=RunOptions(max_repair_rounds=1)).run(["playbook"])
    step = result.steps["playbook"]
    stored = store.get_run(result.run_id).steps[0]
    assert step.status == "truncated" and stored.status == step.status and stored.current.kind == "repaired"
