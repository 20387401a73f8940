"""The terms targets are stated in: durations ("every 30–60 min", "hourly") and scopes ("Level 3", "P1").

Shared by the prose and table readers so both read "2 hours", "L3/L4" and "P1-P2" the same way,
and by every reader to quote the line a fact came from.
"""

from __future__ import annotations

import re

_LEVEL = re.compile(r"\b(?:level|lvl|tier)\s*[-_]?\s*([0-9])(?:\s*(?:[-–/&]|and|to)\s*([0-9]))?\b|\bL([0-9])(?:\s*[-–/]\s*L?([0-9]))?\b", re.IGNORECASE)
_SEVERITY = re.compile(r"\b(?:P|SEV\s*-?\s*|Severity\s+)([1-4])(?:\s*[-–/]\s*P?([1-4]))?\b")
_UNIT = r"(minutes?|mins?|m|hours?|hrs?|hr|h|business\s+days?|days?)"
_RANGE = re.compile(rf"(?<![$\d.])(\d+(?:\.\d+)?)\s*(?:{_UNIT}\s*)?(?:[-–—]|to)\s*(\d+(?:\.\d+)?)\s*{_UNIT}\b", re.IGNORECASE)
#: one duration ("45 min"); the prose reader also uses it to look at the words right after a duration
SINGLE_DURATION = re.compile(rf"(?<![$\d.])(\d+(?:\.\d+)?)\s*{_UNIT}\b", re.IGNORECASE)
_WORDS = re.compile(r"\b(every hour|hourly|every half[- ]hour|daily|every day|once a day)\b", re.IGNORECASE)


def _minutes(value: float, unit: str) -> float:
    unit = unit.lower()
    if unit.startswith("h"):
        return value * 60
    if "day" in unit:
        return value * 1440
    return value


def minutes_text(value: float) -> str:
    """Minutes as a reader writes them in a conflict message ("30 min", "2 h", "3 days")."""
    if value >= 60 and value % 60 == 0:
        hours = int(value // 60)
        return f"{hours} h" if hours < 48 or hours % 24 else f"{hours // 24} days"
    return f"{value:g} min"


def durations(text: str) -> list[tuple[int, float, float]]:
    """(position, low, high) minutes for every duration in ``text`` ("30–60 min", "2 hours", "hourly")."""
    found: list[tuple[int, float, float]] = []
    taken: list[tuple[int, int]] = []
    for match in _RANGE.finditer(text):
        first_unit = match.group(2) or match.group(4)
        low, high = _minutes(float(match.group(1)), first_unit), _minutes(float(match.group(3)), match.group(4))
        found.append((match.start(), min(low, high), max(low, high)))
        taken.append(match.span())
    for match in SINGLE_DURATION.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        value = _minutes(float(match.group(1)), match.group(2))
        found.append((match.start(), value, value))
    for match in _WORDS.finditer(text):
        word = match.group(1).lower()
        value = 30.0 if "half" in word else 60.0 if "hour" in word else 1440.0
        found.append((match.start(), value, value))
    return sorted(found)


def scopes(text: str) -> list[str]:
    """"Level 3", "P1" ... mentioned in ``text`` (ranges such as "L3/L4" give both)."""
    out: list[str] = []
    for match in _LEVEL.finditer(text):
        first = match.group(1) or match.group(3)
        last = match.group(2) or match.group(4) or first
        for number in range(int(first), int(last) + 1) if int(last) >= int(first) else (int(first), int(last)):
            out.append(f"Level {number}")
    for match in _SEVERITY.finditer(text):
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        for number in range(first, last + 1) if last >= first else (first, last):
            out.append(f"P{number}")
    return list(dict.fromkeys(out))


def scope_mentions(text: str) -> list[tuple[int, list[str]]]:
    """(position, scopes) per mention, so "45 min (P1) / 60 min (P2)" pairs each time with its own scope."""
    mentions = [(m.start(), [s for s in scopes(m.group(0)) if s != "Level 0"]) for m in _LEVEL.finditer(text)]
    mentions += [(m.start(), scopes(m.group(0))) for m in _SEVERITY.finditer(text)]
    return sorted((p, found) for p, found in mentions if found)


def quote_line(line: str) -> str:
    """The line a fact came from, as a conflict quotes it: bold markers dropped, spaces collapsed, kept short."""
    return " ".join(line.replace("**", "").replace("__", "").split())[:200]
