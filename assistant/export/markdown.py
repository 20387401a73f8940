"""The whole document set as one Markdown file, and the checklist appendix every format shares."""

from __future__ import annotations

from assistant.export.document import OFFLINE_NOTE, ExportDocument, ExportStep


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
    lines = [f"# {document.title}", ""]
    meta = f"Pack: {document.pack} · Provider: {document.provider} · Model: {document.model} · {document.created_at}"
    lines += [meta, ""]
    if document.offline:
        lines += [f"> **{OFFLINE_NOTE}**", ""]
    for step in document.steps:
        lines += [f"<!-- step: {step.id} ({step.status}) -->", "", step.text.strip(), "", "---", ""]
    lines += ["# Checklist appendix", ""]
    for step in document.steps:
        lines += checklist_markdown(step)
    return "\n".join(lines).rstrip() + "\n"
