"""Opening the database (SQLite pragmas, refused URLs) and many writers on it at once."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from pathlib import Path

import pytest
from store_fixtures import STEP_KEYS, process_writer, step_text, table_counts, write_runs

from assistant.errors import StoreError
from assistant.settings import Settings
from assistant.store import Store, TokenUsage


# --- SQLite specifics -----------------------------------------------------------------


def test_from_settings_creates_the_data_folder_with_wal_and_timeouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLAYBOOK_DATABASE_URL", raising=False)
    data_dir = tmp_path / "not" / "yet" / "there"
    store = Store.from_settings(Settings(data_dir=data_dir))
    try:
        assert (data_dir / "history.db").is_file()
        with store._database.engine.connect() as connection:  # the pragmas are per connection
            pragmas = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "busy_timeout", "foreign_keys")
            }
        assert pragmas == {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1}
    finally:
        store.close()


def test_in_memory_sqlite_is_refused_with_a_way_out() -> None:
    with pytest.raises(StoreError, match="use a file URL"):
        Store("sqlite://")


def test_a_bad_url_names_the_setting_without_echoing_it() -> None:
    with pytest.raises(StoreError, match="PLAYBOOK_DATABASE_URL") as caught:
        Store("not a url :: secret")
    assert "secret" not in str(caught.value)


# --- many writers at once -------------------------------------------------------------

THREADS, PROCESSES, RUNS, CHECKPOINTS = 8, 4, 3, 20


def assert_every_row_present_and_own(store: Store, url: str, workers: list[str]) -> None:
    runs = store.list_runs(limit=1000)
    assert Counter(run.variables["worker"] for run in runs) == {worker: RUNS for worker in workers}
    for listed in runs:
        run = store.get_run(listed.id)
        assert run.options["worker"] == run.variables["worker"]
        # a run's figures are its whole steps' (here only the playbook; the runbook parts are inside runbooks)
        assert (run.status, run.usage, run.cost) == ("done", TokenUsage(input_tokens=10, output_tokens=20), 0.001)
        assert [step.key for step in run.steps] == list(STEP_KEYS)
        for step in run.steps:
            assert (step.status, step.attempts) == ("done", 1)
            assert step.prompt == step_text(run.id, step.key, "prompt")
            assert step.partial_text == ""  # the finished answer replaced the checkpointed text
            assert step.text == step_text(run.id, step.key, "final")
            assert [(v.kind, v.text) for v in step.versions or []] == [("generated", step.text)]
    total = len(workers) * RUNS
    assert table_counts(url) == {"runs": total, "steps": total * 3, "step_versions": total * 3, "response_cache": 0}


def test_threads_and_processes_write_the_same_fresh_database(db_url: str) -> None:
    """All twelve writers open the not-yet-created database at the same moment, then write."""
    context = multiprocessing.get_context("spawn")
    ready, go = context.Queue(), context.Event()
    processes = [
        context.Process(target=process_writer, args=(db_url, f"process-{n}", RUNS, CHECKPOINTS, ready, go))
        for n in range(PROCESSES)
    ]
    failures: list[BaseException] = []

    def thread_writer(worker: str) -> None:
        try:
            go.wait(120)
            write_runs(db_url, worker, runs=RUNS, checkpoints=CHECKPOINTS)
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=thread_writer, args=(f"thread-{n}",)) for n in range(THREADS)]
    for worker in [*processes, *threads]:
        worker.start()
    for _ in processes:
        ready.get(timeout=120)
    go.set()
    for thread in threads:
        thread.join(240)
    for process in processes:
        process.join(240)
    assert not failures, failures
    assert [process.exitcode for process in processes] == [0] * PROCESSES

    store = Store(db_url)
    try:
        workers = [f"thread-{n}" for n in range(THREADS)] + [f"process-{n}" for n in range(PROCESSES)]
        assert_every_row_present_and_own(store, db_url, workers)
    finally:
        store.close()


def test_one_store_shared_by_threads(store: Store, db_url: str) -> None:
    """The UI shares one Store between sessions (st.cache_resource)."""
    failures: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            write_runs(db_url, name, runs=RUNS, checkpoints=CHECKPOINTS, store=store)
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(f"shared-{n}",)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(240)
    assert not failures, failures
    assert_every_row_present_and_own(store, db_url, [f"shared-{n}" for n in range(THREADS)])
