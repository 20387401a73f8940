"""Every step of a document set starts at one heading level under the document's title.

Models pick their own levels: a playbook opens with ``##`` sections, joined runbooks with one
``#`` per role, a training pack with a single ``#`` title. Read as one document those parts sit
at different depths, and Word's table of contents shows them so. Each step is therefore
re-levelled: a step that opens with its one top heading keeps it as its title; any other step
gets its document title as a heading above its own. Nested headings keep their depth relative
to the step (within Markdown's six levels). Headings are found with markdown-it, so a ``#`` line
in a code fence stays code, and a whole answer wrapped in one ```` ```markdown ```` fence (as the
validator reads it) is unwrapped rather than exported as a code block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.token import Token

from assistant.export.parser import markdown_parser
from assistant.validation import parse_outline

MAX_LEVEL = 6
_SETEXT_PREFIX = re.compile(r"^[ \t>]*")


@dataclass(frozen=True)
class _Heading:
    token: Token
    content: str

    @property
    def level(self) -> int:
        return int(self.token.tag[1])


def unwrapped(text: str) -> str:
    """The answer without the one fence a model wrapped all of it in (text around it is kept)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if "```" not in text and "~~~" not in text:
        return "\n".join(lines)  # no fence at all: nothing to unwrap (and no outline to parse)
    outline = parse_outline("\n".join(lines))
    if outline.offset == 0:
        return "\n".join(lines)
    fences = (t for t in markdown_parser().parse("\n".join(lines)) if t.type == "fence" and t.map and t.map[0] == outline.offset - 1)
    fence = next(fences, None)
    if fence is None or fence.map is None:
        return "\n".join(lines)
    start, end = fence.map
    closing = end if not outline.wrapper_closed else end - 1
    return "\n".join(lines[:start] + lines[start + 1 : closing] + lines[end:])


def balanced(text: str, title: str, top: int) -> str:
    """``text`` with its first heading at ``top`` (its own title, or ``title`` added) and the rest below."""
    source = unwrapped(text).strip("\n")
    tokens = markdown_parser().parse(source)
    headings = [_Heading(t, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open" and t.map]
    shallowest = min((h.level for h in headings), default=top)
    own_title = (
        bool(headings)
        and tokens[0] is headings[0].token
        and headings[0].level == shallowest
        and [h.level for h in headings].count(shallowest) == 1
    )
    shift = top - shallowest if own_title else top + 1 - shallowest
    lines = source.split("\n")
    replaced: dict[int, str | None] = {}
    for heading in headings:
        replaced.update(_relevelled(heading, lines, max(1, min(MAX_LEVEL, heading.level + shift))))
    kept = (replaced.get(index, line) for index, line in enumerate(lines))
    body = "\n".join(line for line in kept if line is not None)
    if own_title:
        return body
    return f"{'#' * top} {_one_line(title)}\n\n{body}".rstrip("\n")


def _relevelled(heading: _Heading, lines: list[str], level: int) -> dict[int, str | None]:
    """The lines of one heading rewritten at ``level`` (``None``: the line goes)."""
    start, end = heading.token.map  # type: ignore[misc]
    if heading.token.markup.startswith("#"):
        line = lines[start]
        at = line.index("#")
        return {start: line[:at] + "#" * level + line[at + len(heading.token.markup) :]}
    # setext: the text lines, then the underline
    first = heading.content.split("\n")[0]
    opening = lines[start]
    prefix = opening[: max(0, opening.find(first))] if first and first in opening else _SETEXT_PREFIX.match(opening).group()  # type: ignore[union-attr]
    rewritten: dict[int, str | None] = {index: None for index in range(start + 1, end)}
    rewritten[start] = f"{prefix}{'#' * level} {_one_line(heading.content)}"
    return rewritten


def _one_line(text: str) -> str:
    return " ".join(text.split())
