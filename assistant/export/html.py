"""A standalone HTML page: markdown-it with raw HTML off, and a page that forbids scripts.

A ``<script>`` in a variable or an answer is shown as text, never run (Content-Security-Policy).
"""

from __future__ import annotations

import html
from functools import lru_cache

from markdown_it import MarkdownIt

from assistant.export.document import OFFLINE_NOTE, ExportDocument, xml_safe
from assistant.export.markdown import checklist_markdown


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:920px;margin:2rem auto;padding:0 1rem;
line-height:1.55;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.35rem .6rem;vertical-align:top}
th{background:#f6f8fa}pre{background:#f6f8fa;padding:.8rem;overflow:auto}code{font-size:.92em}
.offline{background:#fff8c5;border:1px solid #d4a72c;padding:.6rem .9rem;border-radius:6px}
.meta{color:#57606a}.step{border-top:2px solid #d0d7de;margin-top:2.5rem;padding-top:1rem}
"""


def page_head(title: str) -> list[str]:
    """The start of a standalone page: its title, the styles, and a policy that forbids scripts."""
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
    ]


def to_html(document: ExportDocument) -> str:
    md = markdown_parser()
    parts = [
        *page_head(document.title),
        f"<h1>{html.escape(document.title)}</h1>",
        f'<p class="meta">Pack: {html.escape(document.pack)} · Provider: {html.escape(document.provider)} · '
        f"Model: {html.escape(document.model)} · {html.escape(document.created_at)}</p>",
    ]
    if document.offline:
        parts.append(f'<p class="offline"><strong>{html.escape(OFFLINE_NOTE)}</strong></p>')
    for step in document.steps:
        parts.append(f'<section class="step" id="step-{html.escape(step.id)}">{md.render(xml_safe(step.text))}</section>')
    parts.append('<section class="step"><h1>Checklist appendix</h1>')
    for step in document.steps:
        parts.append(md.render("\n".join(checklist_markdown(step))))
    parts.append("</section></body></html>")
    return "\n".join(parts) + "\n"
