"""Settings from the environment (and, in the UI, the sidebar) with safe defaults.

Keys are ``SecretStr`` so they never show up in a repr, a log line or a
``model_dump``; nothing in the engine writes them anywhere.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict



class ProviderName(StrEnum):
    """Every provider the engine can build; ``scripted`` is the test double, chosen only in code."""

    OFFLINE = "offline"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    SCRIPTED = "scripted"


#: the providers a person chooses from (CLI ``--provider``, the app's sidebar)
USER_PROVIDERS: tuple[ProviderName, ...] = (ProviderName.OFFLINE, ProviderName.OPENAI, ProviderName.ANTHROPIC)
#: providers called over the network with a key (and an optional base URL)
HOSTED_PROVIDERS: tuple[ProviderName, ...] = (ProviderName.OPENAI, ProviderName.ANTHROPIC)
APP_NAME = "escalation-playbook-studio"

DEFAULT_MODELS: dict[str, str] = {
    "offline": "offline-draft",
    "scripted": "scripted",
    "openai": "gpt-4.1-mini",
    "anthropic": "claude-sonnet-4-6",
}


def default_data_dir() -> Path:
    """The per-user data directory (history database lives here)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


class Settings(BaseSettings):
    """Everything configurable. Environment names are ``PLAYBOOK_*`` plus the two API keys."""

    model_config = SettingsConfigDict(env_prefix="PLAYBOOK_", extra="ignore", populate_by_name=True)

    provider: ProviderName | None = Field(
        default=None, description="offline, openai or anthropic; unset picks a keyed provider, else offline"
    )
    model: str | None = None
    base_url: str | None = None
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "openai_api_key")
    )
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "anthropic_api_key")
    )
    allowed_base_urls: str | None = Field(
        default=None, description="comma-separated base URLs the operator's keys may also be sent to"
    )
    allow_anonymous: bool = Field(default=False, description="serve beyond this machine without sign-in (not recommended)")
    allowed_emails: str | None = Field(default=None, description="team mode: comma-separated addresses allowed in")
    allowed_domains: str | None = Field(default=None, description="team mode: comma-separated email domains allowed in")
    admins: str | None = Field(default=None, description="team mode: comma-separated addresses of admins")
    teams: str | None = Field(default=None, description='team mode: JSON {"team": ["address", ...]}; unset: one team of everyone')
    user_daily_budget_usd: float | None = Field(default=None, ge=0, description="team mode: what one person may spend a day on the server's keys")
    database_url: str | None = None
    data_dir: Path | None = None
    prompts_dir: Path | None = Field(default=None, description="extra folder of user prompt packs")
    prices_file: Path | None = Field(default=None, description="extra model price table (YAML)")

    concurrency: int = Field(default=4, ge=1, le=64)
    max_repair_rounds: int = Field(default=2, ge=0, le=10)
    max_tokens: int = Field(default=8000, ge=16)
    temperature: float = Field(default=0.3, ge=0.0, le=2.0)
    request_timeout: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=4, ge=0, le=20)
    backoff_base: float = Field(default=1.0, ge=0)
    backoff_cap: float = Field(default=30.0, ge=0)
    checkpoint_seconds: float = Field(default=1.0, gt=0, le=2.0)
    cache: bool = Field(default=False, description="reuse stored answers for identical requests")
    max_variable_chars: int = Field(default=4000, ge=100)

    @field_validator(
        "provider", "model", "base_url", "database_url", "allowed_base_urls", "allowed_emails", "allowed_domains",
        "admins", "teams", "user_daily_budget_usd", mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def resolved_provider(self) -> ProviderName:
        """The provider to use: explicit choice, else the one whose key is set, else offline."""
        if self.provider:
            return self.provider
        if self.openai_api_key:
            return ProviderName.OPENAI
        if self.anthropic_api_key:
            return ProviderName.ANTHROPIC
        return ProviderName.OFFLINE

    @property
    def resolved_model(self) -> str:
        return self.model or DEFAULT_MODELS[self.resolved_provider]

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir or default_data_dir()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'history.db'}"

    def lends_keys_to(self, base_url: str | None) -> bool:
        """Whether the keys of these settings may go to ``base_url``: only to the endpoint the
        operator configured (the vendor's own API when none), or one listed in ``allowed_base_urls``."""
        wanted = normalise_base_url(base_url)
        allowed = {normalise_base_url(self.base_url)}
        allowed |= {normalise_base_url(u) for u in (self.allowed_base_urls or "").split(",") if u.strip()}
        return wanted in allowed

    def api_key_for(self, provider: str) -> str | None:
        secret = {"openai": self.openai_api_key, "anthropic": self.anthropic_api_key}.get(provider)
        return secret.get_secret_value() if secret else None


def normalise_base_url(url: str | None) -> str:
    """A base URL compared as a server sees it: scheme and host case-free, no trailing slash; '' for none."""
    if not url or not url.strip():
        return ""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, ""))


def default(name: str) -> Any:
    """A setting's default, for models that take the same value without the environment (one source)."""
    return Settings.model_fields[name].default
