"""Export a run: one Markdown file per step plus ``run.json``, or the whole set
as one Markdown file, a Word document or a standalone HTML page.

Model and user text is data here too: HTML is produced by markdown-it with
raw HTML disabled and the page forbids scripts (Content-Security-Policy), so
a ``<script>`` in a variable or an answer is shown, never run. Offline
drafts are labelled as such in every format.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from markdown_it import MarkdownIt
from pydantic import BaseModel

from assistant.validation import ValidationReport

Format = Literal["md", "docx", "html"]
OFFLINE_NOTE = (
    "Offline draft: composed from your inputs and the pack's checklists without a language model. "
    "Connect a model for tailored prose."
)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class ExportStep(BaseModel):
    id: str
    title: str
    status: str
    text: str
    report: ValidationReport | None = None


class ExportDocument(BaseModel):
    """What every export format renders: a run, whether in memory or from history."""

    title: str
    pack: str
    provider: str
    model: str
    created_at: str
    run_id: str | None = None
    steps: list[ExportStep]

    @property
    def offline(self) -> bool:
        return self.provider == "offline"


# --- Markdown -----------------------------------------------------------------------


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


# --- HTML ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:920px;margin:2rem auto;padding:0 1rem;
line-height:1.55;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.35rem .6rem;vertical-align:top}
th{background:#f6f8fa}pre{background:#f6f8fa;padding:.8rem;overflow:auto}code{font-size:.92em}
.offline{background:#fff8c5;border:1px solid #d4a72c;padding:.6rem .9rem;border-radius:6px}
.meta{color:#57606a}.step{border-top:2px solid #d0d7de;margin-top:2.5rem;padding-top:1rem}
"""


def to_html(document: ExportDocument) -> str:
    md = _markdown()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{html.escape(document.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(document.title)}</h1>",
        f'<p class="meta">Pack: {html.escape(document.pack)} · Provider: {html.escape(document.provider)} · '
        f"Model: {html.escape(document.model)} · {html.escape(document.created_at)}</p>",
    ]
    if document.offline:
        parts.append(f'<p class="offline"><strong>{html.escape(OFFLINE_NOTE)}</strong></p>')
    for step in document.steps:
        parts.append(f'<section class="step" id="step-{html.escape(step.id)}">{md.render(_clean(step.text))}</section>')
    parts.append('<section class="step"><h1>Checklist appendix</h1>')
    for step in document.steps:
        parts.append(md.render("\n".join(checklist_markdown(step))))
    parts.append("</section></body></html>")
    return "\n".join(parts) + "\n"


# --- Word ---------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text safe for XML-based formats (Word rejects control characters)."""
    return _XML_INVALID.sub("", text)


def _add_inline(paragraph: Any, text: str) -> None:
    """Add text with **bold** runs; other inline markup is kept as plain text."""
    for index, chunk in enumerate(re.split(r"\*\*(.+?)\*\*", _clean(text))):
        if chunk:
            paragraph.add_run(chunk).bold = index % 2 == 1


def _docx_blocks(doc: Any, markdown_text: str) -> None:
    tokens = _markdown().parse(_clean(markdown_text))
    index = 0
    list_styles: list[str] = []
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = min(int(token.tag[1]), 4)
            doc.add_heading(_clean(tokens[index + 1].content), level=level)
            index += 3
            continue
        if token.type in ("bullet_list_open", "ordered_list_open"):
            list_styles.append("List Number" if token.type == "ordered_list_open" else "List Bullet")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_styles.pop()
        elif token.type == "paragraph_open":
            style = list_styles[-1] if list_styles else None
            paragraph = doc.add_paragraph(style=style)
            _add_inline(paragraph, tokens[index + 1].content)
            index += 3
            continue
        elif token.type in ("fence", "code_block"):
            paragraph = doc.add_paragraph()
            run = paragraph.add_run(_clean(token.content.rstrip("\n")))
            run.font.name = "Courier New"
        elif token.type == "table_open":
            index = _docx_table(doc, tokens, index)
            continue
        elif token.type == "hr":
            doc.add_paragraph("—" * 20)
        index += 1


def _docx_table(doc: Any, tokens: list[Any], start: int) -> int:
    rows: list[list[str]] = []
    index = start + 1
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            rows[-1].append(_clean(token.content))
        index += 1
    width = max((len(r) for r in rows), default=0)
    if rows and width:
        table = doc.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                cell = table.cell(r, c)
                cell.text = ""
                _add_inline(cell.paragraphs[0], value)
                if r == 0:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
    return index + 1


