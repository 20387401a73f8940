"""Level names ("Level 3: Incident Command") and role names ("Incident Commander") a document uses.

A level name is read only from a label where a name is a name, not from a criterion
("Level 3: P1 outage affecting ..."); role names are keyed so that abbreviations such as
Comms/Communications count as the same role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.validation.consistency.terms import quote_line


@dataclass(frozen=True)
class NameFact:
    """A level or role name a document uses: ``key`` is what names are compared by, ``name`` as written."""

    document: str
    line: int
    text: str
    key: str
    name: str


_NAME_STOP = re.compile(r"\s*(?:\(|—|–|-\s|:|\||,|\.\s).*$")
_LEVEL_LABEL = re.compile(r"^(?:level|tier|l)\s*[-_]?\s*([0-9])\s*[:\-–—.)|]\s*(.*)$", re.IGNORECASE)


def level_name(document: str, number: int, raw: str, label: str) -> NameFact | None:
    """The level's name when ``label`` reads "Level N: Name", else None (a criterion is not a name)."""
    match = _LEVEL_LABEL.match(label.strip().strip("*").strip())
    if not match:
        return None
    name = _NAME_STOP.sub("", match.group(2).strip().strip("*")).strip()
    if not name or len(name) > 60 or not name[0].isupper():
        return None
    return NameFact(document, number, quote_line(raw), f"Level {match.group(1)}", name)


_ROLE = re.compile(
    r"\b((?:[A-Z][A-Za-z&-]*|SME|IC)(?:\s+(?:[A-Z][A-Za-z&-]*|SME)){0,2}\s+"
    r"(?:Commander|Lead|Owner|Liaison|Manager|Coordinator|Approver|Officer|Scribe|Responder))\b"
)
_ROLE_STOP = {
    "the", "a", "an", "our", "your", "each", "every", "if", "when", "then", "assign", "notify", "page", "paging", "escalate",
    "send", "ask", "call", "tell", "inform", "contact", "loop", "brief", "confirm", "appoint", "name", "as", "by", "to", "and",
    "or", "for", "with", "from", "level", "tier", "primary", "backup", "acting", "new", "current", "on-call", "role", "roles",
}
_ROLE_SYNONYMS = {"comms": "communications", "communication": "communications", "tech": "technical", "ic": "incident commander", "subject matter expert": "sme"}


def _role_key(name: str) -> str:
    key = " ".join(name.lower().split())
    for short, long in _ROLE_SYNONYMS.items():
        key = re.sub(rf"\b{re.escape(short)}\b", long, key)
    return key


def role_names(document: str, number: int, raw: str, text: str) -> list[NameFact]:
    """Role names in ``text`` ("Incident Commander", "Comms Lead"), without the verbs and articles before them."""
    out = []
    for match in _ROLE.finditer(text):
        words = match.group(1).split()
        while len(words) > 1 and words[0].lower() in _ROLE_STOP:
            words = words[1:]
        if len(words) < 2 and words[0] not in ("Commander", "Liaison"):
            continue
        name = " ".join(words)
        out.append(NameFact(document, number, quote_line(raw), _role_key(name), name))
    return out
