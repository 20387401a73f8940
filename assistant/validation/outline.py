"""Turn a model's Markdown answer into an outline of section candidates.

Real answers mark sections in many ways: ATX and setext headings of any
level, a bold line on its own (``**5. Customer Communication Plan**``),
``Section 3 — RACI`` / ``Deliverable 4:`` lines, ALL-CAPS labels, and
numbered top-level list items whose first line is a title. Everything is
parsed with markdown-it (so a ``#`` inside a code fence is not a heading)
and ranked: headings 1–6, label lines 7 (below every real heading, so after
a heading they are sub-labels of its section), plain "Title:" lines 8,
list-item titles 9.

When the whole answer sits inside one ```` ```markdown ```` fence, the fence's
content is what gets judged; line numbers still point into the original text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

HEADING, LABEL, ITEM = "heading", "label", "item"
#: heading-like lines rank below every real heading; "Severity:" labels below those; list titles last
LABEL_RANK, COLON_RANK, ITEM_RANK = 7, 8, 9

_BOLD_LINE = re.compile(r"^(\*\*\*|\*\*|__)(?P<title>[^*_].*?)\1\s*:?\s*$")
_SECTION_PREFIX = re.compile(r"^(?:section|deliverable|part|chapter)\s+\d+[a-z]?\s*[:.)—–-]\s*\S", re.IGNORECASE)
_CAPS_LABEL = re.compile(r"^[A-Z0-9][A-Z0-9 &/()\-–—,'’+.]*[A-Z][A-Z0-9 )]*:?$")
_COLON_LABEL = re.compile(r"^[A-Z][^.!?:|`]{2,60}:$")
#: a quoted sentence, or one that ends like a sentence: something said, not a title
_QUOTED = re.compile(r"^[\"“‘'«].*|.*\w.*[.!?][\"”’'»]?$")
#: "5-6) Comms" / "7. Resolution and handoff" written as a plain line of its own
_NUMBERED_LINE = re.compile(r"^\d{1,2}(?:\s*[-–]\s*\d{1,2})?[.)]\s+(?P<title>[^\s].{0,78})$")
_LEADING_DECOR = re.compile(r"^[^\w*_\[(]+")
_NUMBER = re.compile(r"^(?:(?:section|deliverable|part|step)\s+)?(\d{1,2})(?![\d.]*\d)(?=[).:\s—–-])", re.IGNORECASE)
# Markdown line shapes shared by the validator and the lints
RULE_LINE = re.compile(r"^\s{0,3}([=\-*_])(?:\s*\1){2,}\s*$")  # setext underline or thematic break
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
LIST_LINE = re.compile(r"^\s*(?:>\s*)*(?:[-*+•]|\d+[.)])\s")
FENCE_MARKER = re.compile(r"^\s*(```|~~~)")
_FENCE_INFO_WRAPPERS = {"", "markdown", "md", "gfm", "text", "txt", "plaintext", "plain"}
#: a handbook page's YAML front matter: "---", "key: value" lines, "---"
_FRONT_MATTER_LINE = re.compile(r"^(?:[A-Za-z_][\w-]*:(?:\s.*)?|\s+\S.*|-\s.*|)$")
_FRONT_MATTER_LINES = 60
_FRONT_MATTER_TITLE = re.compile(r"^title:\s*(\S.*)$")


@dataclass(eq=False)
class Node:
    """A section candidate: a heading, a heading-like line, or a titled list item."""

    title: str
    line: int  # 0-based index into Outline.lines
    rank: int
    kind: str
    body_start: int
    number: int | None = None
    end: int = 0
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)

    def descendants(self) -> list[Node]:
        found: list[Node] = []
        for child in self.children:
            found.append(child)
            found.extend(child.descendants())
        return found


@dataclass
class Outline:
    lines: list[str]
    #: 0-based line in the original text of ``lines[0]``
    offset: int
    roots: list[Node]
    nodes: list[Node]
    #: a code fence inside the answer runs to the end without closing (the answer was cut)
    unclosed_fence: bool
    #: 0-based line ranges [start, end) of code-fence lines (markers included)
    fence_ranges: list[tuple[int, int]]
    #: the whole answer sat in one fence that the model closed
    wrapper_closed: bool = False

    def original_line(self, index: int) -> int:
        """1-based line number in the text the user gave."""
        return self.offset + index + 1

    def in_fence(self, index: int) -> bool:
        return any(start <= index < end for start, end in self.fence_ranges)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark")
    # Section detection needs headings, paragraphs, lists and fences only. Inline parsing and the
    # table rule (tried at every line) are most of markdown-it's time; table rows then read as
    # paragraph lines, which the validator handles as text.
    md.core.ruler.disable(["inline", "text_join"])
    md.block.ruler.disable(["html_block", "reference"])
    return md


def _strip_decor(text: str) -> str:
    return _LEADING_DECOR.sub("", text.strip())


def label_rank(line: str) -> int:
    """Rank of a heading-like line: a plain "Title:" line is a sub-label of a bolder one."""
    text = _strip_decor(line)
    return COLON_RANK if _COLON_LABEL.match(text) and not _BOLD_LINE.match(text) else LABEL_RANK


def label_title(line: str) -> str | None:
    """The title if ``line`` is a heading-like line on its own, else None.

    A bold lead-in followed by more text on the same line is prose, not a label.
    """
    text = _strip_decor(line)
    if not text or text.startswith("|"):
        return None
    bold = _BOLD_LINE.match(text)
    if bold:
        title = bold.group("title").strip().rstrip(":").strip()
        if _QUOTED.match(title):
            return None  # a line someone says ("I'll come back to you in 10 minutes.") is not a title
        return title if re.search(r"[A-Za-z]", title) else None
    if len(text) <= 100 and not text.endswith(".") and _SECTION_PREFIX.match(text):
        return text.strip("*_ ")
    if len(text) <= 80 and _CAPS_LABEL.match(text) and sum(c.isalpha() for c in text) >= 4:
        return text.rstrip(":").strip()
    if _COLON_LABEL.match(text) and len(text.split()) <= 8:
        return text.rstrip(":").strip()
    numbered = _NUMBERED_LINE.match(text)
    if numbered and len(text.split()) <= 9 and not text.endswith((".", "?", "!", ",", ";", ":")) and ": " not in text:
        return text
    return None


def _item_title(line: str) -> str | None:
    """A list item's first line, when it reads as a title rather than a sentence."""
    title = label_title(line)
    if title:
        return title
    text = _strip_decor(line).strip()
    if not text or len(text) > 80 or len(text.split()) > 10 or text.endswith((".", "?", "!", ",", ";")):
        return None
    if ": " in text or "**" in text or "|" in text:
        return None
    return text


