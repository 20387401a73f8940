"""A Word document (python-docx) built from the Markdown of each step: headings, lists, tables, bold.

The title page holds the title, provenance, the notes (offline, unfinished, out of date) and the
table of contents; each step starts on a new page at Heading 1.
"""

from __future__ import annotations

import io
import re
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from assistant.export.contents import DEPTH, Entry
from assistant.export.document import ExportDocument, xml_safe
from assistant.export.headings import balanced
from assistant.export.markdown import APPENDIX, checklist_markdown
from assistant.export.notices import Notice, notices
from assistant.export.parser import markdown_parser, plain_text
from assistant.export.word_package import describe
from assistant.export.word_toc import ask_to_update_fields, bookmark, fill_contents

#: every step's heading is a Heading 1 under the Title
STEP_LEVEL = 1
CONTENTS = "Contents"
#: paragraph properties that come after ``w:pBdr`` and ``w:shd`` (schema order)
_AFTER_SHADING = ("w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc", "w:outlineLvl", "w:rPr", "w:sectPr")


_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([^)\s]+)\)")


def _add_inline(paragraph: Any, text: str) -> None:
    """Add text with **bold** runs; a link reads as its text and address; other markup stays plain text."""
    text = _LINK.sub(lambda m: m.group(1) if m.group(2).startswith("#") else f"{m.group(1)} ({m.group(2)})", text)
    for index, chunk in enumerate(re.split(r"\*\*(.+?)\*\*", xml_safe(text))):
        if chunk:
            paragraph.add_run(chunk).bold = index % 2 == 1


class _Body:
    """Adds Markdown to the document; headings get bookmarks and become contents entries."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.entries: list[tuple[Entry, str]] = []

    def add(self, markdown_text: str) -> None:
        doc = self.doc
        tokens = markdown_parser().parse(xml_safe(markdown_text))
        index = 0
        list_styles: list[str] = []
        while index < len(tokens):
            token = tokens[index]
            if token.type == "heading_open":
                self._heading(int(token.tag[1]), plain_text(tokens[index + 1]))
                index += 3
                continue
            if token.type in ("bullet_list_open", "ordered_list_open"):
                list_styles.append("List Number" if token.type == "ordered_list_open" else "List Bullet")
            elif token.type in ("bullet_list_close", "ordered_list_close"):
                list_styles.pop()
            elif token.type == "paragraph_open":
                style = list_styles[-1] if list_styles else None
                _add_inline(doc.add_paragraph(style=style), tokens[index + 1].content)
                index += 3
                continue
            elif token.type in ("fence", "code_block"):
                run = doc.add_paragraph().add_run(token.content.rstrip("\n"))
                run.font.name = "Courier New"
            elif token.type == "table_open":
                index = _docx_table(doc, tokens, index)
                continue
            elif token.type == "hr":
                doc.add_paragraph("—" * 20)
            index += 1

    def _heading(self, level: int, text: str) -> None:
        paragraph = self.doc.add_heading(text, level=level)
        if level <= DEPTH and text:
            self.entries.append((Entry(level, text, ""), bookmark(paragraph, len(self.entries) + 1)))


def docx_blocks(doc: Any, markdown_text: str) -> None:
    """Markdown added to a Word document as paragraphs, headings, lists and tables."""
    _Body(doc).add(markdown_text)


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
    """The Word file's bytes."""
    from docx import Document

    doc = Document()
    describe(doc, document)
    ask_to_update_fields(doc)
    doc.add_heading(xml_safe(document.title), level=0)
    doc.add_paragraph(xml_safe(document.summary))
    for notice in notices(document):
        _notice(doc, notice)
    doc.add_paragraph(CONTENTS, style="TOC Heading")
    contents = doc.add_paragraph()
    doc.add_page_break()
    body = _Body(doc)
    for step in document.steps:
        body.add(balanced(step.text, step.title, STEP_LEVEL))
        doc.add_page_break()
    body.add("\n".join([f"{'#' * STEP_LEVEL} {APPENDIX}", "", *(line for s in document.steps for line in checklist_markdown(s))]))
    fill_contents(contents, body.entries)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _notice(doc: Any, notice: Notice) -> None:
    """A shaded, bordered paragraph, so the note reads as a banner on the first page."""
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{notice.label}: ").bold = True
    paragraph.add_run(xml_safe(notice.text))
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        for name, value in (("val", "single"), ("sz", "8"), ("space", "4"), ("color", "D4A72C")):
            edge.set(qn(f"w:{name}"), value)
        borders.append(edge)
    shading = OxmlElement("w:shd")
    for name, value in (("val", "clear"), ("color", "auto"), ("fill", "FFF8C5")):
        shading.set(qn(f"w:{name}"), value)
    properties.insert_element_before(borders, "w:shd", *_AFTER_SHADING)
    properties.insert_element_before(shading, *_AFTER_SHADING)
