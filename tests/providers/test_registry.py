"""make_provider builds the right provider from settings, lazily, and says how to fix a missing key."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.errors import ConfigurationError
from assistant.providers import make_provider, redact, retry_after_seconds
from assistant.providers.scripted import ScriptedProvider, ScriptedReply
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "PLAYBOOK_PROVIDER", "PLAYBOOK_BASE_URL", "PLAYBOOK_MODEL")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in KEYS:
        monkeypatch.delenv(name, raising=False)


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_openai_from_its_key():
    provider = make_provider(settings(openai_api_key="sk-test-1", request_timeout=33))

    assert provider.name == "openai" and provider.timeout == 33 and provider.is_openai


def test_openai_compatible_server_needs_no_key():
    provider = make_provider(settings(provider="openai", base_url="http://localhost:11434/v1"))

    assert provider.name == "openai" and provider.base_url == "http://localhost:11434/v1"


def test_anthropic_from_its_key():
    provider = make_provider(settings(anthropic_api_key="sk-ant-test-1"))

    assert provider.name == "anthropic" and provider.is_anthropic


@pytest.mark.parametrize(("name", "env_var"), [("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY")])
def test_missing_key_says_how_to_fix_it(name, env_var):
    with pytest.raises(ConfigurationError) as caught:
        make_provider(settings(provider=name))

    message = caught.value.message
    assert env_var in message and "sidebar" in message and "--provider offline" in message


def test_name_overrides_the_settings():
    assert make_provider(settings(openai_api_key="sk-test-1"), name="scripted").name == "scripted"


def test_scripted_takes_a_ready_provider_a_list_or_a_callable():
    ready = ScriptedProvider(["x"])
    assert make_provider(settings(provider="scripted"), scripted=ready) is ready

    from_list = make_provider(settings(provider="scripted"), scripted=[ScriptedReply(["listed"])])
    assert "".join(e.text for e in list(from_list.stream(_request()))[:-1]) == "listed"

    from_callable = make_provider(settings(provider="scripted"), scripted=lambda r: "called")
    assert list(from_callable.stream(_request()))[0].text == "called"


def test_scripted_without_a_script_gives_a_fixed_answer():
    provider = make_provider(settings(provider="scripted"))

    assert [e.text for e in list(provider.stream(_request()))[:-1]] == ["Scripted answer."]


def test_offline_is_built_lazily_from_its_module(monkeypatch):
    import types

    fake = types.ModuleType("assistant.providers.offline")

    class OfflineProvider:
        name = "offline"

    fake.OfflineProvider = OfflineProvider
    monkeypatch.setitem(sys.modules, "assistant.providers.offline", fake)

    assert isinstance(make_provider(settings()), OfflineProvider)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ConfigurationError, match="offline, openai, anthropic, scripted"):
        make_provider(settings(), name="gemini")


def test_importing_the_registry_does_not_import_the_sdks():
    code = (
        "import sys, assistant.providers, assistant.providers.scripted;"
        "loaded = [m for m in ('openai', 'anthropic', 'httpx2') if m in sys.modules];"
        "print(','.join(loaded))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})

    assert result.stdout.strip() == ""


# --- the helpers the adapters share --------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": "soon"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_seconds(headers, expected):
    assert retry_after_seconds(headers) == expected


def test_retry_after_http_date_is_relative_to_now():
    now = time.time()
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412450.0) == 30.0
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=now) == 0.0


def test_redact_removes_secrets():
    assert redact("bad key sk-abc123456 given", ["sk-abc123456", None]) == "bad key *** given"


def _request():
    from assistant.providers.base import CompletionRequest

    return CompletionRequest(model="scripted", prompt="p")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://user:pass@127.0.0.1:9/v1", "must not contain a user name or password"),
        ("http://127.0.0.1:9/v1?key=abc", "must not contain a query string"),
        ("ftp://127.0.0.1/v1", "must start with http:// or https://"),
    ],
)
def test_a_base_url_the_sdk_would_mishandle_is_refused_before_any_request(url: str, message: str) -> None:
    from assistant.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=message):
        make_provider(settings(provider="openai", base_url=url, openai_api_key="sk-test-1"))
