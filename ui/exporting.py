"""The session's document set as one document, and its files for the download buttons.

The document is built from the stored set (``Studio.run_document``): labelling, provenance and
staleness are the engine's, the formats are :mod:`assistant.export`'s; this module keeps the
built files for the session, so a rerun does not rebuild them, and records each download in the
audit trail.
"""

from __future__ import annotations

import hashlib
import re

import streamlit as st

from assistant.api import ExportDocument
from assistant.export import MEDIA_TYPES, render
from assistant.packs import Pack

from ui import session, state
from ui.state import Workspace

MIME = MEDIA_TYPES


def suggested_title(pack: Pack, ws: Workspace) -> str:
    return session.studio().title_for(pack, ws.values)


def document(pack: Pack, ws: Workspace, title: str) -> ExportDocument | None:
    """The pack's document set as stored (current versions, in chain order); ``None`` when there is nothing yet."""
    if ws.run_id is None:
        return None
    studio = session.studio()
    variables, _ = session.prepared(studio, pack, ws.values)
    return studio.run_document(studio.run(ws.run_id), title.strip() or None, variables)


def cached_bytes(doc: ExportDocument, fmt: str) -> bytes:
    """The file for ``doc``; rebuilt only when the drafts or the title change (not on every rerun)."""
    digest = hashlib.sha256(doc.model_dump_json(exclude={"created_at"}).encode("utf-8")).hexdigest()
    cache: dict[tuple[str, str], bytes] = st.session_state.setdefault(state.EXPORT_CACHE, {})
    key = (fmt, digest)
    if key not in cache:
        cache[key] = render(doc, fmt)  # type: ignore[arg-type]
    return cache[key]


def record_export(run_id: str, fmt: str) -> None:
    """Download buttons' callback: the export goes in the audit trail with its author (one short write)."""
    session.studio().record("exported", run_id, detail={"format": fmt})


def file_name(title: str, fmt: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:80] or "escalation-playbook"
    return f"{slug}.{fmt}"
