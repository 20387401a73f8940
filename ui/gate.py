"""The door of the app: drawn once at the top of ``ui/app.py``, before any page can render.

It lets a person in (and returns who they are) or draws the one page they may see and stops
the script: the sign-in page for an unsigned visitor, a refusal with Sign out for an account the
operator has not allowed, and, in personal mode served beyond this machine without an explicit
opt-in, a page that says how to turn sign-in on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import streamlit as st

from assistant.api import Studio, Viewer
from assistant.settings import Settings
from ui import access
from ui.safety import inert_inline

#: the sign-in (owner, when) this app session has already seen to in the audit trail
SIGNED_IN = "_signed_in_recorded"
DEPLOYMENT_GUIDE = "docs/deployment.md"


def _sign_in_page() -> None:
    st.title("Escalation Playbook Studio")
    st.markdown("This studio is shared by a team. **Sign in** with your company account to open it.")
    providers = access.identity_providers()
    for name in providers:
        label = "Sign in" if name is None or len(providers) == 1 else f"Sign in with {name}"
        st.button(label, key=f"sign_in__{name or 'default'}", type="primary", icon=":material/login:",
                  on_click=st.login, args=(name,) if name else ())
    st.caption("Your document sets are yours: others see them only when you share them with your team.")


def _not_allowed_page(message: str) -> None:
    st.title("Escalation Playbook Studio")
    st.error(inert_inline(message), icon=":material/block:")
    st.markdown(
        "Ask the person who runs this studio to add your address or your email domain to its allowed list, "
        "or sign out and sign in with another account."
    )
    st.button("Sign out", key="sign_out_refused", on_click=st.logout, icon=":material/logout:")


def _open_network_page(address: str) -> None:
    where = f"address {address}" if address else "every network interface"
    st.title("Sign-in is not turned on")
    st.error(
        f"This studio is served on {inert_inline(where)} without sign-in, so anyone who can reach it would see, "
        "change and delete every document set. It stays closed.",
        icon=":material/lock:",
    )
    st.markdown(
        "**To share it with a team**, turn on sign-in: add an `[auth]` section for your identity provider to "
        f"`.streamlit/secrets.toml` and restart (`{DEPLOYMENT_GUIDE}` shows Google and Microsoft Entra ID).\n\n"
        "**To use it on this machine only**, start it with `make run` (it listens on 127.0.0.1) or add "
        "`--server.address 127.0.0.1` to `streamlit run`.\n\n"
        "**To open it without sign-in anyway** (a trusted lab network), start it with `PLAYBOOK_ALLOW_ANONYMOUS=1`."
    )


def _only(page: Callable[[], None], title: str, paths: list[str]) -> NoReturn:
    """Show ``page`` as the app's one page, at every address of the app (a bookmarked
    ``/history?run=…`` shows it too, with no "page not found"), then stop."""
    at_every_path = [st.Page(page, title=title, url_path=path) for path in paths if path]
    st.navigation([st.Page(page, title=title, default=True), *at_every_path], position="hidden").run()
    st.stop()


def admit(settings: Settings, paths: list[str]) -> Viewer:
    """The person this session acts for, or the page they may see instead at any of the app's
    ``paths`` (and the script stops)."""
    if not access.team_mode():
        address = access.served_address()
        if not access.loopback_only(address) and not settings.allow_anonymous:
            _only(lambda: _open_network_page(address), "Sign-in is not turned on", paths)
        return Viewer.local()
    if not access.signed_in():
        _only(_sign_in_page, "Sign in", paths)
    try:
        return access.viewer(settings)
    except access.SignInRequired as exc:
        message = exc.message
        _only(lambda: _not_allowed_page(message), "Not allowed", paths)


def open_to_anyone(settings: Settings) -> bool:
    """Personal mode served beyond this machine because the operator opted in: every page warns."""
    return not access.team_mode() and settings.allow_anonymous and not access.loopback_only(access.served_address())


def warn_open_to_anyone() -> None:
    st.warning(
        "**Open to anyone who can reach this address:** sign-in is not turned on (`PLAYBOOK_ALLOW_ANONYMOUS=1`), "
        "so every visitor sees, changes and deletes the same document sets. Turn on sign-in to share it safely "
        f"(`{DEPLOYMENT_GUIDE}`).",
        icon=":material/warning:",
    )


def record_sign_in(studio: Studio) -> None:
    """One ``signed_in`` entry in the audit trail per sign-in (checked once per app session)."""
    if not access.team_mode():
        return
    signed_in = (studio.viewer.owner, access.provider_sign_in())
    if st.session_state.get(SIGNED_IN) != signed_in:
        studio.record_sign_in(signed_in[1])
        st.session_state[SIGNED_IN] = signed_in
