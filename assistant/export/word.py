"""A Word document (python-docx) built from the Markdown of each step: headings, lists, tables, bold."""

from __future__ import annotations

import io
import re
from typing import Any

from assistant.export.document import OFFLINE_NOTE, ExportDocument, xml_safe
from assistant.export.html import markdown_parser
from assistant.export.markdown import checklist_markdown


_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([^)\s]+)\)")


def _add_inline(paragraph: Any, text: str) -> None:
    """Add text with **bold** runs; a link reads as its text and address; other markup stays plain text."""
    text = _LINK.sub(lambda m: m.group(1) if m.group(2).startswith("#") else f"{m.group(1)} ({m.group(2)})", text)
    for index, chunk in enumerate(re.split(r"\*\*(.+?)\*\*", xml_safe(text))):
        if chunk:
            paragraph.add_run(chunk).bold = index % 2 == 1


def docx_blocks(doc: Any, markdown_text: str) -> None:
    tokens = markdown_parser().parse(xml_safe(markdown_text))
    index = 0
    list_styles: list[str] = []
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = min(int(token.tag[1]), 4)
            doc.add_heading(xml_safe(tokens[index + 1].content), level=level)
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
            run = paragraph.add_run(xml_safe(token.content.rstrip("\n")))
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
            rows[-1].append(xml_safe(token.content))
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


def to_docx_bytes(document: ExportDocument) -> bytes:
    """The Word file's bytes (python-docx loads only when a Word file is asked for)."""
    from docx import Document

    doc = Document()
    doc.core_properties.title = xml_safe(document.title)[:255]
    doc.add_heading(xml_safe(document.title), level=0)
    doc.add_paragraph(xml_safe(f"Pack: {document.pack} · Provider: {document.provider} · Model: {document.model} · {document.created_at}"))
    if document.offline:
        _add_inline(doc.add_paragraph(), f"**{OFFLINE_NOTE}**")
    for step in document.steps:
        docx_blocks(doc, step.text)
        doc.add_page_break()
    doc.add_heading("Checklist appendix", level=1)
    for step in document.steps:
        docx_blocks(doc, "\n".join(checklist_markdown(step)))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
