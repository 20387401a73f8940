"""A run of sections named after roles is an ownership model, whatever the document calls it.

Many policies are organised by role ("Steps for Incident Commander", "Steps for Deputy",
"Steps for Customer Liaison"); together those parts say who does what. The names come from the
pack's role vocabulary (data), so a team's own titles can be added without code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.validation.outline import HEADING, LABEL_RANK, Node, Outline
from assistant.validation.textmatch import contains_phrase, normalise, normalise_title

#: a title longer than this is a sentence that mentions a role, not a role's part
_ROLE_TITLE_WORDS = 8
_RUN_PARTS = 3
_RUN_ROLES = 2
#: a section titled with a role alone ("Escalation DRI"), at most this long
_OWNER_TITLE_WORDS = 4
#: words that say a part is about who owns what
OWNERSHIP = re.compile(
    r"\b(?:owns?|owner(?:ship)?|responsib\w*|accountab\w*|dri|leads?|coordinat\w*|drives?|in charge|decides?)\b",
    re.IGNORECASE,
)
_OWNERSHIP_WORDS = 3


def role_of(title: str, roles: Mapping[str, list[str]]) -> str | None:
    """The role a short title names ("Steps for Scribe" -> scribe), or None."""
    words = normalise_title(title)
    if not words or len(words.split()) > _ROLE_TITLE_WORDS:
        return None
    for role, names in roles.items():
        if any(" + " not in name and contains_phrase(words, normalise(name)) for name in names):
            return role
    return None


def owner_sections(outline: Outline, roles: Mapping[str, list[str]]) -> list[Node]:
    """Headings that are a role's name alone ("Escalation DRI") over a body that says what it owns."""
    found = []
    for node in outline.nodes:
        if node.kind != HEADING or node.rank == 1 or len(normalise_title(node.title).split()) > _OWNER_TITLE_WORDS:
            continue
        body = " ".join(outline.lines[node.body_start : node.end])
        if role_of(node.title, roles) and len(OWNERSHIP.findall(body)) >= _OWNERSHIP_WORDS:
            found.append(node)
    return found


def role_runs(outline: Outline, roles: Mapping[str, list[str]]) -> list[list[Node]]:
    """Sibling parts of which at least three name roles, two or more of them different roles."""
    if not roles:
        return []
    families: list[list[Node]] = [outline.roots, *(node.children for node in outline.nodes)]
    runs = []
    for siblings in families:
        parts = [node for node in siblings if node.rank <= LABEL_RANK and role_of(node.title, roles)]
        if len(parts) >= _RUN_PARTS and len({role_of(node.title, roles) for node in parts}) >= _RUN_ROLES:
            runs.append(parts)
    return runs
