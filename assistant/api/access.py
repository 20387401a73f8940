"""Whose keys go where: a person using the operator's app never borrows the operator's keys.

The operator's keys go only to the endpoint the operator configured (``PLAYBOOK_BASE_URL``, the
vendor's own API, or ``PLAYBOOK_ALLOWED_BASE_URLS``). Anyone who points a hosted provider
elsewhere uses the key they typed, kept for their session only.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from assistant.settings import HOSTED_PROVIDERS, Settings


def visitor_settings(provider: str, *, model: str | None, base_url: str | None, typed_key: str | None) -> Settings:
    """Settings for a person using the operator's app: the environment, overridden by their choices."""
    environment = Settings()
    fields: dict[str, Any] = {"provider": provider, "model": model, "base_url": base_url}
    if provider in HOSTED_PROVIDERS:
        if typed_key:
            fields[f"{provider}_api_key"] = SecretStr(typed_key)
        elif not environment.lends_keys_to(base_url):
            fields[f"{provider}_api_key"] = None
    return Settings(**fields)
