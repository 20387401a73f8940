"""No secret reaches the database: not in options, base URLs, error messages or the files on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from store_fixtures import SHA, USAGE

from assistant.settings import Settings
from assistant.store import Store
from assistant.store.schema import Base

FAKE_KEY = "sk-test-0123456789abcdefDONOTSTORE"


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
        store.audit.record("local:ops", "ran", run_id=run_id, detail={"steps": ["playbook"]}, cost=0.01)
        store.reviews.add(run_id, "approved", actor="local:ops", actor_email=None, versions={"playbook": 1}, content_hash=SHA, policy={})
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
