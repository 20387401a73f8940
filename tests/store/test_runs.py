"""Run history store: every test runs on SQLite and (marked ``postgres``) on a real PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_fixtures import (  # noqa: F401  (fixtures are used by name)
    STEP_KEYS,
    db_url,
    postgres_url,
    process_dies_mid_step,
    process_writer,
    step_text,
    store,
    write_runs,
)

from assistant.errors import RunNotFoundError, StoreError
from assistant.settings import Settings
from assistant.store import CachedAnswer, Store, TokenUsage
from assistant.store.migrate import migrations_config
from assistant.store.schema import Base

FAKE_KEY = "sk-test-0123456789abcdefDONOTSTORE"
SHA = "a" * 64
USAGE = {"input_tokens": 1200, "output_tokens": 3400, "estimated": True}


def new_run(store: Store, **overrides: Any) -> str:
    fields: dict[str, Any] = {
        "pack": "escalation-procedure",
        "variables": {"company_name": "AtlasFlow", "channels": ["email", "chat"]},
        "provider": "openai",
        "model": "gpt-4.1-mini",
        "base_url": "http://localhost:8080/v1",
        "options": {"steps": ["playbook", "runbooks"], "concurrency": 4, "expert_system": True},
    }
    return store.create_run(**(fields | overrides))


def db_time(url: str, moment: datetime) -> datetime:
    """A timestamp as a raw SQL parameter: SQLite columns hold naive UTC, PostgreSQL's are aware."""
    return moment.replace(tzinfo=None) if url.startswith("sqlite") else moment


def table_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in ("runs", "steps", "step_versions", "response_cache")
            }
    finally:
        engine.dispose()


# --- round trips ------------------------------------------------------------------------


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
    store.finish_step(
        run_id, "playbook", status="truncated", text="# Playbook", usage=USAGE, cost=0.0123,
        timings=timings, report=report, error="stopped at max tokens",
    )
    store.set_run_status(run_id, "done", usage={"input_tokens": 5, "output_tokens": 6}, cost=0.5)

    run = store.get_run(run_id)
    assert run.id == run_id and len(run_id) == 32 and int(run_id, 16) >= 0
    assert run.pack == "escalation-procedure"
    assert run.variables == {"company_name": "AtlasFlow", "channels": ["email", "chat"]}
    assert (run.provider, run.model, run.base_url) == ("openai", "gpt-4.1-mini", "http://localhost:8080/v1")
    assert run.options == {"steps": ["playbook", "runbooks"], "concurrency": 4, "expert_system": True}
    assert run.status == run.stored_status == "done"
    assert run.usage == TokenUsage(input_tokens=5, output_tokens=6, estimated=False)
    assert run.cost == 0.5
    assert run.created_at.tzinfo == UTC and run.updated_at.tzinfo == UTC
    assert before <= run.created_at <= run.updated_at <= datetime.now(UTC)

    (step,) = run.steps
    assert step.key == "playbook"
    assert (step.status, step.effective_status) == ("truncated", "truncated")
    assert (step.prompt, step.system) == ("Write the playbook for AtlasFlow", "You are an expert")
    assert (step.text, step.text_or_partial) == ("# Playbook", "# Playbook")
    assert step.partial_text == "## 1) Escalation levels\n"
    assert step.error == "stopped at max tokens"
    assert step.usage == TokenUsage(**USAGE)
    assert step.cost == 0.0123
    assert step.timings == timings and step.report == report
    assert step.attempts == 1
    assert step.heartbeat_at is not None and step.heartbeat_at.tzinfo == UTC
    assert step.created_at.tzinfo == UTC
    assert [(v.number, v.kind, v.text) for v in step.versions or []] == [(1, "generated", "# Playbook")]


def test_a_new_attempt_replaces_the_last_one(store: Store) -> None:
    run_id = new_run(store)
    store.start_step(run_id, "playbook", prompt="p1", system=None)
    store.finish_step(run_id, "playbook", status="failed", text="", usage=USAGE, error="rate limited")
    store.start_step(run_id, "playbook", prompt="p2", system="s")
    step = store.get_run(run_id).steps[0]
    assert (step.status, step.attempts, step.prompt, step.system) == ("running", 2, "p2", "s")
    assert (step.text, step.error, step.usage, step.cost) == ("", None, None, None)
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
    store.finish_step(run_id, "playbook", status="incomplete", text="regenerated")
    store.start_step(run_id, "playbook", prompt="p", system=None)
    store.finish_step(run_id, "playbook", status="failed", text="half")

    step = store.get_run(run_id).steps[0]
    assert step.text == "half"
    versions = step.versions or []
    assert [(v.number, v.kind, v.text) for v in versions] == [
        (1, "generated", "draft"),
        (2, "repaired", "draft + routing"),
        (3, "edited", "edited by a person"),
        (4, "generated", "regenerated"),
    ]
    assert [v.created_at for v in versions] == sorted(v.created_at for v in versions)


