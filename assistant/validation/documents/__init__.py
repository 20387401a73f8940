"""Policies people already have, read as Markdown: Word, HTML, Markdown and plain text."""

from assistant.validation.documents.reader import DOCUMENT_TYPES, ImportedDocument, read_document

__all__ = ["DOCUMENT_TYPES", "ImportedDocument", "read_document"]
