"""One entry point for a document a person hands in, picked by its file extension.

Markdown and plain text are kept exactly as written (so gaps can be filled without touching a
byte of the user's text); HTML (a Confluence or Google Docs export, a handbook page) and Word
files become Markdown with their headings, lists and tables. Every path is bounded: the file
size first, a .docx archive's unpacked size before it is opened, and the text that comes out.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import PurePath

from assistant.bounded import MAX_ANSWER_CHARS, MAX_DOCUMENT_BYTES, check_size
from assistant.errors import UserInputError

#: extension -> the kind of document it holds
DOCUMENT_TYPES: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}


@dataclass(frozen=True)
class ImportedDocument:
    """A document as Markdown, with what the reader should know about the conversion."""

    name: str
    kind: str
    text: str
    title: str = ""
    #: what the conversion left out or changed ("scripts removed", "2 pictures left out")
    notes: list[str] = field(default_factory=list)

    @property
    def converted(self) -> bool:
        """True when the Markdown was made from another format (so it is not the user's own bytes)."""
        return self.kind in ("html", "docx")


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without a byte-order mark) or UTF-16 with one; anything else is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise UserInputError(f"{name} is not UTF-8 text; save it as UTF-8 (or upload the .docx or .html).") from None


def read_document(name: str, data: bytes) -> ImportedDocument:
    """``data`` (the file's bytes) as an :class:`ImportedDocument`, chosen by ``name``'s extension."""
    suffix = PurePath(name).suffix.lower()
    kind = DOCUMENT_TYPES.get(suffix)
    if kind is None:
        known = ", ".join(DOCUMENT_TYPES)
        raise UserInputError(f"{name}: cannot read {suffix or 'a file without an extension'}; use one of {known}.")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UserInputError(f"{name} is too large ({len(data):,} bytes; the limit is {MAX_DOCUMENT_BYTES:,}).")
    if kind == "docx":
        from assistant.validation.documents.word import docx_to_markdown

        document = docx_to_markdown(name, data)
    elif kind == "html":
        from assistant.validation.documents.html import html_to_markdown

        document = html_to_markdown(name, _decode(data, name))
    else:
        document = ImportedDocument(name=name, kind=kind, text=_decode(data, name))
    check_size(document.text, MAX_ANSWER_CHARS, name)
    if not document.text.strip():
        raise UserInputError(f"{name} holds no text to check.")
    return document
