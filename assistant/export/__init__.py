"""Document sets as Markdown, Word, HTML and PDF (provenance label, first-page notes, contents), and the ``--out`` folder of a run."""

from __future__ import annotations

from pathlib import Path

from assistant.export.document import (
    OFFLINE_NOTE,
    ExportDocument,
    ExportStep,
    Format,
    assemble,
    default_title,
    organisation_name,
    provenance_label,
)
from assistant.export.folder import write_run_folder
from assistant.export.html import to_html
from assistant.export.markdown import to_markdown
from assistant.export.notices import Notice, notices
from assistant.export.pdf import pdf_unavailable, to_pdf_bytes
from assistant.export.plain import document_file

MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
    "pdf": "application/pdf",
}


def render(document: ExportDocument, fmt: Format) -> bytes:
    """The file content of ``document`` as ``fmt`` (md, docx, html or pdf)."""
    if fmt == "md":
        return to_markdown(document).encode("utf-8")
    if fmt == "html":
        return to_html(document).encode("utf-8")
    if fmt == "pdf":
        return to_pdf_bytes(document)
    if fmt == "docx":
        from assistant.export.word import to_docx_bytes  # python-docx loads only when a Word file is asked for

        return to_docx_bytes(document)
    raise ValueError(f"unknown export format {fmt!r}")


def export(document: ExportDocument, fmt: Format, path: Path) -> Path:
    """Write ``document`` as ``fmt`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(document, fmt))
    return path


__all__ = [
    "MEDIA_TYPES",
    "Notice",
    "OFFLINE_NOTE",
    "ExportDocument",
    "ExportStep",
    "Format",
    "assemble",
    "default_title",
    "document_file",
    "export",
    "notices",
    "organisation_name",
    "pdf_unavailable",
    "provenance_label",
    "render",
    "to_html",
    "to_markdown",
    "write_run_folder",
]
