"""Document sets as Markdown, Word and HTML (provenance label, offline banner), and the ``--out`` folder of a run."""

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
from assistant.export.plain import document_file
from assistant.export.word import to_docx_bytes

MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
}


def render(document: ExportDocument, fmt: Format) -> bytes:
    """The file content of ``document`` as ``fmt`` (md, docx or html)."""
    if fmt == "md":
        return to_markdown(document).encode("utf-8")
    if fmt == "html":
        return to_html(document).encode("utf-8")
    if fmt == "docx":
        return to_docx_bytes(document)
    raise ValueError(f"unknown export format {fmt!r}")


def export(document: ExportDocument, fmt: Format, path: Path) -> Path:
    """Write ``document`` as ``fmt`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(document, fmt))
    return path


__all__ = [
    "MEDIA_TYPES",
    "OFFLINE_NOTE",
    "ExportDocument",
    "ExportStep",
    "Format",
    "assemble",
    "default_title",
    "document_file",
    "export",
    "organisation_name",
    "provenance_label",
    "render",
    "to_html",
    "to_markdown",
    "to_docx_bytes",
    "write_run_folder",
]
