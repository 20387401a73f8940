"""Draft the sections a team's document lacks, show what was added, and hand the document back.

The drafting goes through the Studio with the provider chosen in the sidebar (the offline composer
when there is no key); the team's text is kept byte for byte and only the new sections are shown
as additions. The result stays in the session until the document or checklist changes.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import PurePath

import streamlit as st

from assistant.api import Studio, ValidationReport
from assistant.errors import PlaybookError
from ui import session, state, widgets
from ui.safety import inert_inline

_FORMATS = (("md", "Markdown", "text/markdown"), ("docx", "Word", None), ("html", "HTML", "text/html"))


def additions(before: str, after: str) -> list[tuple[int, str]]:
    """The blocks ``after`` adds to ``before`` (1-based line in ``after``, text); nothing else may differ."""
    old, new = before.splitlines(), after.splitlines()
    return [
        (j1 + 1, "\n".join(new[j1:j2]).strip())
        for op, _, _, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
        if op == "insert" and "\n".join(new[j1:j2]).strip()
    ]


def _organisation(studio: Studio) -> str:
    profile = state.workspace(state.pack_name()).values
    state.restore(state.W_AUDIT_ORG, profile.get("company_name", ""))
    return st.text_input(
        "Organisation (for the drafted sections)",
        key=state.W_AUDIT_ORG,
        on_change=state.keep,
        args=(state.W_AUDIT_ORG,),
        placeholder="e.g. Teacher Services",
        max_chars=200,
    )


def _draft(studio: Studio, text: str, ref: str, organisation: str) -> None:
    try:
        provider = session.provider(studio)
        with st.spinner(f"Drafting the missing sections with {provider.name}…"):
            filled = studio.fill_gaps(text, ref, provider=provider, organisation=organisation)
    except PlaybookError as exc:
        st.error(inert_inline(exc.message), icon=":material/error:")
        return
    st.session_state[state.AUDIT_FILLED] = {
        "source": text, "ref": ref, "text": filled.text, "asked": filled.asked, "provider": filled.provider,
        "model": filled.model, "report": filled.report.model_dump(mode="json"),
    }


def _filled_view(studio: Studio, filled: dict, name: str, title: str) -> None:
    report = ValidationReport.model_validate(filled["report"])
    count = len(filled["asked"])
    st.success(
        inert_inline(
            f"Drafted with {filled['provider']} ({filled['model']}) for {count} section{'s' if count != 1 else ''}. "
            f"Now {widgets.checklist_summary(report)}."
        ),
        icon=":material/edit_note:",
    )
    added = additions(filled["source"], filled["text"])
    with st.expander(f"What was added ({len(added)} block{'s' if len(added) != 1 else ''}; your text is unchanged)"):
        st.caption(inert_inline("Asked for: " + "; ".join(filled["asked"])))
        for line, block in added:
            st.caption(f"Added at line {line}")
            widgets.markdown_text(block, demote=2)
    stem = PurePath(name).stem or "document"
    columns = st.columns(len(_FORMATS) + 1)
    for column, (fmt, label, mime) in zip(columns, _FORMATS):
        column.download_button(
            f"Download as {label}",
            icon=":material/download:",
            data=studio.document_file(filled["text"], title or stem, fmt),
            file_name=f"{stem}-filled.{fmt}",
            mime=mime or "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            key=f"audit_download_{fmt}",
            on_click="ignore",
        )
    if columns[-1].button("Check the filled document", key=state.W_AUDIT_USE):
        state.queue_widget_value(state.W_VALIDATE_TEXT, filled["text"])
        st.session_state.pop(state.AUDIT_FILLED, None)
        st.rerun()


def fill_panel(studio: Studio, text: str, ref: str, report: ValidationReport) -> None:
    """Offer to draft what the document lacks; show the last draft while it still fits the document."""
    document = st.session_state.get(state.VALIDATE_DOCUMENT) or {}
    filled = st.session_state.get(state.AUDIT_FILLED)
    if filled and (filled["source"] != text or filled["ref"] != ref):
        st.session_state.pop(state.AUDIT_FILLED, None)
        filled = None
    with st.container(border=True):
        st.markdown("**Fill the gaps**")
        if not report.gaps:
            st.caption("Nothing to draft: every section is there with all its items.")
            return
        whole = sum(1 for items in report.gaps.values() if not items)
        points = len(report.gaps) - whole
        asking = " and ".join(
            part
            for part in (
                f"{whole} missing section{'s' if whole != 1 else ''}" if whole else "",
                f"the missing points of {points} section{'s' if points != 1 else ''}" if points else "",
            )
            if part
        )
        st.caption(
            f"Ask {session.provider_name(studio)} ({session.model_name(studio)}) only for what this document lacks "
            f"({asking}), in its own terms. The new text goes in where the checklist puts it, in the document's heading "
            "style; your text stays exactly as it is."
        )
        organisation = _organisation(studio)
        if st.button("Draft the missing sections", key=state.W_AUDIT_FILL, type="primary", icon=":material/edit_note:"):
            _draft(studio, text, ref, organisation)
            filled = st.session_state.get(state.AUDIT_FILLED)
        if filled:
            _filled_view(studio, filled, document.get("name", ""), document.get("title", ""))
