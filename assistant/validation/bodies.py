"""What counts as a section's real body, and which of its required items the body covers.

A heading followed only by "TBD", "[To be completed]", an empty table or sub-headings is an
``empty`` section, not a present one; the filler patterns live here so the verdict and the
body-based recognition of unnamed sections agree on what "real content" means.
"""

from __future__ import annotations

import re

from assistant.packs import Section
from assistant.validation.outline import FENCE_MARKER, RULE_LINE, TABLE_SEPARATOR, Node, Outline
from assistant.validation.textmatch import names, normalise

_PLACEHOLDER = re.compile(
    r"\b(?:tbd|tbc|todo|to ?do|n/?a|none yet|coming soon|to be (?:completed|determined|defined|confirmed|added|written|"
    r"filled(?: in)?|decided|provided|drafted)|pending|placeholder|lorem ipsum|x{3,}|under construction|"
    r"work in progress|wip|details to follow|to follow|(?:content|details?|text) (?:goes|to go|will go) here|"
    r"insert [\w\s]{0,40} here|fill (?:in|this)(?: later| in later)?|left blank|intentionally blank|"
    r"(?:this section )?will be (?:completed|added|provided|defined|written|finali[sz]ed|confirmed|drafted))\b|\.\.\.|…",
    re.IGNORECASE,
)
#: a body this long is real even if it opens with "TBD"; shorter ones that open with filler are placeholders
_PLACEHOLDER_NOTE_WORDS = 15
_MARKUP = re.compile(r"[#>*_`|~\[\](){}]|^\s*(?:[-+•]|\d+[.)])\s+")
_WORD = re.compile(r"[^\W_]+")
_LABEL_WITH_FILLER = re.compile(r"^[^:]{1,60}:\s*(.*)$")


def _content_words(line: str) -> int:
    """Words of real content in one line (filler such as 'TBD' removed)."""
    stripped = line.strip()
    if not stripped or RULE_LINE.match(stripped) or TABLE_SEPARATOR.match(stripped) or FENCE_MARKER.match(stripped):
        return 0
    if stripped.startswith("|"):
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if all(not _WORD.search(_PLACEHOLDER.sub("", c)) for c in cells[1:]) and len(cells) > 1:
            return 0
    label = _LABEL_WITH_FILLER.match(_MARKUP.sub(" ", stripped).strip())
    if label and _PLACEHOLDER.search(label.group(1)) and not _WORD.search(_PLACEHOLDER.sub("", label.group(1))):
        return 0
    return len(_WORD.findall(_PLACEHOLDER.sub(" ", _MARKUP.sub(" ", stripped))))


def _table_scaffolding(lines: list[str], start: int, end: int) -> set[int]:
    """Table lines that carry no content: header rows, separators, and rows of a table
    that never got its separator (a header the model started and never filled)."""
    ignored: set[int] = set()
    index = start
    while index < end:
        if not lines[index].lstrip().startswith("|"):
            index += 1
            continue
        block_end = index
        while block_end < end and lines[block_end].lstrip().startswith("|"):
            block_end += 1
        separators = [i for i in range(index, block_end) if TABLE_SEPARATOR.match(lines[i])]
        if separators:
            ignored.update(range(index, separators[0] + 1))
        else:
            ignored.update(range(index, block_end))
        index = block_end
    return ignored


def has_real_body(outline: Outline, node: Node) -> bool:
    """At least a short sentence of content below the title (sub-headings and filler don't count).

    A body that opens with filler ("TBD — to be agreed with Finance", "Coming soon: ...") and
    says little else is still a placeholder, not a section.
    """
    titles = {n.line for n in node.descendants()}
    lines = outline.lines
    scaffolding = _table_scaffolding(lines, node.body_start, node.end)
    words = 0
    opens_with_filler: bool | None = None
    for index in range(node.body_start, node.end):
        if index in titles or index in scaffolding or not lines[index].strip():
            continue
        if opens_with_filler is None and not FENCE_MARKER.match(lines[index]):
            opening = _MARKUP.sub(" ", lines[index]).strip()
            opens_with_filler = bool(_PLACEHOLDER.match(opening))
        words += len(_WORD.findall(_MARKUP.sub(" ", lines[index])))
        if words >= _PLACEHOLDER_NOTE_WORDS:
            return True
    if opens_with_filler:
        return False
    return sum(_content_words(lines[i]) for i in range(node.body_start, node.end) if i not in titles and i not in scaffolding) >= 3


def body_text(outline: Outline, node: Node) -> str:
    """The node's body as normalised words, ready for whole-phrase item tests."""
    return normalise(" ".join(outline.lines[node.body_start : node.end]))


def missing_items(section: Section, body: str) -> list[str]:
    """The section's required items that none of their phrases name in ``body``."""
    return [
        item.text for item in section.items if not any(names(body, p) for p in item.phrases)
    ]