def write_docx(document: ExportDocument, path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.core_properties.title = _clean(document.title)[:255]
    doc.add_heading(_clean(document.title), level=0)
    doc.add_paragraph(_clean(f"Pack: {document.pack} · Provider: {document.provider} · Model: {document.model} · {document.created_at}"))
    if document.offline:
        _add_inline(doc.add_paragraph(), f"**{OFFLINE_NOTE}**")
    for step in document.steps:
        _docx_blocks(doc, step.text)
        doc.add_page_break()
    doc.add_heading("Checklist appendix", level=1)
    for step in document.steps:
        _docx_blocks(doc, "\n".join(checklist_markdown(step)))
    doc.save(str(path))


def export(document: ExportDocument, fmt: Format, path: Path) -> Path:
    """Write ``document`` as ``fmt`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        path.write_text(to_markdown(document), encoding="utf-8")
    elif fmt == "html":
        path.write_text(to_html(document), encoding="utf-8")
    elif fmt == "docx":
        write_docx(document, path)
    else:  # pragma: no cover - typer restricts the choice
        raise ValueError(f"unknown format {fmt!r}")
    return path


# --- the --out folder of `playbook run` ---------------------------------------------------


def write_run_folder(result: Any, titles: dict[str, str], out: Path) -> list[Path]:
    """One Markdown file per step (named after the step) and ``run.json``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    steps: dict[str, Any] = {}
    for step_id, step in result.steps.items():
        entry: dict[str, Any] = {
            "title": titles.get(step_id, step_id),
            "status": step.status,
            "chars": len(step.text),
            "usage": step.usage.model_dump(),
            "repair_usage": step.repair_usage.model_dump(),
            "regeneration_tokens": step.regeneration_tokens,
            "repair_ratio": _repair_ratio(step),
            "cost": step.cost,
            "timings": step.timings,
            "attempts": step.attempts,
            "cached": step.cached,
            "error": step.error,
            "parts": step.parts,
            "report": step.report.contract() if step.report else None,
        }
        if step.text:
            path = out / f"{step_id}.md"
            path.write_text(step.text if step.text.endswith("\n") else step.text + "\n", encoding="utf-8")
            entry["file"] = path.name
            written.append(path)
        steps[step_id] = entry
    summary = {
        "run_id": result.run_id,
        "pack": result.pack,
        "provider": result.provider,
        "model": result.model,
        "status": result.status,
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "elapsed_seconds": round(result.elapsed, 3),
        "usage": result.usage.model_dump(),
        "cost": result.cost,
        "offline": result.provider == "offline",
        "steps": steps,
    }
    run_json = out / "run.json"
    run_json.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [*written, run_json]


def _repair_ratio(step: Any) -> float | None:
    spent = step.repair_usage.input_tokens + step.repair_usage.output_tokens
    if not spent or not step.regeneration_tokens:
        return None
    return round(spent / step.regeneration_tokens, 3)


def document_from_result(result: Any, titles: dict[str, str], title: str) -> ExportDocument:
    return ExportDocument(
        title=title,
        pack=result.pack,
        provider=result.provider,
        model=result.model,
        created_at=result.started_at,
        run_id=result.run_id,
        steps=[
            ExportStep(id=k, title=titles.get(k, k), status=s.status, text=s.text, report=s.report)
            for k, s in result.steps.items()
            if s.text
        ],
    )


def document_from_record(record: Any, titles: dict[str, str], title: str) -> ExportDocument:
    """From a stored run (``assistant.store.RunRecord``): whole steps only, not fan-out parts."""
    steps: Iterable[Any] = [s for s in record.steps if ":" not in s.key and s.text_or_partial]
    return ExportDocument(
        title=title,
        pack=record.pack,
        provider=record.provider,
        model=record.model,
        created_at=record.created_at.isoformat() if isinstance(record.created_at, datetime) else str(record.created_at),
        run_id=record.id,
        steps=[
            ExportStep(
                id=s.key,
                title=titles.get(s.key, s.key),
                status=s.effective_status,
                text=s.text_or_partial,
                report=ValidationReport.model_validate(s.report) if s.report else None,
            )
            for s in steps
        ],
    )


#: variables that name the organisation (others, like seed 001's company_type, describe it)
NAME_VARIABLES = ("company_name", "organisation_name", "organization_name", "org_name")


def organisation_name(values: dict[str, Any]) -> str | None:
    """The organisation's name from a pack's variables, for titles; None when no variable names it."""
    for name in NAME_VARIABLES:
        value = values.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip().splitlines()[0][:120]
    return None


def default_title(pack_title: str, company: str | None) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"{pack_title} — {company} ({stamp})" if company else f"{pack_title} ({stamp})"
