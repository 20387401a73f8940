"""Audit trail page (admins only): who created, ran, edited, repaired, exported, shared and deleted
what, and when, newest first, narrowed to some people or actions."""

from __future__ import annotations

from typing import Any

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.api import AuditRecord, Studio
from assistant.errors import PlaybookError
from ui import session, shell, state
from ui.safety import inert_inline

#: entries read for the page; older ones are listed by ``playbook audit --limit N``
LOADED = 2000


def _person(entry: AuditRecord) -> str:
    return entry.actor_email or entry.actor


def _detail(detail: dict[str, Any] | None) -> str:
    """``{"steps": ["playbook"], "provider": "openai"}`` as ``steps: playbook · provider: openai``."""
    if not detail:
        return ""
    shown = (f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in detail.items() if v not in (None, [], ""))
    return " · ".join(shown)


def _set_names(studio: Studio) -> dict[str, str]:
    return {record.id: studio.set_name(record) for record in studio.runs(limit=LOADED)}


def _rows(entries: list[AuditRecord], names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "When (UTC)": entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            "Person": _person(entry),
            "Action": entry.action,
            "Document set": (names.get(entry.run_id) or f"{entry.run_id[:8]} (deleted)") if entry.run_id else "",
            "Step": entry.step or "",
            "Details": _detail(entry.detail),
            "Cost on the server's key": "" if entry.cost is None else f"${entry.cost:.4f}",
        }
        for entry in entries
    ]


def render() -> None:
    studio = session.studio()
    st.title("Audit trail")
    st.caption(
        "Every sign-in and every change to a document set, with its author; runs and repairs paid with this "
        "server's keys carry their cost. Entries are only ever added: deleting a set keeps its trail."
    )
    try:
        entries = studio.audit(LOADED)
    except PlaybookError as exc:
        st.error(inert_inline(exc.message), icon=":material/block:")
        st.stop()
    if not entries:
        st.info("Nothing has happened yet: entries appear as people sign in and work on document sets.", icon=":material/info:")
        st.stop()
    people, actions = st.columns(2)
    chosen_people = people.multiselect("Person", sorted({_person(e) for e in entries}), key=state.W_AUDIT_PEOPLE, placeholder="Everyone")
    chosen_actions = actions.multiselect("Action", sorted({e.action for e in entries}), key=state.W_AUDIT_ACTIONS, placeholder="Every action")
    shown = [
        e for e in entries
        if (not chosen_people or _person(e) in chosen_people) and (not chosen_actions or e.action in chosen_actions)
    ]
    st.dataframe(
        _rows(shown, _set_names(studio)),
        hide_index=True,
        width="stretch",
        column_config={"Document set": st.column_config.TextColumn(width="medium"), "Details": st.column_config.TextColumn(width="large")},
    )
    more = f" of the latest {LOADED:,}; `playbook audit --limit N` lists older ones" if len(entries) == LOADED else ""
    st.caption(f"{len(shown):,} {'entry' if len(shown) == 1 else 'entries'}{more}.")


shell.page(render)
