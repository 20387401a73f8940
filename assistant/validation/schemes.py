"""Level schemes written in a team's own words: SEV-1…SEV-5, P1–P4, Critical/High/Medium/Low, tiers.

A pack's levels section names its own levels ("Level 0 … Level 4"); a team's policy defines
tiers its own way. A scheme counts when at least three distinct tiers of one family are labels
of their own (a heading, a table's first cell, a list item or bold lead-in) with real criteria
around them, and each tier is shown beside the pack level it stands for, most severe first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.validation.outline import LABEL, LABEL_RANK, Node, Outline

_MARKUP = re.compile(r"<[^>]+>|^[\s>#|*_`-]+|^\d+[.)]\s+|[*_`]+")
#: (family, pattern, is a number family where a lower number is more severe)
_FAMILIES: list[tuple[str, re.Pattern[str], bool]] = [
    ("sev", re.compile(r"^sev(?:erity)?[\s_-]?([0-9])(?![\w.])", re.I), True),
    ("priority", re.compile(r"^(?:p|priority)[\s_-]?([0-9])(?![\w.])", re.I), True),
    ("level", re.compile(r"^(?:level|tier)[\s_-]?([0-9])(?![\w.])", re.I), False),
]
_WORDS = re.compile(r"^(critical|urgent|emergency|high|major|medium|moderate|significant|normal|minor|low)\b", re.I)
_WORD_RANK = {"critical": 0, "urgent": 0, "emergency": 0, "high": 1, "major": 1, "medium": 2, "moderate": 2,
              "significant": 2, "normal": 2, "minor": 3, "low": 3}
_TIERS_NEEDED = 3
#: words of criteria per tier that make a list of tier names a scheme rather than a mention
_WORDS_PER_TIER = 10
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Tier:
    label: str
    line: int  # 0-based index into Outline.lines
    rank: int  # 0 is the most severe


def _label_text(line: str) -> tuple[str, bool]:
    """The start of a line with its markup removed, and whether it stands as a label of its own."""
    stripped = line.strip()
    labelled = stripped.startswith(("#", "|", "<", "**", "__")) or bool(re.match(r"^(?:[-*+]|\d+[.)])\s+\*\*", stripped))
    if stripped.startswith("|"):
        stripped = stripped.strip("|").split("|", 1)[0]
    text = stripped
    for _ in range(3):
        text = _MARKUP.sub("", text).strip()
    return text, labelled


def tiers_in(outline: Outline, start: int, end: int) -> list[Tier]:
    """The tiers of the strongest scheme labelled in lines [start, end), most severe first, or []."""
    found: dict[str, dict[int, Tier]] = {}
    for index in range(start, end):
        if outline.in_fence(index):
            continue
        text, labelled = _label_text(outline.lines[index])
        for family, pattern, lower_is_worse in _FAMILIES:
            match = pattern.match(text)
            if match:
                number = int(match.group(1))
                rank = number if lower_is_worse else 9 - number
                found.setdefault(family, {}).setdefault(rank, Tier(match.group(0).strip(), index, rank))
        words = _WORDS.match(text)
        if words and labelled:
            rank = _WORD_RANK[words.group(1).lower()]
            found.setdefault("words", {}).setdefault(rank, Tier(words.group(1).title(), index, rank))
    schemes = [tiers for tiers in found.values() if len(tiers) >= _TIERS_NEEDED]
    if not schemes:
        return []
    best = sorted(max(schemes, key=len).values(), key=lambda tier: tier.rank)
    body_words = sum(len(_WORD.findall(outline.lines[i])) for i in range(start, end))
    return best if body_words >= _WORDS_PER_TIER * len(best) else []


def scheme_node(outline: Outline) -> Node | None:
    """The smallest heading or label whose span holds a whole level scheme, if the document has one;
    a scheme under no heading at all (a page that is only a tier table) is a node of its own."""
    holders = [node for node in outline.nodes if tiers_in(outline, node.body_start, node.end)]
    deepest = [node for node in holders if not any(other is not node and node.line < other.line < node.end for other in holders)]
    if deepest:
        return deepest[0]
    first_heading = min((node.line for node in outline.nodes), default=len(outline.lines))
    tiers = tiers_in(outline, 0, first_heading)
    if not tiers:
        return None
    title = f"{tiers[0].label} … {tiers[-1].label}"
    return Node(title=title, line=tiers[0].line, rank=LABEL_RANK, kind=LABEL, body_start=tiers[0].line, end=first_heading)


def pack_level(position: int, count: int, levels: int = 5) -> int:
    """The pack level (0 … levels-1) the tier at ``position`` of ``count`` stands for, most severe first."""
    if count <= 1:
        return levels - 1
    return round((levels - 1) * (count - 1 - position) / (count - 1))
