"""The whole document set as one Markdown file, and the checklist appendix every format shares."""

from __future__ import annotations

from assistant.export.document import ExportDocument, ExportStep
from assistant.export.headings import balanced
from assistant.export.notices import notices
from assistant.validation import SectionResult

APPENDIX = "Checklist appendix"


def _status(section: SectionResult) -> str:
    """The verdict in words (Word and PDF readers may lack symbol fonts)."""
    if section.status == "renamed" and section.found_as is not None:
        return f"found as “{section.found_as.title}” (line {section.found_as.line})"
    return "missing (empty heading)" if section.status == "missing" and section.reason == "empty" else section.status


def checklist_markdown(step: ExportStep) -> list[str]:
    """One step's verdict: the tally, a row per section with what an incomplete one lacks, the lints."""
    report = step.report
    if report is None:
        return [f"- {step.title}: not validated"]
    lints = f"; {report.lint_tally()}" if report.lints else ""
    lines = [f"**{step.title}** — {report.tally()}{lints}", ""]
    lines += ["| Section | Status | Missing items |", "|---|---|---|"]
    for section in report.sections:
        items = "; ".join(section.missing_items) if section.status in ("incomplete", "renamed") and section.missing_items else "—"
        lines.append(f"| {_cell(section.title)} | {_status(section)} | {_cell(items)} |")
    for lint in report.lints:
        lines.append(f"\n- {lint.severity} · {lint.code} (line {lint.line}): {lint.message}")
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
