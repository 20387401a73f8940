"""The session's document set as one document, and its files for the download buttons.

The document is built from the stored set (``Studio.run_document``): labelling, provenance and
staleness are the engine's, the formats are :mod:`assistant.export`'s; this module keeps the
built files for the session, so a rerun does not rebuild them, and records each download in the
audit trail.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection

import streamlit as st

from assistant.api import ExportDocument
from assistant.export import MEDIA_TYPES, notices, pdf_unavailable, render
from assistant.packs import Pack

from ui import session, state
from ui.state import Workspace

MIME = MEDIA_TYPES
#: the download buttons, in the order they are shown: format and label
FORMATS = (("md", "Markdown (.md)"), ("docx", "Word (.docx)"), ("html", "Web page (.html)"), ("pdf", "PDF (.pdf)"))


def suggested_title(pack: Pack, ws: Workspace) -> str:
    return session.studio().title_for(pack, ws.values)


def document(pack: Pack, ws: Workspace, title: str) -> ExportDocument | None:
    """The pack's document set as stored (current versions, in chain order); ``None`` when there is nothing yet."""
    if ws.run_id is None:
        return None
    studio = session.studio()
    variables, _ = session.prepared(studio, pack, ws.values)
    return studio.run_document(studio.run(ws.run_id), title.strip() or None, variables)


def first_page_notes(doc: ExportDocument, skip: Collection[str] = ()) -> list[str]:
    """What every export of ``doc`` warns about on its first page (offline, unfinished, out of date,
    gaps), less the ``skip`` kinds a page already shows its own way."""
    return [f"{note.label}: {note.text}" for note in notices(doc) if note.kind not in skip]


def cached_bytes(doc: ExportDocument, fmt: str) -> bytes:
    """The file for ``doc``; rebuilt only when the drafts or the title change (not on every rerun)."""
    digest = hashlib.sha256(doc.model_dump_json(exclude={"created_at"}).encode("utf-8")).hexdigest()
    cache: dict[tuple[str, str], bytes] = st.session_state.setdefault(state.EXPORT_CACHE, {})
    key = (fmt, digest)
    if key not in cache:
        cache[key] = render(doc, fmt)  # type: ignore[arg-type]
    return cache[key]


def download_data(doc: ExportDocument, fmt: str) -> bytes | Callable[[], bytes]:
    """What a download button hands over: the file, or for a PDF (seconds of layout) a maker the
    button calls when clicked, on its own thread (so it reads nothing from the session)."""
    if fmt == "pdf":
        return lambda: render(doc, "pdf")
    return cached_bytes(doc, fmt)


def unavailable(fmt: str) -> str | None:
    """Why this server cannot make ``fmt`` (the PDF needs the system's Pango); None when it can."""
    return pdf_unavailable() if fmt == "pdf" else None


def record_export(run_id: str, fmt: str) -> None:
    """Download buttons' callback: the export goes in the audit trail with its author (one short write)."""
    session.studio().record("exported", run_id, detail={"format": fmt})


def file_name(title: str, fmt: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:80] or "escalation-playbook"
    return f"{slug}.{fmt}"
