"""A run of sections named after roles is an ownership model, whatever the document calls it.

Many policies are organised by role ("Steps for Incident Commander", "Steps for Deputy",
"Steps for Customer Liaison"); together those parts say who does what. The names come from the
pack's role vocabulary (data), so a team's own titles can be added without code.
"""

from __future__ import annotations

from collections.abc import Mapping

from assistant.validation.outline import LABEL_RANK, Node, Outline
from assistant.validation.textmatch import contains_phrase, normalise, normalise_title

#: a title longer than this is a sentence that mentions a role, not a role's part
_ROLE_TITLE_WORDS = 8
_RUN_PARTS = 3
_RUN_ROLES = 2


def role_of(title: str, roles: Mapping[str, list[str]]) -> str | None:
    """The role a short title names ("Steps for Scribe" -> scribe), or None."""
    words = normalise_title(title)
    if not words or len(words.split()) > _ROLE_TITLE_WORDS:
        return None
    for role, names in roles.items():
        if any(" + " not in name and contains_phrase(words, normalise(name)) for name in names):
            return role
    return None


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
