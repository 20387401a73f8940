"""Session state: every key the app uses, and the per-pack workspace kept in plain session keys.

Widgets on a page lose their values when another page is shown, so the
organisation profile, the drafts and their versions live in plain session
keys (a :class:`Workspace` per pack); widget keys are caches filled from them.
A value the app changes for a widget that is already drawn is queued and
applied at the top of the next run (:func:`queue_widget_value`).

Nothing here is written to disk: API keys typed in the sidebar stay in this
session's memory only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from assistant.validation import ValidationReport

# --- plain session keys ------------------------------------------------------------------
PACK = "pack_name"
EXPERT = "expert"
AUTO_REPAIR = "auto_repair"
WORKSPACES = "workspaces"
JOB = "job"
PENDING_RUN = "pending_run"
FLASH = "flash"
#: tests put a ready provider object here (e.g. a ScriptedProvider); the app then uses it
PROVIDER_OVERRIDE = "provider_override"
API_KEYS = "_api_keys"
KEPT = "_kept"
PENDING_WIDGETS = "_pending_widget_values"
CONNECTION_RESULT = "_connection_result"
EXPORT_CACHE = "_export_cache"
ESTIMATE_CACHE = "_estimate_cache"
#: the levels diagram's SVG and PNG, for the DOT text they were drawn from
LEVELS_IMAGES = "_levels_images"

DEFAULT_PACK = "escalation-procedure"

# --- widget keys ----------------------------------------------------------------------------
W_PROVIDER = "provider_name"
#: per provider: a model or URL typed for OpenAI must not follow the user to Anthropic
W_MODEL = "model_name"
W_BASE_URL = "base_url"
W_API_KEY = "api_key"
W_TEST_CONNECTION = "test_connection"
W_SIDEBAR_STOP = "sidebar_stop"
W_PACK = "pack_picker"
W_EXPERT = "expert_toggle"
W_AUTO_REPAIR = "auto_repair_toggle"
W_LOAD_EXAMPLE = "load_example"
W_CLEAR_FORM = "clear_form"
W_CHECK_PROFILE = "check_profile"
W_VARS_UPLOAD = "vars_upload"
W_VARS_DOWNLOAD = "vars_download"
W_RUN_ALL = "run_all"
W_STOP = "stop_run"
W_EXPORT_TITLE = "export_title"
W_EXPORT_MD = "export_md"
W_EXPORT_DOCX = "export_docx"
W_EXPORT_HTML = "export_html"
W_VALIDATE_REF = "validate_ref"
W_VALIDATE_TEXT = "validate_text"
W_VALIDATE_UPLOAD = "validate_upload"
W_VALIDATE_RUN = "validate_run"
W_VALIDATE_DRAFT = "validate_from_draft"
W_HISTORY_RUN = "history_run"
W_LEVELS_SOURCE = "levels_source"
W_LEVELS_SVG = "levels_svg"
W_LEVELS_PNG = "levels_png"
W_LEVELS_DOT = "levels_dot"


def provider_field(kind: str, provider: str) -> str:
    """Sidebar keys kept per provider: ``model_name__openai``, ``base_url__anthropic``, ``api_key__openai``."""
    return f"{kind}__{provider}"


def var_key(pack: str, name: str) -> str:
    return f"var__{pack}__{name}"


def draft_key(pack: str, step: str) -> str:
    return f"draft__{pack}__{step}"


def step_widget(kind: str, step: str) -> str:
    """Per-step button keys: ``run__playbook``, ``repair__runbooks``, ``stop__training`` ..."""
    return f"{kind}__{step}"


# --- the workspace ------------------------------------------------------------------------


@dataclass
class Version:
    number: int
    #: generated / repaired / edited / partial / restored / pasted / reopened
    kind: str
    text: str
    created_at: str
    run_id: str | None = None

    @property
    def label(self) -> str:
        return f"v{self.number} · {self.kind} · {self.created_at}"


@dataclass
class Draft:
    """One step's current text and everything known about it."""

    step: str
    text: str = ""
    #: the engine's status (done, truncated, failed, cancelled, ...) or "not_run" / "pasted"
    status: str = "not_run"
    report: ValidationReport | None = None
    error: str | None = None
    run_id: str | None = None
    provider: str | None = None
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    edited: bool = False
    notes: list[str] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Can later steps read it? Finished drafts, and anything a person edited or pasted."""
        return bool(self.text.strip()) and (self.status in ("done", "truncated", "pasted") or self.edited)

    def add_version(self, kind: str, text: str, run_id: str | None = None) -> Version:
        version = Version(len(self.versions) + 1, kind, text, time.strftime("%H:%M:%S"), run_id)
        self.versions.append(version)
        return version


@dataclass
class Workspace:
    """A pack's organisation profile (raw form values), drafts and the history run they belong to."""

    pack: str
    #: raw form values: text, or one item per line for list variables
    values: dict[str, str] = field(default_factory=dict)
    drafts: dict[str, Draft] = field(default_factory=dict)
    #: the history run that new steps are added to, and what it was made with
    run_id: str | None = None
    run_fingerprint: str | None = None
    #: show "required" errors (after "Check profile" or an attempted run)
    checked: bool = False

    def draft(self, step: str) -> Draft:
        if step not in self.drafts:
            self.drafts[step] = Draft(step=step)
        return self.drafts[step]

    def has(self, step: str) -> bool:
        return step in self.drafts and bool(self.drafts[step].text.strip())


# --- access -----------------------------------------------------------------------------------


def init_session(default_pack: str = DEFAULT_PACK) -> None:
    """Create the plain session keys once per session."""
    defaults: dict[str, Any] = {
        PACK: default_pack,
        EXPERT: False,
        AUTO_REPAIR: True,
        WORKSPACES: {},
        JOB: None,
        PENDING_RUN: None,
        FLASH: [],
        API_KEYS: {},
        KEPT: {},
        PENDING_WIDGETS: {},
        EXPORT_CACHE: {},
        ESTIMATE_CACHE: {},
        LEVELS_IMAGES: {},
    }
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = value


def pack_name() -> str:
    return st.session_state[PACK]


def workspace(pack: str | None = None) -> Workspace:
    name = pack or pack_name()
    spaces: dict[str, Workspace] = st.session_state[WORKSPACES]
    if name not in spaces:
        spaces[name] = Workspace(pack=name)
    return spaces[name]


def flash(kind: str, text: str) -> None:
    """A message for the top of the next page drawn (callbacks cannot place elements)."""
    st.session_state[FLASH].append((kind, text))


def pop_flashes() -> list[tuple[str, str]]:
    messages = list(st.session_state.get(FLASH, []))
    st.session_state[FLASH] = []
    return messages


def queue_widget_value(key: str, value: Any) -> None:
    """Set a widget's value on the next run (a drawn widget's key cannot be changed in this one)."""
    st.session_state[PENDING_WIDGETS][key] = value


def apply_pending_widget_values() -> None:
    pending: dict[str, Any] = st.session_state.get(PENDING_WIDGETS, {})
    for key, value in pending.items():
        st.session_state[key] = value
    pending.clear()


def keep(key: str) -> None:
    """Widget callback: remember the value so the widget can be restored after a page switch."""
    st.session_state[KEPT][key] = st.session_state[key]


def restore(key: str, default: Any) -> None:
    """Before drawing a widget: fill its key from the kept value (or ``default``) if Streamlit dropped it."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state[KEPT].get(key, default)
