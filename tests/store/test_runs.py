"""Runs, steps and versions through the Store API, on SQLite and (marked ``postgres``) a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_fixtures import USAGE, new_run, table_counts

from assistant.errors import RunNotFoundError, StoreError
from assistant.store import Store, TokenUsage


# --- round trips ----------------------------------------------------------------------


def test_every_field_round_trips(store: Store) -> None:
    before = datetime.now(UTC)
    run_id = new_run(store)
    store.set_run_status(run_id, "running")
    store.start_step(run_id, "playbook", prompt="Write the playbook for AtlasFlow", system="You are an expert")
    store.checkpoint(run_id, "playbook", "## 1) Escalation levels\n")
    partial = store.get_run(run_id).steps[0]
    assert (partial.status, partial.partial_text, partial.text) == ("running", "## 1) Escalation levels\n", "")
    assert partial.text_or_partial == "## 1) Escalation levels\n"

    timings = {"started": 1.5, "first_token": 2.25, "finished": 9.0, "latency": 7.5}
    report = {"ok": False, "missing": ["routing"], "sections": [{"id": "levels", "status": "present"}]}
    inputs = {"steps": {}, "variables": {"company_name": "AtlasFlow"}}
    assert store.finish_step(
        run_id, "playbook", status="truncated", text="# Playbook", usage=USAGE, cost=0.0123,
        timings=timings, report=report, error="stopped at max tokens", provider="openai", model="gpt-4.1-mini", inputs=inputs,
    ) == 1
    store.set_run_status(run_id, "done")

    run = store.get_run(run_id)
    assert run.id == run_id and len(run_id) == 32 and int(run_id, 16) >= 0
    assert run.pack == "escalation-procedure"
    assert run.variables == {"company_name": "AtlasFlow", "channels": ["email", "chat"]}
    assert (run.provider, run.model, run.base_url) == ("openai", "gpt-4.1-mini", "http://localhost:8080/v1")
    assert run.options == {"steps": ["playbook", "runbooks"], "concurrency": 4, "expert_system": True}
    assert run.status == run.stored_status == "done"
    # a document set's figures are the sum of its steps
    assert run.usage == TokenUsage(**USAGE)
    assert run.cost == 0.0123
    assert run.created_at.tzinfo == UTC and run.updated_at.tzinfo == UTC
    assert before <= run.created_at <= run.updated_at <= datetime.now(UTC)

    (step,) = run.steps
    assert step.key == "playbook"
    assert (step.status, step.effective_status) == ("truncated", "truncated")
    assert (step.prompt, step.system) == ("Write the playbook for AtlasFlow", "You are an expert")
    assert (step.text, step.text_or_partial) == ("# Playbook", "# Playbook")
    assert step.partial_text == ""  # the finished answer is the current version now
    assert step.error == "stopped at max tokens"
    assert step.usage == TokenUsage(**USAGE)
    assert step.cost == 0.0123
    assert step.timings == timings and step.report == report
    assert step.attempts == 1
    assert step.heartbeat_at is not None and step.heartbeat_at.tzinfo == UTC
    assert step.created_at.tzinfo == UTC
    assert [(v.number, v.kind, v.text) for v in step.versions or []] == [(1, "generated", "# Playbook")]
    version = step.current
    assert version is not None and (version.provider, version.model, version.inputs) == ("openai", "gpt-4.1-mini", inputs)
    assert (version.usage, version.cost, version.report) == (TokenUsage(**USAGE), 0.0123, report)


def test_a_new_attempt_starts_clean_but_keeps_what_the_step_has_cost(store: Store) -> None:
    run_id = new_run(store)
    store.start_step(run_id, "playbook", prompt="p1", system=None)
    store.finish_step(run_id, "playbook", status="failed", text="par", usage=USAGE, cost=0.01, error="rate limited")
    store.start_step(run_id, "playbook", prompt="p2", system="s")
    step = store.get_run(run_id).steps[0]
    assert (step.status, step.attempts, step.prompt, step.system) == ("running", 2, "p2", "s")
    assert (step.text, step.partial_text, step.error) == ("", "", None)
    # the failed attempt was billed: it stays in the step's totals
    assert (step.usage, step.cost) == (TokenUsage(**USAGE), 0.01)
    assert step.versions == []


def test_steps_read_in_creation_order(store: Store) -> None:
    run_id = new_run(store)
    keys = ["playbook", "runbooks:incident_commander", "runbooks:comms_lead", "runbooks:escalation_owner", "training"]
    for key in keys:
        store.start_step(run_id, key, prompt=key, system=None)
    store.finish_step(run_id, "runbooks:comms_lead", status="done", text="comms")
    assert [step.key for step in store.get_run(run_id).steps] == keys


def test_finishing_without_starting_records_the_step(store: Store) -> None:
    run_id = new_run(store)
    store.finish_step(run_id, "training", status="cancelled", text="")
    step = store.get_run(run_id).steps[0]
    assert (step.status, step.attempts, step.prompt, step.versions) == ("cancelled", 0, None, [])


def test_versions_keep_every_text_in_order(store: Store) -> None:
    run_id = new_run(store)
    store.start_step(run_id, "playbook", prompt="p", system=None)
    store.finish_step(run_id, "playbook", status="done", text="draft")
    assert store.add_version(run_id, "playbook", "draft + routing", "repaired") == 2
    assert store.add_version(run_id, "playbook", "edited by a person", "edited") == 3
    store.start_step(run_id, "playbook", prompt="p", system=None)
    store.finish_step(run_id, "playbook", status="done", text="regenerated")
    store.start_step(run_id, "playbook", prompt="p", system=None)
    store.finish_step(run_id, "playbook", status="incomplete", text="cut off mid")
    store.start_step(run_id, "playbook", prompt="p", system=None)
    store.finish_step(run_id, "playbook", status="failed", text="half")

    step = store.get_run(run_id).steps[0]
    # failed and cut-off attempts never replace the current version; their text is kept aside
    assert (step.text, step.partial_text, step.status) == ("regenerated", "half", "failed")
    versions = step.versions or []
    assert [(v.number, v.kind, v.text) for v in versions] == [
        (1, "generated", "draft"),
        (2, "repaired", "draft + routing"),
        (3, "edited", "edited by a person"),
        (4, "generated", "regenerated"),
    ]
    assert [v.created_at for v in versions] == sorted(v.created_at for v in versions)


def test_add_version_makes_the_text_and_its_report_current(store: Store) -> None:
    run_id = new_run(store)
    store.start_step(run_id, "playbook", prompt="p", system=None)
    store.finish_step(run_id, "playbook", status="done", text="draft", report={"ok": False})
    store.add_version(run_id, "playbook", "fixed", "edited", report={"ok": True, "missing": []})
    step = store.get_run(run_id).steps[0]
    assert (step.text, step.report, step.current.report) == ("fixed", {"ok": True, "missing": []}, {"ok": True, "missing": []})


def test_bad_values_are_refused(store: Store) -> None:
    run_id = new_run(store)
    with pytest.raises(ValueError, match="unknown step status 'finished'"):
        store.finish_step(run_id, "playbook", status="finished", text="x")
    with pytest.raises(ValueError, match="unknown run status"):
        store.set_run_status(run_id, "ok")
    with pytest.raises(ValueError, match="unknown version kind"):
        store.add_version(run_id, "playbook", "x", "rewritten")
    with pytest.raises(ValueError, match="step key"):
        store.start_step(run_id, "", prompt="p", system=None)
    with pytest.raises(ValueError):
        store.finish_step(run_id, "playbook", status="done", text="x", usage={"input_tokens": 1, "cached": 2})


def test_writing_to_a_step_that_was_never_started_says_so(store: Store) -> None:
    run_id = new_run(store)
    with pytest.raises(StoreError, match="no step 'playbook'; start the step"):
        store.checkpoint(run_id, "playbook", "x")


def test_a_pasted_or_imported_text_becomes_a_step_of_the_set(store: Store) -> None:
    run_id = new_run(store)
    assert store.add_version(run_id, "playbook", "our old playbook", "imported") == 1
    step = store.get_run(run_id).steps[0]
    assert (step.text, step.status, step.current.kind, step.current.provider) == ("our old playbook", "pending", "imported", None)


def test_edits_repairs_and_restores_keep_the_inputs_they_came_from_and_add_up_the_figures(store: Store) -> None:
    run_id = new_run(store)
    written_from = {"steps": {"playbook": 2}, "variables": {"company_name": "AtlasFlow"}}
    store.start_step(run_id, "training", prompt="p", system=None)
    store.finish_step(run_id, "training", status="done", text="v1", usage=USAGE, cost=0.02, provider="openai", model="m", inputs=written_from)
    store.add_version(run_id, "training", "v2", "repaired", provider="openai", model="m", usage={"input_tokens": 100, "output_tokens": 50}, cost=0.001)
    store.add_version(run_id, "training", "v3", "edited")
    store.add_version(run_id, "training", "v1", "restored")
    step = store.get_run(run_id).steps[0]
    assert [v.inputs for v in step.versions or []] == [written_from] * 4
    assert [(v.kind, v.provider, v.cost) for v in step.versions or []] == [
        ("generated", "openai", 0.02), ("repaired", "openai", 0.001), ("edited", None, None), ("restored", None, None)
    ]
    assert step.usage == TokenUsage(input_tokens=1300, output_tokens=3450, estimated=True)
    assert step.cost == 0.021 and store.get_run(run_id).cost == 0.021


def test_a_document_set_can_be_renamed_labelled_and_given_a_new_profile(store: Store) -> None:
    run_id = new_run(store)
    store.update_run(run_id, title="  AtlasFlow escalation policy 2027 ", labels=["draft", "EMEA", "draft", " "])
    store.update_run(run_id, variables={"company_name": "AtlasFlow Inc."})
    run = store.get_run(run_id)
    assert (run.title, run.labels, run.variables) == ("AtlasFlow escalation policy 2027", ["EMEA", "draft"], {"company_name": "AtlasFlow Inc."})
    with pytest.raises(StoreError, match="No run 'missing'"):
        store.update_run("missing", title="x")


texts = st.text(max_size=300)
json_values = st.dictionaries(
    st.text(min_size=1, max_size=20),
    st.one_of(
        st.text(max_size=40), st.lists(st.text(max_size=20), max_size=4), st.integers(-(2**31), 2**31), st.booleans()
    ),
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variables=json_values, prompt=texts, text=texts, partial=texts, kind=st.sampled_from(["edited", "repaired"]))
def test_any_text_round_trips(
    store: Store, variables: dict[str, Any], prompt: str, text: str, partial: str, kind: str
) -> None:
    """Unicode of every kind survives; NUL (which PostgreSQL cannot store) reads back as U+FFFD."""
    run_id = new_run(store, variables=variables, options={"note": text})
    store.start_step(run_id, "playbook", prompt=prompt, system=text)
    store.checkpoint(run_id, "playbook", partial)
    store.add_version(run_id, "playbook", text, kind)
    run = store.get_run(run_id)
    assert run.variables == variables and run.options == {"note": text}
    step = run.steps[0]
    clean = text.replace("\x00", "\ufffd")
    assert (step.prompt, step.system) == (prompt.replace("\x00", "\ufffd"), clean)
    assert (step.partial_text, step.text) == (partial.replace("\x00", "\ufffd"), clean)
    assert [v.text for v in step.versions or []] == [clean]


# --- listing, deleting, unknown ids ---------------------------------------------------


def test_list_runs_newest_first_with_a_limit(store: Store) -> None:
    ids = [new_run(store, pack=f"pack-{n}") for n in range(5)]
    store.start_step(ids[0], "playbook", prompt="p", system=None)
    listed = store.list_runs()
    assert [run.id for run in listed] == ids[::-1]
    assert [run.id for run in store.list_runs(limit=2)] == ids[::-1][:2]
    assert listed[-1].steps[0].key == "playbook" and listed[-1].steps[0].versions is None


def test_delete_removes_the_run_and_everything_under_it(store: Store, db_url: str) -> None:
    keep, gone = new_run(store), new_run(store)
    for run_id in (keep, gone):
        store.start_step(run_id, "playbook", prompt="p", system=None)
        store.finish_step(run_id, "playbook", status="done", text="t")
    store.delete_run(gone)
    assert [run.id for run in store.list_runs()] == [keep]
    assert table_counts(db_url) == {"runs": 1, "steps": 1, "step_versions": 1, "response_cache": 0}
    with pytest.raises(RunNotFoundError):
        store.delete_run(gone)


def test_an_unknown_run_id_says_how_to_find_runs(store: Store) -> None:
    calls = {
        "get_run": lambda: store.get_run("nope"),
        "delete_run": lambda: store.delete_run("nope"),
        "set_run_status": lambda: store.set_run_status("nope", "done"),
        "start_step": lambda: store.start_step("nope", "playbook", prompt="p", system=None),
        "checkpoint": lambda: store.checkpoint("nope", "playbook", "x"),
        "finish_step": lambda: store.finish_step("nope", "playbook", status="done", text="x"),
        "add_version": lambda: store.add_version("nope", "playbook", "x", "edited"),
        "update_run": lambda: store.update_run("nope", title="x"),
    }
    for name, call in calls.items():
        with pytest.raises(RunNotFoundError) as caught:
            call()
        assert "'nope'" in str(caught.value) and "run `playbook history` to list runs" in str(caught.value), name
        assert caught.value.exit_code == 2
