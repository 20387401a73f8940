"""The Word file's own metadata: what File › Info, search and document managers show.

python-docx starts from a template that says it was written by "python-docx" in Microsoft
Macintosh Word on 2013-12-23, with a blank page as its thumbnail. Every one of those facts is
replaced here with the document's own (title, author, subject, dates) or removed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part

from assistant.export.document import STUDIO, ExportDocument, xml_safe

_EXTENDED_TYPE = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
_EXTENDED_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def describe(doc: Any, document: ExportDocument, now: datetime | None = None) -> None:
    """Set the core and extended properties of ``doc`` from ``document``; drop the template's thumbnail."""
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    properties = doc.core_properties
    properties.title = _short(document.title)
    properties.author = _short(document.byline)
    properties.last_modified_by = _short(document.byline)
    properties.subject = _short(", ".join(step.title for step in document.steps))
    properties.keywords = _short(document.pack)
    properties.comments = _short(document.summary)
    properties.category = ""
    properties.content_status = "Offline draft" if document.offline else ""
    properties.identifier = document.run_id or ""
    properties.language = "en"
    properties.version = ""
    properties.revision = 1
    properties.created = moment
    properties.modified = moment
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype in (RT.THUMBNAIL, RT.EXTENDED_PROPERTIES):
            del package.rels[rel_id]
    extended = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{_EXTENDED_NS}">'
        f"<Application>{escape(STUDIO)}</Application><Company>{escape(_short(document.organisation or ''))}</Company>"
        "</Properties>"
    )
    part = Part(PackURI("/docProps/app.xml"), _EXTENDED_TYPE, extended.encode("utf-8"), package)
    package.relate_to(part, RT.EXTENDED_PROPERTIES)


def _short(text: str) -> str:
    """Core properties are short fields (Word refuses over 255 characters) and XML-safe."""
    return " ".join(xml_safe(text).split())[:255]
