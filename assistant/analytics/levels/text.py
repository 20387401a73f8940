"""Plain text out of Markdown cells and lines: what the levels reader works on.

Labels keep every word (no cut, no "…"): the diagram wraps them and the page lists them whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_SEPARATOR_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")
_MARKUP = re.compile(r"(\*\*|__|`)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def plain(text: str) -> str:
    """``text`` without emphasis, code marks and link targets, on one line, trimmed of dashes and colons."""
    text = _LINK.sub(r"\1", _MARKUP.sub("", text))
    return " ".join(text.split()).strip(" -–—:;")


def _cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if not stripped.startswith("|"):
        return None
    body = stripped.strip("|")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def tables(lines: Sequence[str]) -> list[list[list[str]]]:
    """Markdown pipe tables in ``lines``: each a list of rows (header first), separator dropped."""
    found: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in lines:
        cells = _cells(line)
        if cells is None:
            if len(current) >= 2:
                found.append(current)
            current = []
            continue
        if all(_SEPARATOR_CELL.match(c) for c in cells if c) and current:
            continue
        current.append(cells)
    if len(current) >= 2:
        found.append(current)
    return found


def column(header: list[str], *words: str, exclude: tuple[int | None, ...] = ()) -> int | None:
    """The first column whose header has one of ``words`` (whole words; "ack" is not "backup")."""
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)
    for index, name in enumerate(header):
        if index not in exclude and pattern.search(plain(name)):
            return index
    return None


def cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


def words(text: str) -> str:
    """Lower-case words and numbers of ``text`` between spaces, for whole-phrase containment tests."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "
