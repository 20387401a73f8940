"""Word (.docx) documents as Markdown: mammoth keeps headings, lists and tables, markdownify writes them.

The archive is checked before mammoth opens it (:func:`assistant.bounded.check_archive`), so a
zip bomb ends in a one-line error; pictures are left out rather than inlined as data.
"""

from __future__ import annotations

import io

from assistant.bounded import check_archive
from assistant.errors import UserInputError
from assistant.validation.documents.html import html_to_markdown
from assistant.validation.documents.reader import ImportedDocument


def docx_to_markdown(name: str, data: bytes) -> ImportedDocument:
    """The Word file's text as Markdown, with its core title when it has one."""
    import mammoth

    check_archive(data, name)
    no_pictures = mammoth.images.img_element(lambda image: {"alt": image.alt_text or ""})
    try:
        result = mammoth.convert_to_html(io.BytesIO(data), convert_image=no_pictures)
    except (KeyError, ValueError, OSError) as exc:
        raise UserInputError(f"{name}: cannot be read as a Word document ({str(exc)[:160]}); save it again as .docx.") from None
    except Exception as exc:  # a malformed part of the archive (XML errors come in several types)
        if type(exc).__module__.startswith(("xml", "mammoth", "zipfile")):
            raise UserInputError(f"{name}: cannot be read as a Word document; save it again as .docx.") from None
        raise
    converted = html_to_markdown(name, f"<body>{result.value}</body>", kind="docx")
    return ImportedDocument(name=name, kind="docx", text=converted.text, title=_core_title(data), notes=converted.notes)


def _core_title(data: bytes) -> str:
    """The title in the document's properties (File > Info), or '' when it has none."""
    from docx import Document

    try:
        return (Document(io.BytesIO(data)).core_properties.title or "").strip()
    except Exception:  # the title is a nicety; mammoth has already read the text
        return ""
