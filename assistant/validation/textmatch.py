"""Normalised phrase matching shared by the validator and its lints.

Models title the same section many ways ("Post-Incident Review", "## 9) PIR /
Root Cause", "🔁 Post-Escalation Review"). Both titles and aliases go through
:func:`normalise` (case, punctuation, "&" -> "and", apostrophes, a trailing
plural "s") so that a plain phrase comparison is enough.
"""

from __future__ import annotations

import re
from functools import lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
_LEADING_NUMBERING = re.compile(
    r"^(?:(?:section|deliverable|part|step|chapter|appendix|module|phase|stage|runbook|role|no)\s+)?"
    r"(?:[0-9]+[a-z]?(?:\s[0-9]+)*|(?=[ivx])x{0,2}(?:ix|iv|v?i{0,3})|[a-h])\s+(?=\S)"
)


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Lower-case words separated by single spaces; '&'/'+' become 'and', '%' 'percent'; plurals folded."""
    text = text.translate(_APOSTROPHES).lower().replace("'", "")
    text = text.replace("&", " and ").replace("+", " and ").replace("%", " percent ")
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(_stem(w) for w in words)


def normalise_title(title: str) -> str:
    """Like :func:`normalise`, also dropping leading numbering ("1)", "Section 3 —", "IV.", "Part A:")."""
    text = normalise(title)
    previous = None
    while previous != text:
        previous = text
        text = _LEADING_NUMBERING.sub("", text, count=1)
    return text


def contains_phrase(haystack: str, phrase: str) -> bool:
    """Whole-word phrase test on already-normalised text."""
    if not phrase:
        return False
    return f" {phrase} " in f" {haystack} "


def names(haystack: str, phrase: str) -> bool:
    """Does already-normalised ``haystack`` name ``phrase`` (raw)? ``a + b`` needs both parts."""
    return all(contains_phrase(haystack, normalise(part)) for part in phrase.split(" + "))


def apostrophe_insensitive_pattern(phrase: str) -> re.Pattern[str]:
    """Regex for a banned phrase: any case, straight/curly/missing apostrophes, flexible spaces."""
    parts = []
    for char in phrase.translate(_APOSTROPHES):
        if char == "'":
            parts.append("['’‘`´ʼ]?")
        elif char.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    return re.compile(r"(?<![\w])" + "".join(parts) + r"(?![\w])", re.IGNORECASE)
