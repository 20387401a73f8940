"""Document sets as Markdown, Word and HTML, and the ``--out`` folder of a run."""

from assistant.export.document import (
    ExportDocument,
    ExportStep,
    default_title,
    document_from_record,
    export,
    organisation_name,
    to_html,
    to_markdown,
    write_docx,
    write_run_folder,
)

__all__ = [
    "ExportDocument",
    "ExportStep",
    "default_title",
    "document_from_record",
    "export",
    "organisation_name",
    "to_html",
    "to_markdown",
    "write_docx",
    "write_run_folder",
]
