"""The one Markdown parser every format reads steps with: CommonMark plus tables, raw HTML off.

Raw HTML off means a ``<script>`` in an answer is text in every format, never markup.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def plain_text(inline: Token) -> str:
    """What a reader sees of an inline run (``**Bold** `code` text`` → ``Bold code text``), on one line."""
    pieces = [
        " " if child.type in ("softbreak", "hardbreak") else child.content
        for child in inline.children or []
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    ]
    if not inline.children:
        pieces = [inline.content]
    return " ".join("".join(pieces).split())
