"""Who may do what: viewers, teams, and whose keys go where.

A ``Viewer`` is the person a ``Studio`` acts for: a signed-in user in team mode (identified by
their OpenID issuer and subject; the email is for display), or the local user in personal mode
and on the command line. A person sees and changes their own document sets and the sets shared
with a team they belong to; only the owner (or an admin) shares, unshares or deletes a set.
Admins see everything and the audit trail.

Keys are never lent: the operator's keys go only to the endpoint the operator configured
(``PLAYBOOK_BASE_URL``, the vendor's own API, or ``PLAYBOOK_ALLOWED_BASE_URLS``). Anyone who
points a hosted provider elsewhere uses the key they typed, kept for their session only.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from assistant.errors import ConfigurationError
from assistant.settings import HOSTED_PROVIDERS, Settings
from assistant.store import RunRecord

#: the one team every allowed person belongs to when the operator names no teams
EVERYONE = "everyone"


@dataclass(frozen=True)
class Viewer:
    """The person a Studio acts for."""

    owner: str
    email: str | None = None
    teams: frozenset[str] = field(default_factory=frozenset)
    admin: bool = False

    @classmethod
    def local(cls, name: str | None = None) -> Viewer:
        """The person at this machine (personal mode, the CLI): sees every set in the local history."""
        return cls(owner=f"local:{name or _login_name()}", admin=True)

    @property
    def shown(self) -> str:
        return self.email or self.owner

    def sees(self, record: RunRecord) -> bool:
        return self.admin or record.owner == self.owner or (record.shared_with is not None and record.shared_with in self.teams)

    def owns(self, record: RunRecord) -> bool:
        """May share, unshare or delete it."""
        return self.admin or record.owner == self.owner


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "user"


def _listed(value: str | None) -> set[str]:
    return {item.strip().casefold() for item in (value or "").split(",") if item.strip()}


@dataclass(frozen=True)
class TeamPolicy:
    """Who is let in, who is an admin and who belongs to which team, from the settings."""

    allowed_emails: frozenset[str]
    allowed_domains: frozenset[str]
    admins: frozenset[str]
    teams: dict[str, frozenset[str]]

    @classmethod
    def from_settings(cls, settings: Settings) -> TeamPolicy:
        try:
            raw: dict[str, Any] = json.loads(settings.teams) if settings.teams else {}
            teams = {str(name): frozenset(str(e).strip().casefold() for e in members) for name, members in raw.items()}
        except (ValueError, TypeError, AttributeError):
            raise ConfigurationError('PLAYBOOK_TEAMS must be JSON like {"support-emea": ["alice@example.com"]}.') from None
        return cls(
            frozenset(_listed(settings.allowed_emails)), frozenset(_listed(settings.allowed_domains)),
            frozenset(_listed(settings.admins)), teams,
        )

    def allows(self, email: str | None) -> bool:
        """Anyone the identity provider signs in, unless addresses or domains are listed."""
        if not self.allowed_emails and not self.allowed_domains:
            return True
        address = (email or "").casefold()
        return address in self.allowed_emails or address in self.admins or address.rpartition("@")[2] in self.allowed_domains

    def viewer(self, issuer: str, subject: str, email: str | None) -> Viewer | None:
        """The viewer for a signed-in identity, or None when it is not allowed in."""
        if not subject or not self.allows(email):
            return None
        address = (email or "").casefold()
        teams = {name for name, members in self.teams.items() if address in members} if self.teams else {EVERYONE}
        return Viewer(owner=f"{issuer}|{subject}"[:300], email=email, teams=frozenset(teams), admin=address in self.admins)


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


def uses_server_key(settings: Settings, provider: str) -> bool:
    """Whether a run with ``settings`` is paid with the operator's key (what daily budgets limit)."""
    key = settings.api_key_for(provider)
    return provider in HOSTED_PROVIDERS and key is not None and key == Settings().api_key_for(provider)
