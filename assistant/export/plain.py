"""One person's document back out as Markdown, Word or HTML, without labels or appendices.

An audited policy belongs to its team: the Markdown is exactly the text (their bytes and the drafted
sections), and Word and HTML are that text rendered the way the document set exports render it
(headings, lists, tables, bold; raw HTML shown as text, scripts never run).
"""

from __future__ import annotations

import io

from assistant.export.document import Format, xml_safe
from assistant.export.html import page_head
from assistant.export.parser import markdown_parser
from assistant.export.word import docx_blocks


def document_file(text: str, title: str, fmt: Format) -> bytes:
    """``text`` (Markdown) as the bytes of a ``fmt`` file titled ``title``."""
    if fmt == "md":
        return text.encode("utf-8")
    if fmt == "html":
        page = [*page_head(title), markdown_parser().render(xml_safe(text)), "</body></html>"]
        return ("\n".join(page) + "\n").encode("utf-8")
    if fmt == "docx":
        from docx import Document

        doc = Document()
        doc.core_properties.title = xml_safe(title)[:255]
        docx_blocks(doc, text)
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown export format {fmt!r}")
