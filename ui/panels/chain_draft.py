"""The inside of a step card: the prompt, the draft editor, and a draft's checklist, notes, versions.

Edits, restores and accepts are callbacks: they run before the next script run draws the card,
so they may set the editor's value.
"""

from __future__ import annotations

import streamlit as st

from assistant.errors import PlaybookError
from assistant.packs import Step
from assistant.validation import ValidationReport
from ui import runs, session, state, widgets
from ui.panels.chain_view import ChainView
from ui.safety import inert_inline
from ui.state import Draft

def _on_edit(pack_name: str, step_id: str) -> None:
    here = session.studio()
    text = st.session_state.get(state.draft_key(pack_name, step_id)) or ""
    runs.save_edit(here, here.pack(pack_name), step_id, text)


def _restore(pack_name: str, step_id: str, number: int) -> None:
    here = session.studio()
    runs.restore(here, here.pack(pack_name), step_id, number)
    st.session_state[state.draft_key(pack_name, step_id)] = state.workspace(pack_name).draft(step_id).text


def _accept(pack_name: str, step_id: str) -> None:
    """Keep the text of an attempt cut short as a version of its own, so later steps may read it."""
    here = session.studio()
    runs.save_edit(here, here.pack(pack_name), step_id, state.workspace(pack_name).draft(step_id).text)


def prompt_view(view: ChainView, step: Step) -> None:
    """The exact prompt of a step, behind a toggle (rendering it reads the drafts it needs)."""
    pack, ws = view.pack, view.ws
    if view.variables is None:
        st.caption("Complete the organisation profile to see the prompt.")
        return
    if not st.toggle("Show the prompt", key=state.step_widget("show_prompt", step.id)):
        st.caption("The exact text sent to the model, ready to copy into another tool.")
        return
    inputs = {
        n: ws.drafts[n].text if ws.has(n) else f"[The “{pack.step(n).title}” draft goes here once it exists.]"
        for n in step.needs
    }
    try:
        prompts = view.studio.render(pack, step, view.variables, inputs, expert=bool(st.session_state.get(state.EXPERT)))
    except PlaybookError as exc:
        st.error(inert_inline(exc.message))
        return
    parts = pack.fan_out_parts.get(step.id, [])
    for index, prompt in enumerate(prompts):
        if parts:
            st.markdown(f"**Part {index + 1} of {len(prompts)}: {inert_inline(parts[index].title)}**")
        st.code(prompt.text, language="markdown", wrap_lines=True, height=320)


def editor(view: ChainView, step: Step, draft: Draft, *, label: str) -> None:
    """The draft as editable Markdown; later steps read what is saved here."""
    key = state.draft_key(view.pack.name, step.id)
    if key not in st.session_state:
        st.session_state[key] = draft.text
    st.text_area(
        label,
        key=key,
        height=420,
        on_change=_on_edit,
        args=(view.pack.name, step.id),
        disabled=view.busy,
        help="Saved when you click outside the box (or press Ctrl+Enter). Later steps read the edited text.",
    )


def no_draft_yet(view: ChainView, step: Step, draft: Draft | None) -> None:
    """What the step reads, its prompt to copy, and a box to paste a draft made elsewhere."""
    reads = ", ".join(view.pack.step(n).title for n in step.needs)
    if draft is not None and draft.error:
        st.error(inert_inline(draft.error))
    st.caption(
        (f"Reads: {inert_inline(reads)}. " if reads else "") + (inert_inline(step.description) if step.description else "")
    )
    with st.expander("Prompt to copy"):
        prompt_view(view, step)
    with st.expander("…or paste a draft you already have"):
        editor(view, step, draft or Draft(step=step.id), label="Your draft (Markdown)")


def _facts(draft: Draft) -> str:
    """Which version, how it was made, its size, and what the step has cost (every attempt and repair)."""
    facts = [f"v{draft.version} · {inert_inline(draft.made)}" if draft.version else "not kept as a version yet"]
    facts.append(f"{len(draft.text):,} characters")
    if draft.input_tokens or draft.output_tokens:
        facts.append(f"{draft.input_tokens:,} in / {draft.output_tokens:,} out tokens")
    if draft.cost is not None:
        facts.append(f"${draft.cost:.4f}" if draft.cost else "no cost")
    return " · ".join(facts)


def draft_status(draft: Draft, report: ValidationReport | None) -> None:
    """The checklist summary, size and cost, why a draft stopped short, and the run's last notes."""
    widgets.checklist_verdict(report)
    st.caption(_facts(draft))
    if draft.status == "cancelled":
        st.warning(
            "Stopped before the end: the text that streamed is kept. Re-run, edit it, or accept it as it is.",
            icon=":material/stop_circle:",
        )
    elif draft.status == "truncated":
        st.warning(
            "The model stopped at its length limit. Repair what is missing, edit, or re-run.",
            icon=":material/content_cut:",
        )
    elif draft.status in ("failed", "incomplete", "interrupted"):
        kept = f" v{draft.version} stays the current draft; re-run the step to try again." if draft.version else ""
        st.error(inert_inline((draft.error or "The last attempt did not finish.") + kept), icon=":material/error:")
    if draft.stale:
        st.warning(
            "Out of date: " + inert_inline("; ".join(draft.stale)) + ". Re-run this step to bring it up to date.",
            icon=":material/update:",
        )
    if draft.provider == "offline":
        st.caption("Offline draft: composed from your inputs and the checklist without a language model.")
    for note in [n for n in draft.notes if not (draft.error and draft.error in n)][-3:]:
        st.caption(inert_inline(note))


def draft_tabs(view: ChainView, step: Step, draft: Draft, report: ValidationReport | None) -> None:
    """Checklist, the draft, its editor, its versions and its prompt, one tab each."""
    pack_name = view.pack.name
    tabs = st.tabs(["Checklist", "Draft", "Edit", f"Versions ({len(draft.versions)})", "Prompt"])
    with tabs[0]:
        widgets.checklist(report)
    with tabs[1], st.container(height=640, border=False):  # a 40 KB playbook scrolls inside its card
        widgets.markdown_text(draft.text)
    with tabs[2]:
        editor(view, step, draft, label="Edit the draft (Markdown)")
    with tabs[3]:
        widgets.versions(
            draft,
            key=state.step_widget("versions", step.id),
            on_restore=lambda number, step_id=step.id: _restore(pack_name, step_id, number),
        )
    with tabs[4]:
        prompt_view(view, step)


def card_body(view: ChainView, step: Step, draft: Draft | None) -> None:
    """A step card below its title: the way in while there is no draft, else the draft and its checks."""
    if draft is None or not draft.text.strip():
        no_draft_yet(view, step, draft)
        return
    report = runs.revalidate(view.studio, view.pack, draft)
    draft_status(draft, report)
    if not draft.usable:
        st.button(
            "Accept this draft as it is",
            key=state.step_widget("accept", step.id),
            on_click=_accept,
            args=(view.pack.name, step.id),
            disabled=view.busy,
            help="Let later steps read this partial draft without editing it.",
        )
    draft_tabs(view, step, draft, report)