def test_add_version_makes_the_text_current_and_set_report_replaces_the_report(store: Store) -> None:
    run_id = new_run(store)
    store.start_step(run_id, "playbook", prompt="p", system=None)
    store.finish_step(run_id, "playbook", status="done", text="draft", report={"ok": False})
    store.add_version(run_id, "playbook", "fixed", "edited")
    store.set_report(run_id, "playbook", {"ok": True, "missing": []})
    step = store.get_run(run_id).steps[0]
    assert (step.text, step.report) == ("fixed", {"ok": True, "missing": []})


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
    for write in (
        lambda: store.checkpoint(run_id, "playbook", "x"),
        lambda: store.add_version(run_id, "playbook", "x", "edited"),
        lambda: store.set_report(run_id, "playbook", {}),
    ):
        with pytest.raises(StoreError, match="no step 'playbook'; start the step"):
            write()


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


# --- listing, deleting, unknown ids ---------------------------------------------------------


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
        "set_report": lambda: store.set_report("nope", "playbook", {}),
    }
    for name, call in calls.items():
        with pytest.raises(RunNotFoundError) as caught:
            call()
        assert "'nope'" in str(caught.value) and "run `playbook history` to list runs" in str(caught.value), name
        assert caught.value.exit_code == 2


# --- the response cache -------------------------------------------------------------------


def test_cache_get_and_put(store: Store) -> None:
    assert store.cache_get(SHA) is None
    store.cache_put(SHA, provider="openai", model="gpt-4.1-mini", text="answer", usage=USAGE)
    hit = store.cache_get(SHA)
    assert isinstance(hit, CachedAnswer)
    assert (hit.key, hit.provider, hit.model, hit.text) == (SHA, "openai", "gpt-4.1-mini", "answer")
    assert hit.usage == TokenUsage(**USAGE)
    assert hit.created_at.tzinfo == UTC
    store.cache_put(SHA, provider="anthropic", model="claude-sonnet-4-5", text="newer", usage={})
    replaced = store.cache_get(SHA)
    assert replaced is not None
    assert (replaced.provider, replaced.model, replaced.text) == ("anthropic", "claude-sonnet-4-5", "newer")
    assert replaced.usage == TokenUsage()
    with pytest.raises(ValueError, match="sha256"):
        store.cache_put("not-a-hash", provider="openai", model="m", text="t", usage={})


# --- interrupted steps ----------------------------------------------------------------------


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


# --- migrations ---------------------------------------------------------------------------


def current_and_head(url: str) -> tuple[set[str], set[str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return current, set(ScriptDirectory.from_config(migrations_config()).get_heads())


def test_a_database_filled_at_the_first_revision_survives_the_upgrade(db_url: str) -> None:
    """Rows written the way the first released version wrote them still read back after open."""
    engine = sa.create_engine(db_url)
    created = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    stamp = db_time(db_url, created)
    try:
        with engine.begin() as connection:
            config = migrations_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            connection.execute(
                sa.text(
                    "INSERT INTO runs (id, pack, variables, provider, model, base_url, options, status,"
                    " created_at, updated_at, input_tokens, output_tokens, usage_estimated, cost)"
                    " VALUES ('0123456789abcdef0123456789abcdef', 'escalation-procedure', :variables, 'offline',"
                    " 'offline-draft', NULL, :options, 'done', :at, :at, 10, 20, :false, 0.25)"
                ),
                {
                    "variables": '{"company_name": "AtlasFlow"}',
                    "options": '{"steps": ["playbook"]}',
                    "at": stamp,
                    "false": False,
                },
            )
            connection.execute(
                sa.text(
                    "INSERT INTO steps (id, run_id, key, status, prompt, system, text, partial_text, attempts,"
                    " heartbeat_at, created_at) VALUES (1, '0123456789abcdef0123456789abcdef', 'playbook', 'done',"
                    " 'prompt', NULL, 'old text', '', 1, :at, :at)"
                ),
                {"at": stamp},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO step_versions (step_id, number, kind, text, created_at)"
                    " VALUES (1, 1, 'generated', 'old text', :at)"
                ),
                {"at": stamp},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO response_cache (key, provider, model, text, usage, created_at)"
                    f" VALUES ('{SHA}', 'offline', 'offline-draft', 'cached', :usage, :at)"
                ),
                {"usage": '{"input_tokens": 1, "output_tokens": 2, "estimated": false}', "at": stamp},
            )
    finally:
        engine.dispose()

    store = Store(db_url)
    try:
        run = store.get_run("0123456789abcdef0123456789abcdef")
        assert (run.variables, run.options) == ({"company_name": "AtlasFlow"}, {"steps": ["playbook"]})
        assert (run.status, run.cost) == ("done", 0.25)
        assert run.created_at == created and run.usage == TokenUsage(input_tokens=10, output_tokens=20)
        assert [(v.kind, v.text) for v in run.steps[0].versions or []] == [("generated", "old text")]
        assert store.cache_get(SHA) is not None
        store.add_version(run.id, "playbook", "new text", "edited")
        store.start_step(run.id, "runbooks:comms_lead", prompt="p", system=None)
        assert [step.key for step in store.get_run(run.id).steps] == ["playbook", "runbooks:comms_lead"]
    finally:
        store.close()
    current, head = current_and_head(db_url)
    assert current == head


