"""Schema upgrades: old databases survive, opening is idempotent, the rows match the migrations."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from store_fixtures import SHA, db_time, new_run, table_counts

from assistant.store import Store, TokenUsage
from assistant.store.migrate import migrations_config
from assistant.store.schema import Base


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
        # a set from before owners belongs to the configured legacy owner (default local:legacy), shared with nobody
        assert (run.owner, run.shared_with, run.title, run.labels) == ("local:legacy", None, None, [])
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
    assert current == head and len(head) == 1
    assert table_counts(db_url)["runs"] == 1


def test_the_models_match_what_the_migrations_create(store: Store, db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()
