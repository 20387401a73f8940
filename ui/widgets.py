"""Small views shared by the pages: step status, the checklist, version diffs, export buttons."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from assistant.validation import SectionResult, ValidationReport
from assistant.packs import Pack

from ui import diffs, exporting, state
from ui.safety import inert_inline, inert_markdown
from ui.state import Draft, Workspace

#: display status -> (label, badge colour)
STATUS = {
    "not_run": ("not run", "gray"),
    "queued": ("queued", "gray"),
    "running": ("running", "blue"),
    "done": ("done", "green"),
    "attention": ("needs attention", "orange"),
    "stale": ("out of date", "orange"),
    "failed": ("failed", "red"),
}
#: Material icons for the badges (emoji fonts are not everywhere)
BADGE_ICONS = {
    "not_run": ":material/radio_button_unchecked:",
    "queued": ":material/schedule:",
    "running": ":material/progress_activity:",
    "done": ":material/check_circle:",
    "attention": ":material/warning:",
    "stale": ":material/update:",
    "failed": ":material/cancel:",
}


def display_status(draft: Draft | None, running: bool = False, queued: bool = False) -> str:
    """not_run / queued / running / done / attention / stale / failed, as a person reads a step card.

    A failed attempt shows as failed even when an earlier version stays current: the card says so.
    """
    if queued:
        return "queued"
    if running:
        return "running"
    if draft is None or not (draft.text.strip() or draft.error):
        return "not_run"
    if draft.status in ("failed", "incomplete", "interrupted", "skipped"):
        return "failed"
    if not draft.usable or draft.status in ("truncated", "cancelled"):
        return "attention"
    if draft.stale:
        return "stale"
    report = draft.report
    if report is not None and not report.ok:
        return "attention"
    return "done"


def status_icon(status: str) -> str:
    """A step status as a coloured icon for a Markdown line (the pipeline at a glance)."""
    return f":{STATUS[status][1]}[{BADGE_ICONS[status]}]"


def status_badge(status: str) -> None:
    label, colour = STATUS[status]
    st.badge(label, icon=BADGE_ICONS[status], color=colour)


#: a section's verdict -> its Material icon and colour (Streamlit ships the icon font; emoji fonts vary)
VERDICT_ICONS = {
    "present": (":material/check_circle:", "green"),
    "incomplete": (":material/incomplete_circle:", "orange"),
    "renamed": (":material/swap_horiz:", "blue"),
    "missing": (":material/cancel:", "red"),
}


def checklist_summary(report: ValidationReport | None) -> str:
    """'9 of 11 sections present, 1 incomplete, 1 missing · 1 lint error': the counts every view shows."""
    if report is None:
        return "not checked"
    parts = [report.tally()]
    if report.lints:
        parts.append(report.lint_tally())
    if report.truncated:
        parts.append("stops mid-section (truncated)")
    return " · ".join(parts)


def checklist_verdict(report: ValidationReport | None) -> None:
    """The summary line with an icon: ticked when the step is ok, a warning when it needs attention."""
    if report is None:
        icon = ":gray[:material/help:]"
    else:
        icon = ":green[:material/check_circle:]" if report.ok else ":orange[:material/warning:]"
    st.markdown(f"{icon} **{inert_inline(checklist_summary(report))}**")


def _section_line(section: SectionResult) -> list[str]:
    icon, colour = VERDICT_ICONS[section.status]
    title = f":{colour}[{icon}] {inert_inline(section.title)}"
    where = f" (line {section.line})" if section.line else ""
    if section.status == "present":
        return [f"- {title}{where}"]
    if section.status == "missing":
        why = ": only an empty heading (“TBD”, “N/A” or nothing below it)" if section.reason == "empty" else ""
        return [f"- {title}{where} — **missing**{why}"]
    count = len(section.missing_items)
    lacks = f"lacks {count} required item{'s' if count != 1 else ''}"
    if section.status == "renamed" and section.found_as is not None:
        found = f"— **found under another name**: “{inert_inline(section.found_as.title)}” (line {section.found_as.line})"
        lines = [f"- {title} {found}" + (f"; could add {count} item{'s' if count != 1 else ''}" if count else "")]
    else:
        lines = [f"- {title}{where} — **incomplete**: {lacks}"]
    return lines + [f"    - {inert_inline(item)}" for item in section.missing_items]


def checklist(report: ValidationReport | None) -> None:
    """The checklist: each section present, incomplete (with what it lacks), found under another name or
    missing, then the lints."""
    if report is None:
        st.caption("Not checked yet.")
        return
    st.markdown("\n".join(line for section in report.sections for line in _section_line(section)))
    if report.lints:
        lint_lines = ["**Lints**", ""]
        for lint in report.lints:
            mark = ":red[:material/cancel:]" if lint.severity == "error" else ":orange[:material/warning:]"
            where = f" · line {lint.line}" if lint.line else ""
            lint_lines.append(f"- {mark} {lint.severity} · `{lint.code}`{where} — {inert_inline(lint.message)}")
        st.markdown("\n".join(lint_lines))


def markdown_text(text: str, *, demote: int = 2) -> None:
    """Model or user text as Markdown, with HTML made inert (headings demoted to fit a card)."""
    st.markdown(inert_markdown(text, demote=demote))


def versions(draft: Draft, *, key: str, on_restore: Callable[[int], None]) -> None:
    """Pick two versions, see them side by side with the changes marked, restore one."""
    count = len(draft.versions)
    if count == 0:
        st.caption("No versions yet.")
        return
    if count == 1:
        st.caption(
            f"One version so far ({draft.versions[0].label}). Edits, repairs and re-runs are kept here to compare."
        )
        return
    labels = {i: v.label for i, v in enumerate(draft.versions)}
    left, right = st.columns(2)
    older = left.selectbox("Compare", list(labels), index=count - 2, format_func=labels.get, key=f"{key}__a__{count}")
    newer = right.selectbox("with", list(labels), index=count - 1, format_func=labels.get, key=f"{key}__b__{count}")
    a, b = draft.versions[older], draft.versions[newer]
    added, removed = diffs.counts(a.text, b.text)
    st.caption(f"{added} line(s) added, {removed} removed.")
    rendered = diffs.side_by_side(a.text, b.text, a.label, b.label)
    if rendered:
        with st.container(height=480, border=True):
            st.html(rendered)
    else:
        st.caption("The two versions are the same text.")
    st.button(
        f"Make v{a.number} the current draft",
        key=f"{key}__restore",
        on_click=on_restore,
        args=(a.number,),
        help="Keeps every version; the restored text becomes a new version and is what later steps read.",
    )


_EXPORT_HELP = {
    "md": "One Markdown file: every step under the title, then the checklist appendix.",
    "docx": "Word, with a table of contents that Word fills in with page numbers when it opens the file.",
    "html": "A standalone web page with linked contents; it runs no scripts.",
    "pdf": "A4 pages with numbered contents and bookmarks; made when you click (a few seconds).",
}


def export_buttons(pack: Pack, ws: Workspace) -> None:
    """The whole set as Markdown, Word, HTML and PDF."""
    suggested = exporting.suggested_title(pack, ws)
    kept = st.session_state[state.KEPT]
    state.restore(state.W_EXPORT_TITLE, suggested)
    # follow the company name and pack until the person types a title of their own
    if st.session_state[state.W_EXPORT_TITLE] == kept.get("_export_title_suggested") != suggested:
        st.session_state[state.W_EXPORT_TITLE] = suggested
    kept["_export_title_suggested"] = suggested
    title = st.text_input(
        "Document title", key=state.W_EXPORT_TITLE, on_change=state.keep, args=(state.W_EXPORT_TITLE,)
    )
    doc = exporting.document(pack, ws, title)
    if doc is None:
        st.caption("Nothing to export yet: run a step first.")
        return
    stale = [s.title for s in doc.steps if s.stale]
    if stale:
        st.warning(
            f"Out of date in this set: {inert_inline(', '.join(stale))}. The export marks them; re-run them first for a current set.",
            icon=":material/update:",
        )
    notes = exporting.first_page_notes(doc, skip=("outdated",))
    if notes:
        st.caption("The first page of every export says:\n" + "\n".join(f"- {inert_inline(note)}" for note in notes))
    keys = {"md": state.W_EXPORT_MD, "docx": state.W_EXPORT_DOCX, "html": state.W_EXPORT_HTML, "pdf": state.W_EXPORT_PDF}
    for column, (fmt, label) in zip(st.columns(len(exporting.FORMATS)), exporting.FORMATS):
        problem = exporting.unavailable(fmt)
        column.download_button(
            label,
            data=b"" if problem else exporting.download_data(doc, fmt),
            file_name=exporting.file_name(doc.title, fmt),
            mime=exporting.MIME[fmt],
            key=keys[fmt],
            on_click=exporting.record_export,
            args=(ws.run_id, fmt),
            icon=":material/download:",
            width="stretch",
            disabled=problem is not None,
            help=problem or _EXPORT_HELP[fmt],
        )
    st.caption(f"{len(doc.steps)} step(s): " + ", ".join(inert_inline(s.title) for s in doc.steps))
