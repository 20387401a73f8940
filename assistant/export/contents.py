"""The table of contents: the headings a reader jumps to, each with an anchor made from its text.

Anchors are stable (the same heading text gives the same id on every export, so a link someone
shared keeps working) and unique in the document (each runbook's "First hour" becomes
``first-hour``, ``first-hour-2``, ...). The contents go three levels deep in every format: the
steps, their sections and the sections' parts.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from markdown_it.token import Token
from slugify import slugify

from assistant.export.parser import plain_text

#: how many heading levels, from a step's own, the contents list (Word's ``TOC \o "1-3"`` too)
DEPTH = 3


@dataclass(frozen=True)
class Entry:
    #: 1 for a step's heading, 2 for its sections, 3 below
    depth: int
    text: str
    anchor: str


class Anchors:
    """Hands out ids made from heading text, never the same one twice (nor a reserved one)."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken = set(reserved)
        #: the last number given to each base, so a heading repeated thousands of times stays linear
        self._last: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        base = slugify(text, allow_unicode=True, max_length=60, word_boundary=True) or "section"
        number = self._last.get(base, 1)
        anchor = base if number == 1 else f"{base}-{number}"
        while anchor in self._taken:
            number += 1
            anchor = f"{base}-{number}"
        self._last[base] = number
        self._taken.add(anchor)
        return anchor


def anchor_headings(tokens: list[Token], anchors: Anchors, top: int) -> list[Entry]:
    """Give every heading in ``tokens`` an ``id``; the entries for those within :data:`DEPTH` of ``top``."""
    entries = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = plain_text(tokens[index + 1])
        anchor = anchors(text)
        token.attrSet("id", anchor)
        depth = int(token.tag[1]) - top + 1
        if 1 <= depth <= DEPTH and text:
            entries.append(Entry(depth, text, anchor))
    return entries


def nav_html(entries: list[Entry], heading_id: str) -> str:
    """Nested lists of links; a level skipped in the text (a step's ``####`` under its ``##``) nests one step."""
    if not entries:
        return ""
    parts = [f'<nav class="toc" aria-labelledby="{heading_id}"><h2 id="{heading_id}">Contents</h2>']
    depth = 0
    for entry in entries:
        level = min(entry.depth, depth + 1)
        if level > depth:
            parts.append("<ul>")
            depth = level
        else:
            parts.append("</li>")
            while depth > level:
                parts.append("</ul></li>")
                depth -= 1
        parts.append(f'<li><a href="#{html.escape(entry.anchor)}">{html.escape(entry.text)}</a>')
    parts.append("</li>")
    while depth > 1:
        parts.append("</ul></li>")
        depth -= 1
    parts.append("</ul></nav>")
    return "".join(parts)
