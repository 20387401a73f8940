"""Who is at the keyboard: personal mode, team mode (sign-in), and the person a session acts for.

Personal mode (no ``[auth]`` section in Streamlit's secrets) is one person at this machine: the
app listens on the loopback interface, and the person is the local user, who sees the whole
local history. Served on any other address it would be open to everyone who can reach it, so
that needs sign-in or an explicit ``PLAYBOOK_ALLOW_ANONYMOUS=1``.

Team mode (an ``[auth]`` section) signs people in with Streamlit's own OpenID Connect
(``st.login``); the identity provider's issuer and subject say who someone is, the email is
shown and matched against the operator's allow-lists (``TeamPolicy``). The viewer is read from
``st.user`` on every use, never kept in session state, so a signed-out session can do nothing.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from assistant.api import EVERYONE, TeamPolicy, Viewer
from assistant.errors import UserInputError
from assistant.settings import Settings


class SignInRequired(UserInputError):
    """Team mode, and this session has no allowed, signed-in person."""


def auth_section() -> dict[str, Any]:
    """The ``[auth]`` section of Streamlit's secrets, empty when sign-in is not configured."""
    if not st.secrets.load_if_toml_exists():
        return {}
    section = st.secrets.to_dict().get("auth")
    return section if isinstance(section, dict) else {}


def team_label(team: str | None) -> str:
    """A team as people read it (the one team of everyone, when the operator names none)."""
    if not team:
        return "Nobody else"
    return "Everyone signed in" if team == EVERYONE else f"Team {team}"


def team_mode() -> bool:
    return bool(auth_section())


def identity_providers() -> list[str | None]:
    """``[None]`` for one provider set up in ``[auth]`` itself, else the names of ``[auth.NAME]`` sections."""
    section = auth_section()
    if "server_metadata_url" in section or "client_id" in section:
        return [None]
    return sorted(name for name, value in section.items() if isinstance(value, dict))


def served_address() -> str:
    return str(st.get_option("server.address") or "")


def loopback_only(address: str) -> bool:
    """Whether ``address`` is reachable from this machine alone (unset means every interface)."""
    if address.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def signed_in() -> bool:
    return bool(st.user.to_dict().get("is_logged_in"))


def account() -> dict[str, str | None]:
    """The signed-in identity: issuer, subject and email (an email the provider marks unverified is dropped)."""
    claims = st.user.to_dict()
    email = claims.get("email")
    if str(claims.get("email_verified", "")).casefold() == "false":  # a boolean, or "false" from some providers
        email = None
    return {"issuer": str(claims.get("iss") or ""), "subject": str(claims.get("sub") or ""), "email": str(email) if email else None}


def provider_sign_in() -> str | None:
    """When the identity provider issued this session's identity (its ``iat``), in UTC: what tells one
    sign-in from the next, as every page load opens a new app session with the same identity."""
    issued = st.user.to_dict().get("iat")
    if not isinstance(issued, (int, float)):
        return None
    return datetime.fromtimestamp(issued, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def viewer(settings: Settings | None = None) -> Viewer:
    """The person this session acts for; raises ``SignInRequired`` in team mode without an allowed sign-in."""
    if not team_mode():
        return Viewer.local()
    if not signed_in():
        raise SignInRequired("Sign in to use the studio.")
    who = account()
    person = TeamPolicy.from_settings(settings or Settings()).viewer(who["issuer"] or "", who["subject"] or "", who["email"])
    if person is None:
        raise SignInRequired(f"{who['email'] or 'This account'} is not allowed in this studio.")
    return person
