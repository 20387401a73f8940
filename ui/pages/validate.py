"""Check or audit a document: a model's answer, or the policy a team already has (Word, HTML,
Markdown or text), against any pack/step checklist; then draft only what a team's document lacks."""

from __future__ import annotations

import json

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.api import DOCUMENT_TYPES, Studio
from assistant.bounded import MAX_ANSWER_CHARS
from assistant.errors import PlaybookError
from assistant.packs import PackLibrary
from ui import session, shell, state, widgets
from ui.panels.audit_fill import fill_panel
from ui.panels.audit_matrix import coverage_matrix
from ui.safety import inert_inline

#: set once a check has run, so the report follows the text as it is edited
VALIDATED_ONCE = "_validated_once"


def _on_upload() -> None:
    """Read the uploaded file by its extension; a Word file or a web page is someone's finished document."""
    upload = st.session_state.get(state.W_VALIDATE_UPLOAD)
    if upload is None:
        return
    try:
        document = session.studio().read_document(upload.name, upload.getvalue())
    except PlaybookError as exc:
        state.flash("error", exc.message)
        return
    st.session_state[state.W_VALIDATE_TEXT] = document.text
    st.session_state[state.W_VALIDATE_FINISHED] = document.converted
    st.session_state[state.VALIDATE_DOCUMENT] = {
        "name": document.name, "kind": document.kind, "title": document.title, "notes": document.notes,
    }
    for key in (state.W_VALIDATE_TEXT, state.W_VALIDATE_FINISHED):
        state.keep(key)


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
        "Upload a document: Word, HTML, Markdown or text",
        type=[suffix.lstrip(".") for suffix in DOCUMENT_TYPES],
        key=state.W_VALIDATE_UPLOAD,
        on_change=_on_upload,
        help="A Word file or a web page (a Confluence or Google Docs export, a handbook page) is read as Markdown: "
        "headings, lists and tables are kept; scripts and pictures are left out.",
    )
    if drafts:
        right.selectbox(
            "…or check a draft from this session",
            [""] + list(drafts),
            format_func=lambda ref: drafts.get(ref, "Choose a draft"),
            key=state.W_VALIDATE_DRAFT,
            on_change=_from_draft,
        )


def _document_note() -> None:
    """Say what an uploaded Word or HTML file became, so nobody mistakes the Markdown for their bytes."""
    document = st.session_state.get(state.VALIDATE_DOCUMENT)
    if not document or document["kind"] not in ("html", "docx"):
        return
    kind = "a Word document" if document["kind"] == "docx" else "an HTML page"
    notes = f" ({', '.join(document['notes'])})" if document["notes"] else ""
    st.info(
        inert_inline(f"{document['name']} is {kind}, read as Markdown below{notes}."), icon=":material/description:"
    )


def _answer_box() -> tuple[str, bool]:
    """The text to check and whether the check button was clicked in this run."""
    state.restore(state.W_VALIDATE_TEXT, "")
    _document_note()
    text = st.text_area(
        "Document or answer (Markdown)",
        key=state.W_VALIDATE_TEXT,
        height=320,
        on_change=state.keep,
        args=(state.W_VALIDATE_TEXT,),
        placeholder="Paste a model's answer or your team's policy here…",
        max_chars=MAX_ANSWER_CHARS,
    )
    state.restore(state.W_VALIDATE_FINISHED, False)
    st.checkbox(
        "This is my team's finished policy (audit it: never read as cut off, and offer to draft what it lacks)",
        key=state.W_VALIDATE_FINISHED,
        on_change=state.keep,
        args=(state.W_VALIDATE_FINISHED,),
    )
    # never disabled: typing then clicking at once must not lose the click while the text box commits
    clicked = st.button("Check against the checklist", key=state.W_VALIDATE_RUN, type="primary")
    if clicked and not (text or "").strip():
        st.info("Paste an answer above or upload a file first.", icon=":material/info:")
    return text, clicked


def _report(studio: Studio, text: str) -> None:
    """The verdict, the coverage matrix, the checklist and lints, the report as JSON; for a team's
    finished policy, the offer to draft what it lacks."""
    ref = st.session_state[state.W_VALIDATE_REF]
    finished = bool(st.session_state.get(state.W_VALIDATE_FINISHED))
    try:
        report = studio.check_document(text, ref) if finished else studio.validate(text, ref)
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
        coverage_matrix(report, text)
        with st.expander("Section by section, with the lints", expanded=not finished):
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
    if finished:
        fill_panel(studio, text, ref, report)


def render() -> None:
    studio = session.studio()
    library = studio.library
    refs = _checklist_refs(library)
    st.title("Check or audit a document")
    st.caption(
        "Upload your team's own policy (Word, HTML, Markdown or text) or paste any model's answer, and see which "
        "required sections it has in full, which lack items, which it has under another name, and which are missing. "
        "For your own policy, draft just what is missing and download it back."
    )
    _checklist_picker(library, refs)
    _sources(library, refs)
    text, clicked = _answer_box()
    if (text or "").strip() and (clicked or st.session_state.get(VALIDATED_ONCE)):
        st.session_state[VALIDATED_ONCE] = True
        _report(studio, text)


shell.page(render)
