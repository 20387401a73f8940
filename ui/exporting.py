"""Build the export document from the session's drafts and turn it into file bytes.

The formats themselves are the engine's (:mod:`assistant.export`); offline
drafts are labelled there whenever the document's provider is ``offline``.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from assistant.export import organisation_name, ExportDocument, ExportStep, default_title, to_html, to_markdown, write_docx
from assistant.packs import Pack

from ui import state
from ui.state import Workspace

MIME = {
    "md": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
}


def suggested_title(pack: Pack, ws: Workspace) -> str:
    return default_title(pack.title, organisation_name(ws.values))


def document(pack: Pack, ws: Workspace, title: str) -> ExportDocument | None:
    """Every step with a draft, in manifest order; ``None`` when there is nothing yet."""
    steps = []
    for step in pack.steps:
        draft = ws.drafts.get(step.id)
        if draft is None or not draft.text.strip():
            continue
        status = "edited" if draft.edited and draft.status in ("done", "pasted") else draft.status
        steps.append(ExportStep(id=step.id, title=step.title, status=status, text=draft.text, report=draft.report))
    if not steps:
        return None
    drafts = [ws.drafts[s.id] for s in steps]
    providers = sorted({d.provider for d in drafts if d.provider})
    models = sorted({d.model for d in drafts if d.model})
    if len(providers) == 1:
        provider = providers[0]
    elif "offline" in providers:
        provider = "offline"  # part of the set is an offline draft: label the document as such
    elif providers:
        provider = " + ".join(providers)
    else:
        provider = "pasted"
    return ExportDocument(
        title=title.strip() or suggested_title(pack, ws),
        pack=pack.name,
        provider=provider,
        model=" + ".join(models) or "none",
        created_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        run_id=ws.run_id,
        steps=steps,
    )


def render(doc: ExportDocument, fmt: str) -> bytes:
    if fmt == "md":
        return to_markdown(doc).encode("utf-8")
    if fmt == "html":
        return to_html(doc).encode("utf-8")
    if fmt == "docx":
        with tempfile.TemporaryDirectory(prefix="playbook-export-") as folder:
            path = Path(folder) / "export.docx"
            write_docx(doc, path)
            return path.read_bytes()
    raise ValueError(f"unknown export format {fmt!r}")


def cached_bytes(doc: ExportDocument, fmt: str) -> bytes:
    """The file for ``doc``; rebuilt only when the drafts or the title change (not on every rerun)."""
    digest = hashlib.sha256(doc.model_dump_json(exclude={"created_at"}).encode("utf-8")).hexdigest()
    cache: dict[tuple[str, str], bytes] = st.session_state.setdefault(state.EXPORT_CACHE, {})
    key = (fmt, digest)
    if key not in cache:
        cache[key] = render(doc, fmt)
    return cache[key]


def file_name(title: str, fmt: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:80] or "escalation-playbook"
    return f"{slug}.{fmt}"