def _number(title: str) -> int | None:
    match = _NUMBER.match(_strip_decor(title))
    return int(match.group(1)) if match else None


def _is_closed(fence: Token, lines: list[str]) -> bool:
    end = fence.map[1] if fence.map else 0
    if end - 1 <= (fence.map[0] if fence.map else 0) or end > len(lines):
        return False
    closing = lines[end - 1].strip()
    marker = fence.markup[0]
    return closing.startswith(fence.markup) and set(closing) == {marker}


def _headingish_count(text: str) -> int:
    return sum(
        1
        for line in text.splitlines()
        if re.match(r"^\s{0,3}#{1,6}\s", line) or label_title(line) or RULE_LINE.match(line)
    )


def _find_wrapper(tokens: list[Token], lines: list[str]) -> Token | None:
    """The one fence that holds the whole answer, if the answer is wrapped."""
    fences = [t for t in tokens if t.type == "fence" and t.level == 0 and t.map]
    candidates = [
        f for f in fences if f.info.strip().split(" ")[0].lower() in _FENCE_INFO_WRAPPERS and _headingish_count(f.content) >= 2
    ]
    if not candidates:
        return None
    wrapper = max(candidates, key=lambda f: len(f.content))
    inside = sum(1 for line in wrapper.content.splitlines() if line.strip())
    start, end = wrapper.map
    outside_lines = [line for i, line in enumerate(lines) if (i < start or i >= end) and line.strip()]
    outside_headings = sum(1 for line in outside_lines if re.match(r"^\s{0,3}#{1,6}\s", line))
    if outside_headings <= 1 and len(outside_lines) <= max(6, inside // 5):
        return wrapper
    return None


def _candidates(tokens: list[Token], lines: list[str]) -> list[Node]:
    nodes: list[Node] = []
    list_depth = 0
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        if not token.map:
            continue
        start, end = token.map
        if token.type == "heading_open":
            title = " ".join(tokens[index + 1].content.split())
            nodes.append(Node(title, start, int(token.tag[1]), HEADING, end, _number(title)))
        elif token.type == "paragraph_open" and token.level == 0:
            first = tokens[index + 1].content.split("\n", 1)[0]
            title = label_title(first)
            if title:
                nodes.append(Node(title, start, label_rank(first), LABEL, start + 1, _number(title)))
        elif token.type == "ordered_list_open" and token.level == 0 and _single_title_item(tokens, index):
            title = label_title(f"{tokens[index + 1].info}{token.markup} {tokens[index + 3].content}")
            if title:
                nodes.append(Node(title, start, LABEL_RANK, LABEL, start + 1, _number(title)))
        elif token.type == "list_item_open" and token.level == 1 and list_depth == 1:
            following = tokens[index + 1]
            if following.type != "paragraph_open" or not following.map:
                continue
            first, _, rest = tokens[index + 2].content.partition("\n")
            if rest:
                # "1) Escalation Levels" with its body on the next lines (no blank line between):
                # the body continues the item's paragraph, so the first line is the title
                # (ranked like the same line written on its own: a heading-like label)
                numbered = token.markup in (".", ")")
                title = _item_title(first) if numbered or label_title(first) else None
                rank, kind = LABEL_RANK, LABEL
            elif _has_nested_blocks(tokens, index):
                title = _item_title(first)
                rank, kind = ITEM_RANK, ITEM
            else:
                continue
            if title:
                number = int(token.info) if token.info.isdigit() else _number(title)
                nodes.append(Node(title, start, rank, kind, start + 1, number))
    return nodes


def _single_title_item(tokens: list[Token], list_index: int) -> bool:
    """An ordered list of exactly one one-line item: "1) Escalation levels" written as a heading."""
    window = [t.type for t in tokens[list_index + 1 : list_index + 7]]
    return window == [
        "list_item_open", "paragraph_open", "inline", "paragraph_close", "list_item_close", "ordered_list_close"
    ] and "\n" not in tokens[list_index + 3].content


def _has_nested_blocks(tokens: list[Token], item_index: int) -> bool:
    """Does the list item hold more than its first line (a nested list, more paragraphs, a table)?"""
    level = tokens[item_index].level
    for token in tokens[item_index + 4 :]:
        if token.type == "list_item_close" and token.level == level:
            return False
        if token.nesting == 1 or token.type in ("fence", "code_block"):
            return True
    return False


def _rank_title_labels(nodes: list[Node], lines: list[str]) -> None:
    """A bold title line standing over headings is their parent, not a sub-label.

    "**Escalation Owner runbook**" directly followed by "### First 15 minutes" (no text between,
    and no heading above the bold line) titles that part: it takes the rank just above the
    heading it introduces. After a heading, bold lines stay sub-labels of its section.
    """
    title_rank: int | None = None  # rank of the last bold title: headings below it are inside its part
    under_heading = False
    for position, node in enumerate(nodes):
        if node.kind == HEADING:
            if title_rank is None or node.rank <= title_rank:
                title_rank, under_heading = None, True
            continue
        if node.kind != LABEL or node.rank != LABEL_RANK or under_heading:
            continue
        following = nodes[position + 1] if position + 1 < len(nodes) else None
        if following is None or following.kind != HEADING or following.rank == 1:
            continue
        if any(line.strip() for line in lines[node.body_start : following.line]):
            continue
        title_rank = node.rank = following.rank - 1


def _build_tree(nodes: list[Node], total: int, promote: Callable[[Node, Node], bool]) -> list[Node]:
    """Nest nodes by rank; ``promote(parent, child)`` says when a sub-heading is really a sibling
    the model mis-levelled (the validator's rule: it continues the parent's numbering, or both
    name fan-out parts such as two roles), and it is then placed beside its parent."""
    roots: list[Node] = []
    stack: list[Node] = []
    for node in nodes:
        while stack and stack[-1].rank >= node.rank:
            stack.pop()
        parent = stack[-1] if stack else None
        if parent is not None and node.kind in (HEADING, LABEL):
            if promote(parent, node):
                node.rank = parent.rank
                while stack and stack[-1].rank >= node.rank:
                    stack.pop()
                parent = stack[-1] if stack else None
        node.parent = parent
        (parent.children if parent else roots).append(node)
        stack.append(node)
    for position, node in enumerate(nodes):
        node.end = next((later.line for later in nodes[position + 1 :] if later.rank <= node.rank), total)
    return roots


def _front_matter(lines: list[str]) -> tuple[list[str], Node | None]:
    """Lines with a leading YAML front matter blanked (numbering is kept), and its ``title:`` as the
    page's top heading (a handbook site shows it as the page's H1)."""
    if not lines or lines[0].strip() != "---":
        return lines, None
    for end in range(1, min(len(lines), _FRONT_MATTER_LINES)):
        if lines[end].strip() in ("---", "...") and end > 1:
            title = next(
                ((i, m.group(1)) for i in range(1, end) if (m := _FRONT_MATTER_TITLE.match(lines[i]))), None
            )
            node = Node(title[1].strip().strip("\"'"), title[0], 1, HEADING, end + 1) if title else None
            return [""] * (end + 1) + lines[end + 1 :], node
        if not _FRONT_MATTER_LINE.match(lines[end]):
            return lines, None
    return lines, None


def parse_outline(text: str, promote: Callable[[Node, Node], bool] | None = None) -> Outline:
    """Parse ``text`` into an :class:`Outline`.

    ``promote(parent, child)`` decides whether a numbered child heading is
    really a sibling (the validator passes a checklist-aware rule).
    """
    all_lines, page_title = _front_matter(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    tokens = _parser().parse("\n".join(all_lines))
    offset = 0
    lines = all_lines
    wrapper = _find_wrapper(tokens, all_lines)
    wrapper_closed = wrapper is not None and _is_closed(wrapper, all_lines)
    if wrapper is not None and wrapper.map:
        # an unclosed *wrapper* alone proves nothing: models often forget the closing fence
        offset = wrapper.map[0] + 1
        lines = wrapper.content.rstrip("\n").split("\n")
        tokens = _parser().parse(wrapper.content)
    fences = [t for t in tokens if t.type == "fence" and t.map]
    unclosed = any(not _is_closed(f, lines) for f in fences)
    nodes = _candidates(tokens, lines)
    if page_title is not None and offset == 0 and not any(n.kind == HEADING and n.rank == 1 for n in nodes):
        nodes.insert(0, page_title)
    _rank_title_labels(nodes, lines)
    roots = _build_tree(nodes, len(lines), promote or (lambda parent, child: False))
    return Outline(
        lines=lines,
        offset=offset,
        roots=roots,
        nodes=nodes,
        unclosed_fence=unclosed,
        fence_ranges=[(f.map[0], f.map[1]) for f in fences if f.map],
        wrapper_closed=wrapper_closed,
    )
