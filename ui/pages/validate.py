"""Validate page: check any answer (pasted or uploaded) against any pack/step checklist."""

from __future__ import annotations

import json

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.api import Studio
from assistant.bounded import MAX_ANSWER_CHARS
from assistant.errors import PlaybookError
from assistant.packs import PackLibrary
from ui import session, shell, state, widgets
from ui.safety import inert_inline

#: set once a check has run, so the report follows the text as it is edited
VALIDATED_ONCE = "_validated_once"


def _on_upload() -> None:
    upload = st.session_state.get(state.W_VALIDATE_UPLOAD)
    if upload is None:
        return
    too_large = f"{upload.name} is too large to check ({upload.size:,} bytes; the limit is {MAX_ANSWER_CHARS:,} characters)."
    if upload.size > MAX_ANSWER_CHARS * 4:
        state.flash("error", too_large)
        return
    try:
        text = upload.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        state.flash("error", f"{upload.name} is not UTF-8 text; save it as UTF-8 Markdown or plain text.")
        return
    if len(text) > MAX_ANSWER_CHARS:
        state.flash("error", too_large)
        return
    st.session_state[state.W_VALIDATE_TEXT] = text


def _from_draft() -> None:
    choice = st.session_state.get(state.W_VALIDATE_DRAFT)
    if not choice:
        return
    pack_name, _, step_id = choice.partition("/")
    st.session_state[state.W_VALIDATE_TEXT] = state.workspace(pack_name).drafts[step_id].text
    st.session_state[state.W_VALIDATE_REF] = choice


def _checklist_refs(library: PackLibrary) -> dict[str, str]:
    """Every ``pack/step`` that has a checklist, with the title to show for it."""
    return {
        f"{name}/{step.id}": f"{library.packs[name].title} — {step.title}"
        for name in library.names
        for step in library.packs[name].steps
        if library.packs[name].checklist_for(step.id) is not None
    }


def _checklist_picker(library: PackLibrary, refs: dict[str, str]) -> None:
    """Which checklist to check against; the current pack's first step until the person picks another."""
    state.restore(
        state.W_VALIDATE_REF,
        f"{state.pack_name()}/{library.packs[state.pack_name()].steps[0].id}"
        if state.pack_name() in library.packs
        else next(iter(refs)),
    )
    if st.session_state[state.W_VALIDATE_REF] not in refs:
        st.session_state[state.W_VALIDATE_REF] = next(iter(refs))
    st.selectbox(
        "Checklist",
        list(refs),
        format_func=refs.get,
        key=state.W_VALIDATE_REF,
        on_change=state.keep,
        args=(state.W_VALIDATE_REF,),
    )


def _sources(library: PackLibrary, refs: dict[str, str]) -> None:
    """Fill the answer box from a file, or from a draft of this session that has a checklist."""
    drafts = {
        f"{name}/{step_id}": f"{library.packs[name].title} — {library.packs[name].step(step_id).title}"
        for name, space in st.session_state[state.WORKSPACES].items()
        if name in library.packs
        for step_id, draft in space.drafts.items()
        if draft.text.strip() and f"{name}/{step_id}" in refs
    }
    left, right = st.columns(2)
    left.file_uploader(
        "Upload a Markdown or text file",
        type=["md", "markdown", "txt"],
        key=state.W_VALIDATE_UPLOAD,
        on_change=_on_upload,
    )
    if drafts:
        right.selectbox(
            "…or check a draft from this session",
            [""] + list(drafts),
            format_func=lambda ref: drafts.get(ref, "Choose a draft"),
            key=state.W_VALIDATE_DRAFT,
            on_change=_from_draft,
        )


def _answer_box() -> tuple[str, bool]:
    """The answer to check and whether the check button was clicked in this run."""
    state.restore(state.W_VALIDATE_TEXT, "")
    text = st.text_area(
        "Answer (Markdown)",
        key=state.W_VALIDATE_TEXT,
        height=320,
        on_change=state.keep,
        args=(state.W_VALIDATE_TEXT,),
        placeholder="Paste the model's answer here…",
        max_chars=MAX_ANSWER_CHARS,
    )
    # never disabled: typing then clicking at once must not lose the click while the text box commits
    clicked = st.button("Check against the checklist", key=state.W_VALIDATE_RUN, type="primary")
    if clicked and not (text or "").strip():
        st.info("Paste an answer above or upload a file first.", icon=":material/info:")
    return text, clicked


def _report(studio: Studio, text: str) -> None:
    """The verdict, the checklist and lints, and the same report as JSON."""
    try:
        report = studio.validate(text, st.session_state[state.W_VALIDATE_REF])
    except PlaybookError as exc:
        st.error(inert_inline(exc.message))
        return
    with st.container(border=True):
        summary = inert_inline(widgets.checklist_summary(report))
        if report.ok:
            st.success(
                f"Every required section is present with all its items: {summary}.", icon=":material/check_circle:"
            )
        else:
            st.warning(f"Needs attention: {summary}.", icon=":material/warning:")
        widgets.checklist(report)
        st.download_button(
            "Report as JSON (same as `playbook validate --format json`)",
            icon=":material/download:",
            data=json.dumps(report.contract(), indent=2, ensure_ascii=False),
            file_name="validation-report.json",
            mime="application/json",
            key="validate_report_json",
            on_click="ignore",
        )


def render() -> None:
    studio = session.studio()
    library = studio.library
    refs = _checklist_refs(library)
    st.title("Validate an answer")
    st.caption(
        "Paste or upload any answer — from this app, another tool or a colleague — and see which required sections "
        "it has in full, which lack required items, which are missing, and what the lints found."
    )
    _checklist_picker(library, refs)
    _sources(library, refs)
    text, clicked = _answer_box()
    if (text or "").strip() and (clicked or st.session_state.get(VALIDATED_ONCE)):
        st.session_state[VALIDATED_ONCE] = True
        _report(studio, text)


shell.page(render)
