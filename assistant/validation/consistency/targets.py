"""Response targets (time to acknowledge, update cadence, resolution) stated in prose and tables.

Each target is read as a range of minutes per level or severity, so a value stated per customer
segment or as a range ("every 30–60 min") can be compared by overlap rather than by equality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.validation.consistency.terms import SINGLE_DURATION, durations, minutes_text, quote_line, scope_mentions, scopes


@dataclass(frozen=True)
class TargetFact:
    """One response target a document states: its kind, scope and range of minutes, and where it says so."""

    document: str
    line: int
    text: str
    kind: str
    scope: str
    low: float
    high: float

    def overlaps(self, other: TargetFact) -> bool:
        return not (self.high < other.low or other.high < self.low)

    @property
    def value(self) -> str:
        return minutes_text(self.low) if self.low == self.high else f"{minutes_text(self.low)}–{minutes_text(self.high)}"


_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("ack", re.compile(r"acknowledg|\backs?\b|\backed\b|time[- ]to[- ]ack|first (?:response|reply)|initial response|respond within|response (?:time|target|sla)", re.IGNORECASE)),
    ("update", re.compile(r"\bupdates?\b|\bcadence\b|\bstatus (?:note|report)s?\b", re.IGNORECASE)),
    ("resolution", re.compile(r"resol(?:ve|ution|ved)|\brestor|\bmttr\b|\bfix within|close within", re.IGNORECASE)),
]
_EVERY = re.compile(r"\bevery\s*$", re.IGNORECASE)
_ACTUAL_BEFORE = re.compile(r"(?:\bat|\bafter|\btook|\bwas|T\s*\+|\+|\b[a-z]+ed\s+in)\s*$", re.IGNORECASE)
_ACTUAL_AFTER = re.compile(r"^\s*(?:late|ago|early|overdue|behind)\b", re.IGNORECASE)
_FIRST_UPDATE = re.compile(r"\bfirst\b[^.;]*\bupdate|\bupdate\b[^.;]*\bfirst\b", re.IGNORECASE)
_CADENCE_WORD = re.compile(r"\bevery\b|\bcadence\b|\beach\b|hourly|daily", re.IGNORECASE)


def _kinds_at(text: str) -> list[tuple[int, str]]:
    return sorted((m.start(), kind) for kind, pattern in _KINDS for m in pattern.finditer(text))


def clause_targets(document: str, number: int, raw: str, text: str, inherited: list[str]) -> list[TargetFact]:
    """Targets in one line of prose.

    Each duration goes to the nearest kind word before it (else after); with several scopes in a
    clause, to the nearest scope. Times that report what happened ("ack at 11 min", "25 minutes
    late", "T+45") and the time of a first update are not targets and are skipped.
    """
    facts = []
    carried = inherited
    text = text.replace("**", "").replace("__", "")
    last_kind: str | None = None
    for clause in re.split(r";|(?<=[.!?])\s+|,\s+", text):
        mentions = scope_mentions(clause)
        if mentions:
            carried = list(dict.fromkeys(s for _, found in mentions for s in found))
        kinds = _kinds_at(clause)
        found = durations(clause) if carried else []
        for position, low, high in found:
            if _ACTUAL_BEFORE.search(clause[:position]) or _ACTUAL_AFTER.match(SINGLE_DURATION.sub("", clause[position:], count=1)):
                continue
            before = [k for p, k in kinds if p < position]
            after = [k for p, k in kinds if p > position]
            if _EVERY.search(clause[:position]):
                kind = "update"
            elif before:
                kind = before[-1]
            elif after:
                kind = after[0]
            elif last_kind and not kinds:
                kind = last_kind  # a parallel list: "15 min for Enterprise, 30 min for Pro"
            else:
                continue
            if kind == "update" and _FIRST_UPDATE.search(clause) and not _CADENCE_WORD.search(clause):
                continue
            targets = carried
            if len(mentions) > 1:
                targets = min(mentions, key=lambda m: abs(m[0] - position))[1]
            for scope in targets:
                facts.append(TargetFact(document, number, quote_line(raw), kind, scope, low, high))
        if kinds:
            last_kind = kinds[-1][1]
    return facts


def _kind_of(header: str) -> str | None:
    kinds = _kinds_at(header)
    if kinds:
        return kinds[0][1]
    return "update" if re.search(r"\bevery\b|frequency", header, re.IGNORECASE) else None


_SCOPE_HEADER = re.compile(r"\blevel\b|\bseverity\b|\bpriority\b|\bsev\b|\btier\b", re.IGNORECASE)


def table_targets(document: str, rows: list[tuple[int, str, list[str]]], inherited: list[str]) -> list[TargetFact]:
    """Targets in a Markdown table: scopes in the first column (or the header), kinds in the header (or the first column)."""
    if len(rows) < 2:
        return []
    header = rows[0][2]
    facts: list[TargetFact] = []
    header_scopes = [scopes(cell) for cell in header]
    header_kinds = [_kind_of(cell) for cell in header]
    transposed = sum(1 for s in header_scopes[1:] if s) >= 2 and not any(header_kinds[1:])
    for number, raw, cells in rows[1:]:
        if transposed:
            kind = _kind_of(cells[0]) if cells else None
            if kind is None:
                continue
            for index, cell in enumerate(cells[1:], 1):
                for _, low, high in durations(cell):
                    for scope in header_scopes[index] if index < len(header_scopes) else []:
                        facts.append(TargetFact(document, number, quote_line(raw), kind, scope, low, high))
            continue
        scope_cells = [c for i, c in enumerate(cells) if i < len(header) and _SCOPE_HEADER.search(header[i])] or cells[:2]
        row_scopes = [s for s in scopes(" ".join(scope_cells)) if s != "Level 0"] or inherited
        if not row_scopes:
            continue
        for index, cell in enumerate(cells):
            kind = header_kinds[index] if index < len(header_kinds) else None
            if kind is None:
                facts.extend(clause_targets(document, number, raw, cell, row_scopes) if index > 0 else [])
                continue
            for _, low, high in durations(cell):
                for scope in row_scopes:
                    facts.append(TargetFact(document, number, quote_line(raw), kind, scope, low, high))
    return facts
