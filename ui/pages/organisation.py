"""Organisation page: pick a prompt pack and describe the support organisation once.

The form is generated from the pack's manifest (labels, help, examples as
placeholders, required marks; list variables are one item per line). Values
live in the pack's workspace, so they survive page switches; inline errors
come from the engine's ``VariablesError.problems``.
"""

from __future__ import annotations

from typing import Any

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from assistant.api import Studio
from assistant.errors import PlaybookError
from assistant.packs import Pack, Variable
from assistant.packs import dump_variables_yaml, parse_variables_yaml
from ui import runs, session, shell, state
from ui.safety import inert_inline
from ui.state import Workspace


def _example_text(value: str | list[str]) -> str:
    return "\n".join(value) if isinstance(value, list) else str(value)


def _placeholder(variable: Variable) -> str:
    example = variable.example
    if isinstance(example, list):
        example = ", ".join(example)
    text = f"e.g. {example}" if example else ""
    if variable.type == "list":
        text = f"One per line. {text}".strip()
    return text[:300]


# --- callbacks (run before the page is drawn, so they may set widget values) -------------------


def _set_values(target: Pack, values: dict[str, str]) -> None:
    space = state.workspace(target.name)
    space.values = {k: v for k, v in values.items() if v}
    for variable in target.variables:
        st.session_state[state.var_key(target.name, variable.name)] = space.values.get(variable.name, "")


def _on_pack_change() -> None:
    st.session_state[state.PACK] = st.session_state[state.W_PACK]


def _on_expert_change() -> None:
    st.session_state[state.EXPERT] = st.session_state[state.W_EXPERT]


def _on_field_change(pack_name: str, name: str) -> None:
    state.workspace(pack_name).values[name] = st.session_state[state.var_key(pack_name, name)] or ""
    st.session_state[state.EXPORT_CACHE] = {}


def _load_example(pack: Pack) -> None:
    _set_values(pack, {name: _example_text(value) for name, value in pack.example.items()})
    state.workspace(pack.name).checked = True
    state.flash("success", f"Loaded the example company ({_example_text(pack.example.get('company_name', pack.title))}).")


def _clear_form(pack: Pack) -> None:
    _set_values(pack, {})
    state.workspace(pack.name).checked = False


def _import_yaml(pack: Pack) -> None:
    upload = st.session_state.get(state.W_VARS_UPLOAD)
    if upload is None:
        return
    try:
        data = parse_variables_yaml(upload.getvalue().decode("utf-8"), upload.name)
    except UnicodeDecodeError:
        state.flash("error", f"{upload.name} is not UTF-8 text; save it as UTF-8 YAML and upload it again.")
        return
    except PlaybookError as exc:
        state.flash("error", exc.message)
        return
    known = {v.name for v in pack.variables}
    unknown = sorted(set(data) - known)
    _set_values(
        pack,
        {
            k: _example_text(v) if isinstance(v, list) else ("" if v is None else str(v))
            for k, v in data.items()
            if k in known
        },
    )
    state.workspace(pack.name).checked = True
    note = f"Imported {len(set(data) & known)} value(s) from {upload.name}."
    if unknown:
        note += f" Ignored {', '.join(unknown)}: not variables of {pack.name}."
    state.flash("success" if not unknown else "warning", note)


# --- the panels ------------------------------------------------------------------------------------


def _pack_and_persona(studio: Studio, pack: Pack, busy: bool) -> None:
    """Which pack to fill in, and whether every step speaks as the expert persona."""
    top_left, top_right = st.columns([3, 2])
    with top_left:
        st.session_state[state.W_PACK] = pack.name
        st.selectbox(
            "Prompt pack",
            studio.library.names,
            format_func=lambda name: f"{studio.library.packs[name].title} ({name})",
            key=state.W_PACK,
            on_change=_on_pack_change,
            disabled=busy,
            help="Each pack is a chain of prompts with its own checklist. Switching keeps each pack's profile and drafts.",
        )
        if pack.description:
            st.caption(inert_inline(pack.description))
    with top_right:
        expert_pack = studio.expert_pack()
        st.session_state[state.W_EXPERT] = bool(st.session_state.get(state.EXPERT))
        st.toggle(
            "Expert system prompt",
            key=state.W_EXPERT,
            on_change=_on_expert_change,
            disabled=expert_pack is None or busy,
            help=(
                f"Send the “{expert_pack.title}” persona (a senior escalation manager) as the system prompt of every step."
                if expert_pack
                else "No pack offers an expert system prompt."
            ),
        )


def _form_buttons(pack: Pack, ws: Workspace) -> DeltaGenerator:
    """Load the example, clear, check; the row is returned so the way to the chain can join it."""
    buttons = st.container(horizontal=True)
    example_company = _example_text(pack.example.get("company_name", "")) if pack.example else ""
    buttons.button(
        f"Load example company{f' ({example_company})' if example_company else ''}",
        icon=":material/auto_awesome:",
        key=state.W_LOAD_EXAMPLE,
        on_click=_load_example,
        args=(pack,),
        disabled=not pack.example,
        help="Fill the form with the pack's sample organisation to see the whole chain work.",
    )
    buttons.button(
        "Clear form", key=state.W_CLEAR_FORM, on_click=_clear_form, args=(pack,), icon=":material/ink_eraser:"
    )
    buttons.button(
        "Check profile",
        key=state.W_CHECK_PROFILE,
        on_click=lambda: setattr(ws, "checked", True),
        icon=":material/rule:",
        help="Show every missing or too-long value.",
    )
    return buttons


