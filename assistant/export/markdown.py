"""The whole document set as one Markdown file, and the checklist appendix every format shares."""

from __future__ import annotations

from assistant.export.document import ExportDocument, ExportStep
from assistant.export.headings import balanced
from assistant.export.notices import notices

APPENDIX = "Checklist appendix"


def _status_mark(status: str) -> str:
    return {"present": "✓", "empty": "✗ (empty)", "missing": "✗"}.get(status, status)


def checklist_markdown(step: ExportStep) -> list[str]:
    if step.report is None:
        return [f"- {step.title}: not validated"]
    lines = [f"**{step.title}** — {'all required sections present' if step.report.ok else 'needs attention'}", ""]
    lines += ["| Section | Status | Missing items |", "|---|---|---|"]
    for section in step.report.sections:
        items = "; ".join(section.missing_items) or "—"
        lines.append(f"| {_cell(section.title)} | {_status_mark(section.status)} | {_cell(items)} |")
    for lint in step.report.lints:
        lines.append(f"\n- ⚠ {lint.code} (line {lint.line}): {lint.message}")
    return lines + [""]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(document: ExportDocument) -> str:
    """One Markdown file: the title, the notes, then every step at ``##`` under it, then the appendix."""
    lines = [f"# {document.title}", "", document.summary, ""]
    for notice in notices(document):
        lines += [f"> **{notice.label}:** {notice.text}", ">"]
    if lines[-1] == ">":
        lines[-1] = ""
    for step in document.steps:
        lines += [f"<!-- step: {step.id} ({step.status}) -->", "", balanced(step.text, step.title, 2), "", "---", ""]
    lines += [f"## {APPENDIX}", ""]
    for step in document.steps:
        lines += checklist_markdown(step)
    return "\n".join(lines).rstrip() + "\n"
