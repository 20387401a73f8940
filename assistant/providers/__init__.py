"""Provider registry, plus the two helpers both SDK adapters share.

Adapters are imported inside :func:`make_provider` so that importing the CLI
never loads ``openai`` or ``anthropic`` (cold start matters for ``playbook``).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from assistant.errors import ConfigurationError
from assistant.providers.base import CompletionRequest, Provider
from assistant.redact import redact_secrets
from assistant.settings import HOSTED_PROVIDERS, ProviderName

if TYPE_CHECKING:
    from assistant.settings import Settings
    from assistant.providers.scripted import ScriptedProvider, ScriptedReply

def make_provider(
    settings: Settings,
    *,
    name: str | None = None,
    scripted: ScriptedProvider
    | Sequence[ScriptedReply | str]
    | Callable[[CompletionRequest], ScriptedReply | str]
    | None = None,
) -> Provider:
    """Build the provider the settings ask for (or ``name``, which wins).

    ``scripted`` is used only for the ``scripted`` provider: a ready
    ``ScriptedProvider``, a list of replies or a ``request -> reply`` callable.
    Raises ``ConfigurationError`` when a hosted provider has no key.
    """
    chosen = name or settings.resolved_provider
    if chosen in HOSTED_PROVIDERS:
        check_base_url(settings.base_url)
    if chosen == "offline":
        from assistant.providers.offline import OfflineProvider

        return OfflineProvider()
    if chosen == "scripted":
        from assistant.providers.scripted import ScriptedProvider, ScriptedReply

        if isinstance(scripted, ScriptedProvider):
            return scripted
        if scripted is None:
            return ScriptedProvider([], default=ScriptedReply.from_text("Scripted answer."))
        return ScriptedProvider(scripted)
    if chosen == "openai":
        key = settings.api_key_for("openai")
        if not key and not settings.base_url:
            raise ConfigurationError(
                "No OpenAI key found. Set OPENAI_API_KEY, enter it in the sidebar, "
                "set PLAYBOOK_BASE_URL for a local OpenAI-compatible server, "
                "or run with --provider offline."
            )
        from assistant.providers.openai import OpenAIProvider

        return OpenAIProvider(api_key=key, base_url=settings.base_url, timeout=settings.request_timeout)
    if chosen == "anthropic":
        key = settings.api_key_for("anthropic")
        if not key:
            raise ConfigurationError(
                "No Anthropic key found. Set ANTHROPIC_API_KEY, enter it in the sidebar, "
                "or run with --provider offline."
            )
        from assistant.providers.anthropic import AnthropicProvider

        return AnthropicProvider(api_key=key, base_url=settings.base_url, timeout=settings.request_timeout)
    raise ConfigurationError(f"Unknown provider {chosen!r}. Choose one of: {', '.join(ProviderName)}.")


# --- shared by the SDK adapters ----------------------------------------------


def check_base_url(base_url: str | None) -> None:
    """Refuse a base URL the SDKs would mishandle: credentials in it would be sent as Basic auth
    instead of the key, and a query string would be glued to every request path."""
    if not base_url:
        return
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError("The base URL must start with http:// or https:// and name a server, e.g. http://127.0.0.1:8000/v1.")
    if parts.username or parts.password:
        raise ConfigurationError(
            "The base URL must not contain a user name or password; give the key in OPENAI_API_KEY / "
            "ANTHROPIC_API_KEY or the sidebar instead."
        )
    if parts.query or parts.fragment:
        raise ConfigurationError("The base URL must not contain a query string (?...) or fragment (#...); remove it.")


def retry_after_seconds(headers: Mapping[str, str] | None, *, now: float | None = None) -> float | None:
    """The server's wait hint: ``retry-after-ms``, ``retry-after`` seconds, or an HTTP date."""
    if not headers:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    import email.utils  # only needed on the rare HTTP-date form

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Remove secret values from text a server sent (some echo the key back), and anything shaped like one."""
    return redact_secrets(text, secrets)


__all__ = ["check_base_url", "make_provider", "redact", "retry_after_seconds"]