def _yaml_exchange(pack: Pack, ws: Workspace, variables: dict[str, Any] | None) -> None:
    """Import a profile from YAML, or download this one for later or for the CLI."""
    with st.expander("Import or export the profile (YAML)", expanded=False):
        left, right = st.columns(2)
        left.file_uploader(
            "Import variables (YAML)",
            type=["yaml", "yml"],
            key=state.W_VARS_UPLOAD,
            on_change=_import_yaml,
            args=(pack,),
            help="A mapping of variable name to value, as written by `playbook example` or the download on the right.",
        )
        right.download_button(
            "Download variables (YAML)",
            icon=":material/download:",
            data=dump_variables_yaml(variables if variables is not None else {k: v for k, v in ws.values.items() if v}),
            file_name=f"{pack.name}-variables.yaml",
            mime="application/x-yaml",
            key=state.W_VARS_DOWNLOAD,
            on_click="ignore",
            help="Save this profile to reuse it later or with the `playbook` CLI (--vars FILE).",
        )


def _field(pack: Pack, ws: Workspace, variable: Variable, shown: dict[str, str]) -> None:
    """One variable as the widget its type asks for, with its inline error."""
    key = state.var_key(pack.name, variable.name)
    if key not in st.session_state:
        st.session_state[key] = ws.values.get(variable.name, "")
    label = f"{variable.label} *" if variable.required else variable.label
    help_text = variable.help or None
    if variable.max_length:
        help_text = f"{help_text or ''} (at most {variable.max_length:,} characters)".strip()
    common = {"key": key, "help": help_text, "on_change": _on_field_change, "args": (pack.name, variable.name)}
    if variable.type == "choice":
        options = ([""] if not variable.required else []) + list(variable.choices)
        if st.session_state[key] not in options:
            st.session_state[key] = options[0]
        st.selectbox(label, options, **common)
    elif variable.type == "list" or variable.multiline:
        lines = max(3, min(8, len(str(st.session_state[key]).splitlines()) + 1))
        st.text_area(label, placeholder=_placeholder(variable), height=28 * lines + 20, **common)
    else:
        st.text_input(label, placeholder=_placeholder(variable), **common)
    message = shown.get(variable.name)
    if message:
        st.error(f"{variable.label}: {inert_inline(message)}", icon=":material/error:")


def _required_facts(pack: Pack, ws: Workspace, shown: dict[str, str]) -> None:
    """The required variables in two columns, in a bordered form."""
    required = [v for v in pack.variables if v.required]
    with st.container(border=True):
        st.header("About your organisation")
        st.caption("Fields marked * are required. Examples show as grey placeholder text.")
        columns = st.columns(2)
        for index, variable in enumerate(required):
            with columns[index % 2]:
                _field(pack, ws, variable, shown)


def _optional_facts(pack: Pack, ws: Workspace, shown: dict[str, str]) -> None:
    """The optional variables, each with the refinement steps that read it."""
    optional = [v for v in pack.variables if not v.required]
    if not optional:
        return
    optional_users = {
        v.name: [s.title for s in pack.steps if s.variables is not None and v.name in s.variables] for v in optional
    }
    with st.expander(
        f"Optional facts ({len(optional)}) — used by refinement steps",
        expanded=any(ws.values.get(v.name) for v in optional),
    ):
        for variable in optional:
            _field(pack, ws, variable, shown)
            if optional_users.get(variable.name):
                st.caption("Used by: " + ", ".join(inert_inline(t) for t in optional_users[variable.name]))


def _verdict(ws: Workspace, variables: dict[str, Any] | None, problems: dict[str, str], shown: dict[str, str]) -> None:
    """Complete (go to the chain), how many fields need attention, or what to do first."""
    other = shown.get("")
    if other:
        st.error(inert_inline(other))
    if variables is not None:
        st.success(
            "The profile is complete. Continue to the chain to generate the documents.", icon=":material/check_circle:"
        )
        st.page_link("pages/chain.py", label="Go to the chain →", icon=":material/account_tree:")
    elif ws.checked:
        count = len([n for n in problems if n])
        st.warning(f"{count} field(s) need attention before the chain can run.", icon=":material/warning:")
    else:
        st.info(
            "Fill in the required fields, or load the example company to try the whole chain.", icon=":material/info:"
        )


def render() -> None:
    studio = session.studio()
    pack = session.current_pack(studio)
    ws = state.workspace(pack.name)
    busy = runs.active_job() is not None

    st.title("Organisation profile")
    st.caption("Describe your support organisation once; every step of the chain reads these facts.")
    _pack_and_persona(studio, pack, busy)
    buttons = _form_buttons(pack, ws)
    variables, problems = session.prepared(studio, pack, ws.values)
    shown = {name: message for name, message in problems.items() if ws.checked or message != "required"}
    if variables is not None:
        buttons.page_link("pages/chain.py", label="Profile complete: go to the chain", icon=":material/arrow_forward:")
    _yaml_exchange(pack, ws, variables)
    _required_facts(pack, ws, shown)
    _optional_facts(pack, ws, shown)
    _verdict(ws, variables, problems, shown)


shell.page(render)
