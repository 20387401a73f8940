"""The entry point: navigation, the shared sidebar (provider, key, connection test, estimates)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI  # tests/e2e/fake_openai.py

from assistant.settings import DEFAULT_MODELS

SECRET = "sk-test-NEVER-ON-DISK-7f3a9c1e5b"


@pytest.mark.parametrize("page", ["organisation", "chain", "levels", "validate", "history"])
def test_every_page_renders_without_exception(app, page: str) -> None:
    app.page(page)
    assert app.at.title, page
    # the shared sidebar is drawn on every page
    assert app.at.selectbox(key="provider_name").value == "offline"


def test_offline_by_default_and_says_how_to_connect_a_model(app) -> None:
    info = "\n".join(i.value for i in app.at.info)
    assert "Producing offline drafts" in info
    assert "OPENAI_API_KEY" in info and "Base URL" in info
    assert "api_key__openai" not in {w.key for w in app.at.text_input}


def test_key_field_is_a_password_and_env_keys_are_never_shown(app, monkeypatch: pytest.MonkeyPatch) -> None:
    app.at.selectbox(key="provider_name").set_value("openai").run()
    field = app.at.text_input(key="api_key__openai")
    assert field.proto.type == field.proto.PASSWORD
    assert any("No OpenAI key yet" in w.value for w in app.at.warning)

    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    app.at.selectbox(key="provider_name").set_value("anthropic").run()
    assert "Using key from environment (ANTHROPIC_API_KEY)" in app.texts()
    assert "api_key__anthropic" not in {w.key for w in app.at.text_input}
    assert SECRET not in app.texts()
    assert all(SECRET != w.value for w in app.at.text_input)


def test_test_connection_reports_success_and_errors(app) -> None:
    app.click("test_connection")
    assert any("Offline drafts need no connection" in s.value for s in app.at.success)
    app.at.selectbox(key="provider_name").set_value("anthropic").run()
    app.click("test_connection")
    assert any("No Anthropic key found" in e.value for e in app.at.error)


def test_estimates_for_the_next_step_and_the_whole_run(app) -> None:
    app.load_example()
    app.at.selectbox(key="provider_name").set_value("openai").run()
    app.at.text_input(key="model_name__openai").input("gpt-4.1-mini").run()
    text = app.texts()
    assert "**Next step** (Generate the Full Escalation Playbook)" in text
    assert "**Rest of the run** (3 steps)" in text and "≈ $" in text


def test_a_typed_key_reaches_the_provider_in_memory_but_never_the_disk(app) -> None:
    with FakeOpenAI(delay=0) as server:
        app.load_example()
        app.at.selectbox(key="provider_name").set_value("openai").run()
        app.at.text_input(key="model_name__openai").input("fake-model").run()
        app.at.text_input(key="base_url__openai").input(server.base_url).run()
        app.at.text_input(key="api_key__openai").input(SECRET).run()
        app.click("test_connection")
        assert any("Connected to the server" in s.value for s in app.at.success)
        app.page("chain")
        app.click("run_all")
        assert app.draft("training").status == "done"
        assert app.draft("playbook").provider == "openai"
        # the key went to the server, as a bearer token ...
        assert server.authorizations and set(server.authorizations) == {f"Bearer {SECRET}"}
    # ... and nowhere on disk: not the history database (with its WAL), not the exports
    data_dir = Path(os.environ["PLAYBOOK_DATA_DIR"])
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name.startswith("history.db") for p in files)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
    app.page("history")
    assert SECRET not in app.texts()
    # it lives only in this session's memory
    assert app.at.session_state["_api_keys"]["openai"] == SECRET


def test_model_and_url_are_kept_per_provider(app) -> None:
    app.at.selectbox(key="provider_name").set_value("openai").run()
    app.at.text_input(key="model_name__openai").input("gpt-4o").run()
    app.at.text_input(key="base_url__openai").input("http://127.0.0.1:9/v1").run()
    app.at.selectbox(key="provider_name").set_value("anthropic").run()
    assert app.at.text_input(key="model_name__anthropic").value == ""
    assert app.at.text_input(key="model_name__anthropic").placeholder == DEFAULT_MODELS["anthropic"]
    app.at.selectbox(key="provider_name").set_value("offline").run()
    assert "Model: offline-draft" in app.texts()
    app.load_example().page("chain")
    app.click("run__playbook")
    assert app.draft("playbook").model == "offline-draft"  # the OpenAI model does not follow
    app.at.selectbox(key="provider_name").set_value("openai").run()
    assert app.at.text_input(key="model_name__openai").value == "gpt-4o"
    assert app.at.text_input(key="base_url__openai").value == "http://127.0.0.1:9/v1"


def test_the_operators_key_never_goes_to_a_base_url_a_visitor_typed(app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with FakeOpenAI(delay=0) as server:
        app.load_example()
        app.at.selectbox(key="provider_name").set_value("openai").run()
        app.at.text_input(key="model_name__openai").input("fake-model").run()
        app.at.text_input(key="base_url__openai").input(server.base_url).run()
        # the key field is offered again: this URL is not where the operator's key may go
        assert "api_key__openai" in {w.key for w in app.at.text_input}
        assert "sent only to the endpoint its operator configured" in app.texts()
        app.click("test_connection")
        app.page("chain")
        app.click("run__playbook")
        assert app.draft("playbook").status == "done"
        assert server.authorizations and all(SECRET not in value for value in server.authorizations)


def test_the_operators_key_goes_to_the_endpoint_the_operator_configured(app, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAI(delay=0) as server:
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        monkeypatch.setenv("PLAYBOOK_BASE_URL", server.base_url)
        monkeypatch.setenv("PLAYBOOK_MODEL", "fake-model")
        app.load_example()
        app.at.selectbox(key="provider_name").set_value("openai").run()
        assert "Using key from environment (OPENAI_API_KEY)" in app.texts()
        app.click("test_connection")
        assert server.authorizations == [f"Bearer {SECRET}"]
