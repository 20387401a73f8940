"""What a reader sees: steps whose writer died read as interrupted, and the history summary."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from store_fixtures import db_time, new_run, process_dies_mid_step

from assistant.store import Store


def test_a_running_step_without_a_recent_heartbeat_reads_interrupted(store: Store, db_url: str) -> None:
    run_id = new_run(store)
    store.set_run_status(run_id, "running")
    store.start_step(run_id, "playbook", prompt="p", system=None)
    store.finish_step(run_id, "playbook", status="done", text="the playbook")
    store.start_step(run_id, "runbooks:comms_lead", prompt="p", system=None)
    store.checkpoint(run_id, "runbooks:comms_lead", "## First 15 minutes\n")
    fresh = store.get_run(run_id)
    assert fresh.status == "running" and fresh.steps[1].effective_status == "running"

    engine = sa.create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE steps SET heartbeat_at = :old WHERE key = :key"),
            {"old": db_time(db_url, datetime.now(UTC) - timedelta(seconds=30)), "key": "runbooks:comms_lead"},
        )
    engine.dispose()

    run = store.get_run(run_id)
    done, cut = run.steps
    assert (done.effective_status, cut.status, cut.effective_status) == ("done", "running", "interrupted")
    assert cut.text_or_partial == "## First 15 minutes\n"
    assert (run.stored_status, run.status) == ("running", "interrupted")
    assert run.to_summary() == {
        "id": run_id,
        "pack": "escalation-procedure",
        "status": "interrupted",
        "created_at": run.created_at.isoformat(),
        "provider": "openai",
        "model": "gpt-4.1-mini",
        "owner": None,
        "shared_with": None,
        "usage": None,
        "cost": None,
        "steps": [
            {"id": "playbook", "status": "done", "chars": len("the playbook")},
            {
                "id": "runbooks",
                "status": "interrupted",
                "chars": len("## First 15 minutes\n"),
                "parts": [{"id": "runbooks:comms_lead", "status": "interrupted", "chars": len("## First 15 minutes\n")}],
            },
        ],
    }
    json.dumps(store.list_runs()[0].to_summary())
    assert datetime.fromisoformat(run.to_summary()["created_at"]) == run.created_at
    assert store.list_runs()[0].status == "interrupted"


def test_the_staleness_window_is_a_constructor_argument(db_url: str) -> None:
    patient, impatient = Store(db_url), Store(db_url, stale_after=0.05)
    try:
        run_id = new_run(patient)
        patient.start_step(run_id, "playbook", prompt="p", system=None)
        time.sleep(0.2)
        assert patient.get_run(run_id).steps[0].effective_status == "running"
        before = impatient.get_run(run_id).steps[0]
        assert before.effective_status == "interrupted"
        impatient.checkpoint(run_id, "playbook", "more")
        after = patient.get_run(run_id).steps[0]
        assert before.heartbeat_at is not None and after.heartbeat_at is not None
        assert after.heartbeat_at - before.heartbeat_at >= timedelta(seconds=0.2)
        assert after.effective_status == "running"
    finally:
        patient.close()
        impatient.close()


def test_a_killed_writer_leaves_its_step_interrupted_with_the_partial_text(db_url: str) -> None:
    store = Store(db_url, stale_after=0.5)
    try:
        run_id = new_run(store)
        store.set_run_status(run_id, "running")
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        writer = context.Process(target=process_dies_mid_step, args=(db_url, run_id, "playbook", ready))
        writer.start()
        assert ready.get(timeout=60) == "checkpointed"
        assert store.get_run(run_id).steps[0].status == "running"
        os.kill(writer.pid, signal.SIGKILL)  # type: ignore[arg-type]
        writer.join(10)
        time.sleep(0.6)
        run = store.get_run(run_id)
        step = run.steps[0]
        assert (step.status, step.effective_status, run.status) == ("running", "interrupted", "interrupted")
        assert step.text == "" and step.text_or_partial == "## Escalation levels\nL1 ..."
    finally:
        store.close()
