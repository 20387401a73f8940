"""A standalone HTML page: markdown-it with raw HTML off, and a page that forbids scripts.

A ``<script>`` in a variable or an answer is shown as text, never run (Content-Security-Policy).
The page opens with the notes (offline, unfinished, out of date) and a linked table of contents;
its print styles are what the PDF is made from.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from assistant.export.contents import Anchors, Entry, anchor_headings, nav_html
from assistant.export.document import STUDIO, ExportDocument, xml_safe
from assistant.export.headings import balanced
from assistant.export.markdown import APPENDIX, checklist_markdown
from assistant.export.notices import notices
from assistant.export.parser import markdown_parser

#: every step's heading is an ``<h2>`` under the page's one ``<h1>``
STEP_LEVEL = 2
_CONTENTS_ID = "contents"

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,"DejaVu Sans",sans-serif;max-width:920px;margin:2rem auto;
padding:0 1rem;line-height:1.55;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.35rem .6rem;vertical-align:top}
th{background:#f6f8fa}pre{background:#f6f8fa;padding:.8rem;overflow:auto;white-space:pre-wrap}code{font-size:.92em}
.notices{margin:1rem 0}.notice{border:1px solid #d0d7de;border-left:6px solid #57606a;padding:.6rem .9rem;border-radius:6px;
margin:.5rem 0;background:#f6f8fa}.notice.offline,.notice.unfinished,.notice.outdated{background:#fff8c5;border-color:#d4a72c}
h1{font-size:2rem}h2{font-size:1.55rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}h3{font-size:1.25rem}
h4{font-size:1.08rem}h5{font-size:1rem;color:#32383f}h6{font-size:.95rem;color:#57606a}[id]{scroll-margin-top:1rem}
.meta{color:#57606a}.step{border-top:2px solid #d0d7de;margin-top:2.5rem;padding-top:1rem}
.toc{border:1px solid #d0d7de;border-radius:6px;padding:.4rem 1.2rem;margin:1.5rem 0}.toc h2{font-size:1.1rem}
.toc ul{list-style:none;padding-left:1.1rem;margin:.2rem 0}.toc>ul{padding-left:0}.toc>ul>li{margin-top:.35rem}
.toc>ul>li>a{font-weight:600}.toc a{color:#0969da;text-decoration:none}.toc a:hover{text-decoration:underline}
@media print{
@page{size:A4;margin:18mm 16mm 20mm;@bottom-center{content:counter(page) " / " counter(pages);font:9pt "DejaVu Sans",sans-serif;color:#57606a}}
body{max-width:none;margin:0;padding:0;font-size:10.5pt}.step{break-before:page;border-top:none;margin-top:0}
h1,h2,h3,h4{break-after:avoid}tr,pre{break-inside:avoid}.toc{border:none;padding:0;break-after:page}
.toc a{color:#1f2328}.toc a::after{content:leader(".") target-counter(attr(href), page)}
}
"""


def to_html(document: ExportDocument) -> str:
    md = markdown_parser()
    anchors = Anchors(reserved=[_CONTENTS_ID, *(f"step-{s.id}" for s in document.steps)])
    entries: list[Entry] = []
    body: list[str] = []
    for step in document.steps:
        tokens = md.parse(xml_safe(balanced(step.text, step.title, STEP_LEVEL)))
        entries += anchor_headings(tokens, anchors, STEP_LEVEL)
        body.append(f'<section class="step" id="step-{html.escape(step.id)}">{md.renderer.render(tokens, md.options, {})}</section>')
    appendix = "\n".join([f"{'#' * STEP_LEVEL} {APPENDIX}", "", *(line for s in document.steps for line in checklist_markdown(s))])
    tokens = md.parse(xml_safe(appendix))
    entries += anchor_headings(tokens, anchors, STEP_LEVEL)
    body.append(f'<section class="step appendix">{md.renderer.render(tokens, md.options, {})}</section>')
    parts = [
        _head(document),
        f"<h1>{html.escape(document.title)}</h1>",
        f'<p class="meta">{html.escape(document.summary)}</p>',
        _notices_html(document),
        nav_html(entries, _CONTENTS_ID),
        *body,
        "</body></html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def page_head(title: str, meta: dict[str, str] | None = None) -> list[str]:
    """The start of a standalone page: its title and metadata, the styles, and a policy that forbids scripts."""
    tags = "".join(f'<meta name="{name}" content="{html.escape(value)}">' for name, value in (meta or {}).items())
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{tags}',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
    ]


def _head(document: ExportDocument) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = {
        "author": document.byline,
        "description": document.summary,
        "keywords": document.pack,
        "generator": STUDIO,
        "dcterms.created": now,
        "dcterms.modified": now,
    }
    return "\n".join(page_head(document.title, meta))


def _notices_html(document: ExportDocument) -> str:
    found = notices(document)
    if not found:
        return ""
    items = "".join(
        f'<p class="notice {n.kind}"><strong>{html.escape(n.label)}:</strong> {html.escape(n.text)}</p>' for n in found
    )
    return f'<aside class="notices" aria-label="Read this first">{items}</aside>'