def test_opening_twice_is_idempotent_and_leaves_the_schema_at_head(db_url: str) -> None:
    first = Store(db_url)
    run_id = new_run(first)
    first.close()
    second = Store(db_url)
    try:
        assert second.get_run(run_id).id == run_id
    finally:
        second.close()
    current, head = current_and_head(db_url)
    assert current == head == {"0001"}
    assert table_counts(db_url)["runs"] == 1


def test_the_models_match_what_the_migrations_create(store: Store, db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()


# --- secrets ------------------------------------------------------------------------------


def test_no_secret_reaches_the_database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("PLAYBOOK_BASE_URL", f"https://proxy:{FAKE_KEY}@llm.example.com/v1?api-key={FAKE_KEY}&v=2")
    configured = Settings(database_url=db_url)
    assert configured.api_key_for("openai") == FAKE_KEY
    store = Store.from_settings(configured)
    try:
        run_id = store.create_run(
            pack="escalation-procedure",
            variables={"company_name": "AtlasFlow"},
            provider=configured.resolved_provider,
            model=configured.resolved_model,
            base_url=configured.base_url,
            options={"steps": ["playbook"], "concurrency": configured.concurrency, "max_tokens": configured.max_tokens},
        )
        store.start_step(run_id, "playbook", prompt="prompt", system=None)
        store.checkpoint(run_id, "playbook", "partial")
        store.finish_step(run_id, "playbook", status="done", text="text", usage=USAGE, report={"ok": True})
        store.cache_put(SHA, provider="openai", model="gpt-4.1-mini", text="text", usage=USAGE)
        assert store.get_run(run_id).base_url == "https://llm.example.com/v1?api-key=REDACTED&v=2"
        refused = ({"api_key": FAKE_KEY}, {"provider": {"default_headers": {"x": "y"}}}, {"Authorization": "Bearer"})
        for options in refused:
            with pytest.raises(ValueError, match="never stores"):
                store.create_run(pack="p", variables={}, provider="openai", model="m", base_url=None, options=options)

        engine = sa.create_engine(db_url)
        try:
            with engine.connect() as connection:
                for table in Base.metadata.sorted_tables:
                    rows = connection.execute(sa.select(table)).all()
                    assert rows and FAKE_KEY not in repr(rows), table.name
        finally:
            engine.dispose()

        if db_url.startswith("sqlite"):
            files = sorted(Path(db_url.removeprefix("sqlite:///")).parent.glob("history.db*"))
            assert {path.name for path in files} >= {"history.db", "history.db-wal"}
            for path in files:
                assert FAKE_KEY.encode() not in path.read_bytes(), path.name
    finally:
        store.close()


# --- SQLite specifics ------------------------------------------------------------------------


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


# --- many writers at once -------------------------------------------------------------------

THREADS, PROCESSES, RUNS, CHECKPOINTS = 8, 4, 3, 20


def assert_every_row_present_and_own(store: Store, url: str, workers: list[str]) -> None:
    runs = store.list_runs(limit=1000)
    assert Counter(run.variables["worker"] for run in runs) == {worker: RUNS for worker in workers}
    for listed in runs:
        run = store.get_run(listed.id)
        assert run.options["worker"] == run.variables["worker"]
        assert (run.status, run.usage, run.cost) == ("done", TokenUsage(input_tokens=30, output_tokens=60), 0.003)
        assert [step.key for step in run.steps] == list(STEP_KEYS)
        for step in run.steps:
            assert (step.status, step.attempts) == ("done", 1)
            assert step.prompt == step_text(run.id, step.key, "prompt")
            assert step.partial_text == step_text(run.id, step.key, CHECKPOINTS - 1)
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


def test_urls_quoted_in_error_messages_lose_their_credentials(db_url: str) -> None:
    store = Store(db_url)
    try:
        run_id = store.create_run(pack="p", variables={}, provider="openai", model="m", base_url=None, options={})
        store.start_step(run_id, "playbook", prompt="x", system=None)
        store.finish_step(
            run_id, "playbook", status="failed", text="",
            error="Cannot reach https://user:pw-SECRET@llm.example.com/v1?api-key=SECRET-QUERY&v=2: is it running?",
        )
        error = store.get_run(run_id).steps[0].error
        assert "SECRET" not in error and "llm.example.com/v1" in error and "is it running?" in error
    finally:
        store.close()
