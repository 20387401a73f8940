"""Do the playbook, the runbooks and the training pack say the same thing?

Each document is drafted by its own request, so a Level 3 update cadence of 30 minutes in the
playbook can become 60 in a runbook. This module reads what each document states — response
targets (acknowledge / update cadence / resolve, in minutes, per level or severity), level names
and role names — and lists where they disagree, with the document, line and text of both sides.

Pure text work, like the validator: no providers, no store. Rules that keep it quiet when the
documents agree:

- a target stated several times (e.g. per customer segment) conflicts only when another document's
  value overlaps none of them; ranges ("every 30–60 min") are intervals;
- level names are taken only from headings, bold labels and level tables, where a name is a name
  (not "Level 3: P1 outage affecting ...", which is a criterion);
- a role conflicts when another document names it differently from the playbook ("Incident Manager"
  for "Incident Commander"); abbreviations such as Comms/Communications count as the same name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

TargetKind = Literal["ack", "update", "resolution"]
KIND_LABELS: dict[str, str] = {"ack": "time to acknowledge", "update": "update cadence", "resolution": "resolution target"}
#: the order documents are compared in: the first present is the reference
DOCUMENT_ORDER = ("playbook", "runbooks", "training")


class Location(BaseModel):
    document: str
    line: int
    text: str
    value: str


class Conflict(BaseModel):
    kind: Literal["response_target", "level_name", "unknown_level", "role_name"]
    severity: Literal["error", "warning"]
    subject: str
    message: str
    first: Location
    second: Location


class ConsistencyReport(BaseModel):
    documents: list[str]
    targets: int
    levels: int
    roles: int
    conflicts: list[Conflict]

    @property
    def ok(self) -> bool:
        return not any(c.severity == "error" for c in self.conflicts)

    def contract(self) -> dict[str, object]:
        return {"ok": self.ok, **self.model_dump(mode="json")}


@dataclass(frozen=True)
class TargetFact:
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
        return _minutes_text(self.low) if self.low == self.high else f"{_minutes_text(self.low)}–{_minutes_text(self.high)}"


@dataclass(frozen=True)
class NameFact:
    document: str
    line: int
    text: str
    key: str
    name: str


# --- text helpers ----------------------------------------------------------------------------------

_LEVEL = re.compile(r"\b(?:level|lvl|tier)\s*[-_]?\s*([0-9])(?:\s*(?:[-–/&]|and|to)\s*([0-9]))?\b|\bL([0-9])(?:\s*[-–/]\s*L?([0-9]))?\b", re.IGNORECASE)
_SEVERITY = re.compile(r"\b(?:P|SEV\s*-?\s*|Severity\s+)([1-4])(?:\s*[-–/]\s*P?([1-4]))?\b")
_UNIT = r"(minutes?|mins?|m|hours?|hrs?|hr|h|business\s+days?|days?)"
_RANGE = re.compile(rf"(?<![$\d.])(\d+(?:\.\d+)?)\s*(?:{_UNIT}\s*)?(?:[-–—]|to)\s*(\d+(?:\.\d+)?)\s*{_UNIT}\b", re.IGNORECASE)
_SINGLE = re.compile(rf"(?<![$\d.])(\d+(?:\.\d+)?)\s*{_UNIT}\b", re.IGNORECASE)
_WORDS = re.compile(r"\b(every hour|hourly|every half[- ]hour|daily|every day|once a day)\b", re.IGNORECASE)
_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("ack", re.compile(r"acknowledg|\backs?\b|\backed\b|time[- ]to[- ]ack|first (?:response|reply)|initial response|respond within|response (?:time|target|sla)", re.IGNORECASE)),
    ("update", re.compile(r"\bupdates?\b|\bcadence\b|\bstatus (?:note|report)s?\b", re.IGNORECASE)),
    ("resolution", re.compile(r"resol(?:ve|ution|ved)|\brestor|\bmttr\b|\bfix within|close within", re.IGNORECASE)),
]
_EVERY = re.compile(r"\bevery\s*$", re.IGNORECASE)
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?\*\*(.+?)\*\*\s*:?\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w-]*)")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _minutes(value: float, unit: str) -> float:
    unit = unit.lower()
    if unit.startswith("h"):
        return value * 60
    if "day" in unit:
        return value * 1440
    return value


def _minutes_text(value: float) -> str:
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
    for match in _SINGLE.finditer(text):
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


def _kinds_at(text: str) -> list[tuple[int, str]]:
    return sorted((m.start(), kind) for kind, pattern in _KINDS for m in pattern.finditer(text))


def _clean(line: str) -> str:
    return " ".join(line.replace("**", "").replace("__", "").split())[:200]


def _cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if not stripped.startswith("|") and stripped.count("|") < 2:
        return None
    return [c.strip() for c in stripped.strip("|").split("|")]


# --- extraction ------------------------------------------------------------------------------------


_ACTUAL_BEFORE = re.compile(r"(?:\bat|\bafter|\btook|\bwas|T\s*\+|\+|\b[a-z]+ed\s+in)\s*$", re.IGNORECASE)
_ACTUAL_AFTER = re.compile(r"^\s*(?:late|ago|early|overdue|behind)\b", re.IGNORECASE)
_FIRST_UPDATE = re.compile(r"\bfirst\b[^.;]*\bupdate|\bupdate\b[^.;]*\bfirst\b", re.IGNORECASE)
_CADENCE_WORD = re.compile(r"\bevery\b|\bcadence\b|\beach\b|hourly|daily", re.IGNORECASE)


def _scope_mentions(text: str) -> list[tuple[int, list[str]]]:
    """(position, scopes) per mention, so "45 min (P1) / 60 min (P2)" pairs each time with its own scope."""
    mentions = [(m.start(), [s for s in scopes(m.group(0)) if s != "Level 0"]) for m in _LEVEL.finditer(text)]
    mentions += [(m.start(), scopes(m.group(0))) for m in _SEVERITY.finditer(text)]
    return sorted((p, found) for p, found in mentions if found)


def _clause_facts(document: str, number: int, raw: str, text: str, inherited: list[str]) -> list[TargetFact]:
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
        mentions = _scope_mentions(clause)
        if mentions:
            carried = list(dict.fromkeys(s for _, found in mentions for s in found))
        kinds = _kinds_at(clause)
        found = durations(clause) if carried else []
        for position, low, high in found:
            if _ACTUAL_BEFORE.search(clause[:position]) or _ACTUAL_AFTER.match(_SINGLE.sub("", clause[position:], count=1)):
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
                facts.append(TargetFact(document, number, _clean(raw), kind, scope, low, high))
        if kinds:
            last_kind = kinds[-1][1]
    return facts


def _kind_of(header: str) -> str | None:
    kinds = _kinds_at(header)
    if kinds:
        return kinds[0][1]
    return "update" if re.search(r"\bevery\b|frequency", header, re.IGNORECASE) else None


_SCOPE_HEADER = re.compile(r"\blevel\b|\bseverity\b|\bpriority\b|\bsev\b|\btier\b", re.IGNORECASE)


def _table_facts(document: str, rows: list[tuple[int, str, list[str]]], inherited: list[str]) -> list[TargetFact]:
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
                        facts.append(TargetFact(document, number, _clean(raw), kind, scope, low, high))
            continue
        scope_cells = [c for i, c in enumerate(cells) if i < len(header) and _SCOPE_HEADER.search(header[i])] or cells[:2]
        row_scopes = [s for s in scopes(" ".join(scope_cells)) if s != "Level 0"] or inherited
        if not row_scopes:
            continue
        for index, cell in enumerate(cells):
            kind = header_kinds[index] if index < len(header_kinds) else None
            if kind is None:
                facts.extend(_clause_facts(document, number, raw, cell, row_scopes) if index > 0 else [])
                continue
            for _, low, high in durations(cell):
                for scope in row_scopes:
                    facts.append(TargetFact(document, number, _clean(raw), kind, scope, low, high))
    return facts


_NAME_STOP = re.compile(r"\s*(?:\(|—|–|-\s|:|\||,|\.\s).*$")
_LEVEL_LABEL = re.compile(r"^(?:level|tier|l)\s*[-_]?\s*([0-9])\s*[:\-–—.)|]\s*(.*)$", re.IGNORECASE)


def _level_name(document: str, number: int, raw: str, label: str) -> NameFact | None:
    match = _LEVEL_LABEL.match(label.strip().strip("*").strip())
    if not match:
        return None
    name = _NAME_STOP.sub("", match.group(2).strip().strip("*")).strip()
    if not name or len(name) > 60 or not name[0].isupper():
        return None
    return NameFact(document, number, _clean(raw), f"Level {match.group(1)}", name)


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


def _roles(document: str, number: int, raw: str, text: str) -> list[NameFact]:
    out = []
    for match in _ROLE.finditer(text):
        words = match.group(1).split()
        while len(words) > 1 and words[0].lower() in _ROLE_STOP:
            words = words[1:]
        if len(words) < 2 and words[0] not in ("Commander", "Liaison"):
            continue
        name = " ".join(words)
        out.append(NameFact(document, number, _clean(raw), _role_key(name), name))
    return out


@dataclass
class Extracted:
    targets: list[TargetFact]
    levels: list[NameFact]
    roles: list[NameFact]
    level_mentions: list[NameFact]


def extract(document: str, text: str) -> Extracted:
    """Targets, level names, role names and level mentions stated in one Markdown document."""
    targets: list[TargetFact] = []
    levels: list[NameFact] = []
    roles: list[NameFact] = []
    mentions: list[NameFact] = []
    stack: list[tuple[int, list[str]]] = []
    table: list[tuple[int, str, list[str]]] = []
    fence: str | None = None
    lines = text.replace("\r\n", "\n").split("\n")

    def heading_scope() -> list[str]:
        for _, found in reversed(stack):
            if found:
                return found
        return []

    def flush_table() -> None:
        if table:
            targets.extend(_table_facts(document, table, heading_scope()))
            header = [c.lower() for c in table[0][2]]
            for number, raw, cells in table[1:]:
                if len(cells) >= 2 and re.fullmatch(r"(?:\*\*)?(?:level|tier|l)\s*[-_]?\s*[0-9](?:\*\*)?", cells[0].strip(), re.IGNORECASE):
                    if len(header) >= 2 and re.search(r"name|level|tier|title", header[1]):
                        fact = _level_name(document, number, raw, f"{cells[0].strip('* ')}: {cells[1]}")
                        if fact:
                            levels.append(fact)
            table.clear()

    for number, raw in enumerate(lines, 1):
        marker = _FENCE.match(raw)
        if fence is not None:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker and marker.group(2).lower() in ("mermaid", "json", "yaml", "python", "sql", "dot"):
            flush_table()
            fence = marker.group(1)
            continue
        if marker:
            continue  # a ```markdown fence around the whole answer: read its content
        cells = _cells(raw)
        if cells is not None:
            if not _SEPARATOR.match(raw):
                table.append((number, raw, cells))
            roles.extend(_roles(document, number, raw, raw))
            mentions.extend(NameFact(document, number, _clean(raw), s, s) for s in scopes(raw) if s.startswith("Level"))
            continue
        flush_table()
        heading = _HEADING.match(raw)
        bold = _BOLD_LINE.match(raw) if heading is None else None
        if heading or bold:
            depth = len(heading.group(1)) if heading else 7
            label = heading.group(2) if heading else bold.group(1)  # type: ignore[union-attr]
            while stack and stack[-1][0] >= depth:
                stack.pop()
            stack.append((depth, [s for s in scopes(label) if s != "Level 0"]))
            fact = _level_name(document, number, raw, re.sub(r"^[\W\d]*(?=[A-Za-z])", "", label) if not label.lower().startswith(("level", "tier", "l")) else label)
            if fact:
                levels.append(fact)
        else:
            lead = re.match(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?\*\*((?:level|tier|l)\s*[-_]?\s*[0-9][^*]*)\*\*", raw, re.IGNORECASE)
            if lead:
                fact = _level_name(document, number, raw, lead.group(1))
                if fact:
                    levels.append(fact)
            targets.extend(_clause_facts(document, number, raw, raw, heading_scope()))
        roles.extend(_roles(document, number, raw, raw))
        mentions.extend(NameFact(document, number, _clean(raw), s, s) for s in scopes(raw) if s.startswith("Level"))
    flush_table()
    return Extracted(targets, levels, roles, mentions)


# --- comparing -------------------------------------------------------------------------------------


def _loc(fact: TargetFact | NameFact, value: str) -> Location:
    return Location(document=fact.document, line=fact.line, text=fact.text, value=value)


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", " ", name.lower()).split("(")[0].strip()


def _same_name(a: str, b: str) -> bool:
    ka, kb = " ".join(_name_key(a).split()), " ".join(_name_key(b).split())
    return ka == kb or ka in kb or kb in ka


def _target_conflicts(facts: list[TargetFact], order: list[str]) -> list[Conflict]:
    conflicts: list[Conflict] = []
    groups: dict[tuple[str, str], dict[str, list[TargetFact]]] = {}
    for fact in facts:
        groups.setdefault((fact.scope, fact.kind), {}).setdefault(fact.document, []).append(fact)
    for (scope, kind), by_doc in sorted(groups.items()):
        present = [d for d in order if d in by_doc]
        if len(present) < 2:
            continue
        # the first document that states this target is the reference (the playbook when it does)
        reference = by_doc[present[0]]
        for other in present[1:]:
            reported: set[int] = set()
            for fact in by_doc[other]:
                if fact.line in reported or any(fact.overlaps(r) for r in reference):
                    continue
                nearest = min(reference, key=lambda r: min(abs(r.low - fact.low), abs(r.high - fact.high)))
                reported.add(fact.line)
                subject = f"{scope} {KIND_LABELS[kind]}"
                conflicts.append(
                    Conflict(
                        kind="response_target",
                        severity="error",
                        subject=subject,
                        message=(
                            f"{subject}: {nearest.document} says {nearest.value} (line {nearest.line}) but "
                            f"{fact.document} says {fact.value} (line {fact.line})."
                        ),
                        first=_loc(nearest, nearest.value),
                        second=_loc(fact, fact.value),
                    )
                )
    return conflicts


def _level_conflicts(levels: list[NameFact], mentions: list[NameFact], order: list[str]) -> list[Conflict]:
    conflicts: list[Conflict] = []
    by_level: dict[str, dict[str, NameFact]] = {}
    for fact in levels:
        by_level.setdefault(fact.key, {}).setdefault(fact.document, fact)
    for key, by_doc in sorted(by_level.items()):
        present = [d for d in order if d in by_doc]
        if len(present) < 2:
            continue
        reference = by_doc[present[0]]
        for other in present[1:]:
            fact = by_doc[other]
            if not _same_name(reference.name, fact.name):
                conflicts.append(
                    Conflict(
                        kind="level_name",
                        severity="warning",
                        subject=f"{key} name",
                        message=f"{key} is '{reference.name}' in {reference.document} (line {reference.line}) but '{fact.name}' in {fact.document} (line {fact.line}).",
                        first=_loc(reference, reference.name),
                        second=_loc(fact, fact.name),
                    )
                )
    reference_doc = next((d for d in order if any(f.document == d for f in levels)), None)
    if reference_doc is not None:
        defined = {f.key for f in levels if f.document == reference_doc}
        highest = max(int(k.split()[1]) for k in defined)
        anchor = next(f for f in levels if f.document == reference_doc)
        seen: set[str] = set()
        for mention in mentions:
            if mention.document == reference_doc or mention.key in defined or mention.key in seen:
                continue
            if int(mention.key.split()[1]) > highest:
                seen.add(mention.key)
                conflicts.append(
                    Conflict(
                        kind="unknown_level",
                        severity="error",
                        subject=mention.key,
                        message=f"{mention.document} (line {mention.line}) refers to {mention.key}, which {reference_doc} does not define (its levels end at Level {highest}).",
                        first=_loc(anchor, f"levels up to Level {highest}"),
                        second=_loc(mention, mention.key),
                    )
                )
    return conflicts


def _role_conflicts(roles: list[NameFact], order: list[str]) -> list[Conflict]:
    reference_doc = next((d for d in order if any(r.document == d for r in roles)), None)
    if reference_doc is None:
        return []
    known: dict[str, NameFact] = {}
    for role in roles:
        if role.document == reference_doc:
            known.setdefault(role.key, role)
    conflicts: list[Conflict] = []
    seen: set[tuple[str, str]] = set()
    for role in roles:
        if role.document == reference_doc or role.key in known or any(role.key.endswith(" " + k) for k in known):
            continue
        words = role.key.split()
        same_doc = {r.key for r in roles if r.document == role.document}
        rivals = [
            k for k in known
            if len(k.split()) == len(words) and k.split()[:-1] == words[:-1] and k.split()[-1] != words[-1] and k not in same_doc
        ]
        if not rivals or (role.document, role.key) in seen:
            continue
        seen.add((role.document, role.key))
        rival = known[rivals[0]]
        conflicts.append(
            Conflict(
                kind="role_name",
                severity="warning",
                subject=f"role '{rival.name}'",
                message=f"{role.document} calls a role '{role.name}' (line {role.line}) where {reference_doc} says '{rival.name}' (line {rival.line}).",
                first=_loc(rival, rival.name),
                second=_loc(role, role.name),
            )
        )
    return conflicts


def check_consistency(documents: Mapping[str, str]) -> ConsistencyReport:
    """Compare the documents (keys such as "playbook", "runbooks", "training"; the playbook is the reference)."""
    order = [d for d in DOCUMENT_ORDER if d in documents] + [d for d in documents if d not in DOCUMENT_ORDER]
    extracted = {name: extract(name, text) for name, text in documents.items() if text and text.strip()}
    targets = [f for e in extracted.values() for f in e.targets]
    levels = [f for e in extracted.values() for f in e.levels]
    roles = [f for e in extracted.values() for f in e.roles]
    mentions = [f for e in extracted.values() for f in e.level_mentions]
    conflicts = _target_conflicts(targets, order) + _level_conflicts(levels, mentions, order) + _role_conflicts(roles, order)
    return ConsistencyReport(
        documents=[d for d in order if d in extracted],
        targets=len(targets),
        levels=len({(f.document, f.key) for f in levels}),
        roles=len({(f.document, f.key) for f in roles}),
        conflicts=conflicts,
    )


def documents_from_steps(steps: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``(step key, text)`` pairs (e.g. from a stored run) -> the documents to compare; fan-out parts are joined."""
    docs: dict[str, list[str]] = {}
    whole: dict[str, str] = {}
    for key, text in steps:
        base, _, part = key.partition(":")
        if part:
            docs.setdefault(base, []).append(text)
        else:
            whole[base] = text
    out = {k: "\n\n".join(v) for k, v in docs.items()}
    out.update({k: v for k, v in whole.items() if v.strip()})
    return {k: out[k] for k in DOCUMENT_ORDER if k in out}


def consistency_text(report: ConsistencyReport, title: str = "Consistency") -> str:
    """Plain-text report for the CLI."""
    lines = [
        f"{title}: {'OK' if report.ok else 'CONFLICTS'} — compared {', '.join(report.documents) or 'nothing'} "
        f"({report.targets} response targets, {report.levels} level names, {report.roles} role names)"
    ]
    for conflict in report.conflicts:
        mark = "✗" if conflict.severity == "error" else "⚠"
        lines.append(f"{mark} {conflict.message}")
        lines.append(f"    {conflict.first.document}:{conflict.first.line}: {conflict.first.text}")
        lines.append(f"    {conflict.second.document}:{conflict.second.line}: {conflict.second.text}")
    if not report.conflicts:
        lines.append("No conflicting targets, level names or role names found.")
    return "\n".join(lines)
