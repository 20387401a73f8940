"""The engine objects of one browser session, built from the sidebar fields.

Shared, thread-safe objects (the pack library and the history store) are
created once per process with ``st.cache_resource``. The session's
:class:`~assistant.settings.Settings` are rebuilt on every run from the
sidebar: the API key typed there goes into a ``SecretStr`` in memory and on to
the provider, never into the cache, the history, a log line or an export. The
Studio acts for the person signed in to the session (``ui/access.py``), so every
page sees only what that person may see.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from assistant.api import Provider, Studio, Viewer, visitor_settings
from assistant.errors import PlaybookError, VariablesError
from assistant.packs import Pack, PackLibrary
from assistant.settings import HOSTED_PROVIDERS, USER_PROVIDERS, Settings

from ui import access, state

PROVIDERS = tuple(p.value for p in USER_PROVIDERS)
PROVIDER_LABELS = {
    "offline": "Offline drafts (no model)",
    "openai": "OpenAI or a compatible server",
    "anthropic": "Anthropic",
    "scripted": "Scripted (tests)",
}
PROVIDER_NAMES = {"offline": "offline", "openai": "OpenAI", "anthropic": "Anthropic", "scripted": "scripted"}
KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}


@st.cache_resource(show_spinner=False, max_entries=4)
def shared_library(prompts_dir: str | None) -> PackLibrary:
    from pathlib import Path

    return PackLibrary(Path(prompts_dir) if prompts_dir else None)


@st.cache_resource(show_spinner="Opening the run history…", max_entries=8)
def shared_history(database_url: str) -> Any:
    """One history store per database for every session of this process (it is thread-safe)."""
    return Studio.open_history(database_url)


def environment_settings() -> Settings:
    """Settings from the environment alone (what `make run` was started with)."""
    return Settings()


def env_has_key(provider: str) -> bool:
    return environment_settings().api_key_for(provider) is not None


def default_provider() -> str:
    """The sidebar's first choice: the environment's provider, as the plain name widgets hold."""
    chosen = environment_settings().resolved_provider.value
    return chosen if chosen in PROVIDERS else "offline"


def typed_key(provider: str) -> str:
    return st.session_state.get(state.API_KEYS, {}).get(provider, "")


def env_default(kind: str, provider: str) -> str:
    """PLAYBOOK_MODEL / PLAYBOOK_BASE_URL apply to the provider the environment chose."""
    env = environment_settings()
    if env.resolved_provider != provider:
        return ""
    return (env.model if kind == state.W_MODEL else env.base_url) or ""


def sidebar_value(kind: str, provider: str) -> str:
    """The sidebar's model or base URL for ``provider`` (kept even while another provider is shown)."""
    key = state.provider_field(kind, provider)
    value = st.session_state.get(key, st.session_state.get(state.KEPT, {}).get(key))
    return (value if value is not None else env_default(kind, provider)).strip()


def session_settings() -> Settings:
    """Settings for this session: the environment, overridden by the sidebar fields (keys never lent)."""
    provider = st.session_state.get(state.W_PROVIDER) or default_provider()
    hosted = provider in HOSTED_PROVIDERS
    return visitor_settings(
        provider,
        model=(sidebar_value(state.W_MODEL, provider) or None) if hosted else None,
        base_url=(sidebar_value(state.W_BASE_URL, provider) or None) if hosted else None,
        typed_key=typed_key(provider) or None,
    )


def env_key_applies(provider: str) -> bool:
    """The environment has a key for ``provider`` and may send it to the Base URL in the sidebar."""
    return env_has_key(provider) and environment_settings().lends_keys_to(sidebar_value(state.W_BASE_URL, provider) or None)


def studio(viewer: Viewer | None = None) -> Studio:
    """A Studio for this run of the script, acting for ``viewer`` (by default the person signed in to
    this session; ``access.SignInRequired`` when there is none), sharing the process-wide library and store."""
    settings = session_settings()
    library = shared_library(str(settings.prompts_dir) if settings.prompts_dir else None)
    person = viewer or access.viewer(environment_settings())
    return Studio(settings, library=library, store=shared_history(settings.resolved_database_url), viewer=person)


def override() -> Provider | None:
    return st.session_state.get(state.PROVIDER_OVERRIDE)


def provider(studio: Studio) -> Provider:
    """The provider to run with; raises ``ConfigurationError`` (with what to do) when a key is missing."""
    return override() or studio.provider()


def provider_name(studio: Studio) -> str:
    chosen = override()
    return chosen.name if chosen is not None else studio.settings.resolved_provider.value


def model_name(studio: Studio) -> str:
    return studio.model_for(provider_name(studio))


def current_pack(studio: Studio) -> Pack:
    name = state.pack_name()
    if name not in studio.library.packs:
        name = state.DEFAULT_PACK if state.DEFAULT_PACK in studio.library.packs else studio.library.names[0]
        st.session_state[state.PACK] = name
    return studio.pack(name)


def prepared(
    studio: Studio, pack: Pack, values: dict[str, str]
) -> tuple[dict[str, str | list[str]] | None, dict[str, str]]:
    """(prepared variables, {}) or (None, problems by variable name)."""
    try:
        return studio.variables(pack, values), {}
    except VariablesError as exc:
        return None, dict(exc.problems) or {"": exc.message}
    except PlaybookError as exc:
        return None, {"": exc.message}
