"""Make model and user text inert before Streamlit renders it as Markdown.

Streamlit's ``st.markdown`` does not render raw HTML unless
``unsafe_allow_html=True`` (never used here for such text), but Markdown has
other ways to surprise: ``$...$`` is rendered as LaTeX (so "$5K ... $50K"
turns into maths), and a link may point at ``javascript:``. These helpers
escape ``<`` (so a tag is shown, not parsed), ``$`` and script-ish link
targets, leaving code blocks and code spans as they are.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_SCRIPT_LINK = re.compile(r"\]\(\s*<?\s*(?:javascript|vbscript|data)\s*:", re.IGNORECASE)


def _escape_prose(text: str) -> str:
    text = _SCRIPT_LINK.sub("](#blocked:", text)
    return text.replace("<", "&lt;").replace("$", "\\$")


def _escape_line(line: str) -> str:
    """Escape a prose line, keeping inline code spans literal."""
    out, last = [], 0
    for match in _CODE_SPAN.finditer(line):
        out.append(_escape_prose(line[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_escape_prose(line[last:]))
    return "".join(out)


_ATX = re.compile(r"^(\s{0,3})(#{1,6})(?=\s|$)")


def _demote(line: str, levels: int) -> str:
    return _ATX.sub(lambda m: m.group(1) + "#" * min(6, len(m.group(2)) + levels), line) if levels else line


def inert_markdown(text: str, *, demote: int = 0) -> str:
    """``text`` ready for ``st.markdown``: HTML shown as text, ``$`` literal, code untouched.

    ``demote`` adds levels to ATX headings (``# Title`` -> ``### Title``) so a
    document's title does not dwarf the page it is shown in.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    fence: str | None = None
    out = []
    for line in lines:
        marker = _FENCE.match(line)
        if fence is not None:
            out.append(line)
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker:
            fence = marker.group(1)
            out.append(line)
            continue
        out.append(_demote(_escape_line(line), demote))
    return "\n".join(out)


def inert_inline(text: str) -> str:
    """A short piece of text (a title, a message) for a Markdown line: no code-span handling."""
    return _escape_prose(" ".join(str(text).split()))


class StreamEscaper:
    """Escape a stream of chunks for ``st.write_stream`` as they arrive.

    Tracks code fences line by line (a fence line contains neither ``<`` nor
    ``$``, so toggling at its end is exact); inside prose, ``<`` and ``$`` are
    escaped character by character, so a chunk boundary never splits an escape.
    The final text is shown again with :func:`inert_markdown` once complete.
    """

    def __init__(self, *, demote: int = 0) -> None:
        self._line = ""
        self._fence: str | None = None
        self._demote = demote
        #: "#"s at the start of a line, held until the next character says whether they open a heading
        self._hashes = 0

    def feed(self, chunk: str) -> str:
        out = []
        for char in chunk:
            line_start = self._fence is None and self._demote and not self._line.strip(" #") and len(self._line) <= 9
            if line_start and char == "#" and not self._line.strip(" ").strip("#") and self._hashes < 6:
                self._hashes += 1
                self._line += char
                continue
            if self._hashes:
                # "## Title" is a heading (add levels so it fits in a card); "#inc-..." is text
                out.append("#" * (self._hashes + (self._demote if char == " " else 0)))
                self._hashes = 0
            if self._fence is None and char in "<$":
                out.append("&lt;" if char == "<" else "\\$")
            else:
                out.append(char)
            if char == "\n":
                self._end_line()
            else:
                self._line += char
        return "".join(out)

    def _end_line(self) -> None:
        marker = _FENCE.match(self._line)
        if marker:
            if self._fence is None:
                self._fence = marker.group(1)
            elif marker.group(1)[0] == self._fence[0] and len(marker.group(1)) >= len(self._fence):
                self._fence = None
        self._line = ""
