"""Lints run on every answer: one registry of codes, severities and fix hints.

Each check is pure text work on an :class:`~assistant.validation.outline.Outline`; the
validator decides which apply (e.g. ``missing_timeframe`` only where a
section is marked ``timed``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from assistant.validation.outline import LIST_LINE, TABLE_SEPARATOR, Node, Outline
from assistant.validation.textmatch import apostrophe_insensitive_pattern

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class LintRule:
    code: str
    severity: Severity
    hint: str


RULES: dict[str, LintRule] = {
    rule.code: rule
    for rule in (
        LintRule(
            "unfilled_placeholder",
            "error",
            "Replace it with the real value (fill the variable and re-run, or edit the draft).",
        ),
        LintRule(
            "banned_phrase",
            "error",
            "Rephrase: it tends to escalate anger. Keep such phrases only in a 'never say' list.",
        ),
        LintRule(
            "truncated",
            "error",
            "Raise max tokens, or repair the step to add what was cut off.",
        ),
        LintRule(
            "missing_timeframe",
            "warning",
            "Give every action a time (e.g. 'respond within 2 hours').",
        ),
    )
}


class LintFinding(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    line: int | None = None


def finding(code: str, message: str, line: int | None) -> LintFinding:
    rule = RULES[code]
    return LintFinding(code=code, severity=rule.severity, message=f"{message} {rule.hint}", line=line)


# --- unfilled placeholders -------------------------------------------------------

_BRACKETED = re.compile(
    r"\[\s*(?P<a>[A-Za-z][A-Za-z0-9_ ]*?)\s*\]"
    r"|\{\{\s*(?P<b>[A-Za-z][A-Za-z0-9_ ]*?)\s*\}\}"
    r"|(?<![\w{])\{\s*(?P<c>[A-Z][A-Z0-9_]*)\s*\}(?!\})"
    r"|<\s*(?P<d>[A-Za-z][A-Za-z0-9_]*)\s*>"
)
_JINJA_BLOCK = re.compile(r"\{%-?\s*\w+.*?-?%\}")
#: "[text](url)" and "[text][ref]" are links, "[text]: url" at a line's start a reference definition
_LINK_AFTER = re.compile(r"[(\[]")
_REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*\S")


def _is_link(line: str, match: re.Match[str], references: set[str]) -> bool:
    """Is this bracketed text a Markdown link, image, footnote or reference rather than a slot?"""
    if not match.group(0).startswith("["):
        return False
    if match.start() > 0 and line[match.start() - 1] in "!]":
        return True
    if _LINK_AFTER.match(line, match.end()) or (_REFERENCE_DEFINITION.match(line) and match.start() <= 3):
        return True
    return match.group(0)[1:-1].strip().casefold() in references


def unfilled_placeholders(lines: list[str], outline: Outline, variable_names: Iterable[str]) -> Iterator[LintFinding]:
    """The pack's own variables left in any bracket style and case, plus Jinja block tags.

    ``[COMPANY_NAME]``, ``[Company Name]``, ``{{ support_hours }}`` and ``<TEAM_SIZE>`` are facts
    the user already gave; copy-ready slots such as ``[Customer Name]`` or ``[ETA]`` are not the
    pack's variables and are intended. Link text (``[support hours](https://…)``, ``[support
    hours][ref]``, a reference ``[support hours]`` defined below) is never a placeholder.
    """
    names = {n.lower() for n in variable_names}
    references = {m.group(1).strip().casefold() for line in lines if (m := _REFERENCE_DEFINITION.match(line))}
    for index, line in enumerate(lines):
        for match in _BRACKETED.finditer(line):
            if _is_link(line, match, references):
                continue
            raw = next(g for g in match.groups() if g is not None)
            key = re.sub(r"[\s-]+", "_", raw.strip()).lower()
            if key in names:
                yield finding(
                    "unfilled_placeholder",
                    f"Unfilled variable {match.group(0)} (line {outline.original_line(index)}).",
                    outline.original_line(index),
                )
        for match in _JINJA_BLOCK.finditer(line):
            yield finding(
                "unfilled_placeholder",
                f"Template code left in the text: {match.group(0)} (line {outline.original_line(index)}).",
                outline.original_line(index),
            )


# --- banned phrases --------------------------------------------------------------

_GUIDANCE_CUE = re.compile(
    r"\b(never|avoid|avoided|banned|ban|don['’]?t|do not|instead of|prohibited|forbidden|"
    r"not allowed|stop saying|red[- ]flag|anti[- ]pattern|what not to|replace|blacklist|off[- ]limits|no[- ]go)\b"
    r"|❌|🚫|⛔|✗|✘",
    re.IGNORECASE,
)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table_column_is_guidance(lines: list[str], index: int, column: int) -> bool:
    """In a table, is the header of ``column`` a 'never say / avoid' heading?"""
    row = index
    while row > 0 and lines[row].lstrip().startswith("|") and not TABLE_SEPARATOR.match(lines[row]):
        row -= 1
    if not TABLE_SEPARATOR.match(lines[row]) or row == 0:
        return False
    header = _cells(lines[row - 1])
    return column < len(header) and bool(_GUIDANCE_CUE.search(header[column]))


def _context_is_guidance(lines: list[str], outline: Outline, index: int) -> bool:
    """A 'never say' heading above, or a list introduced by one, makes the phrase guidance."""
    for node in _enclosing(outline.nodes, index):
        if _GUIDANCE_CUE.search(node.title):
            return True
    if not LIST_LINE.match(lines[index]):
        return False
    row = index - 1
    while row >= 0 and LIST_LINE.match(lines[row]):
        row -= 1
    intro = lines[row].strip().lstrip("> ").strip() if row >= 0 else ""
    return intro.rstrip("*_ ").endswith(":") and bool(_GUIDANCE_CUE.search(intro))


def _enclosing(nodes: list[Node], index: int) -> list[Node]:
    return [n for n in nodes if n.line < index < n.end]


_CLAUSE_BREAK = re.compile(r"[.;!?—–]")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs)\.", re.IGNORECASE)
#: how far (in characters, other banned phrases removed) a "never say" cue reaches forward
_CUE_REACH = 60


def _cue_governs(before: str, any_phrase: re.Pattern[str]) -> bool:
    """Is the phrase introduced by a 'never say / avoid / instead of' cue in the same clause?

    "Never say “calm down”, “that's our policy”" is guidance; "to avoid delays we cannot refund;
    that's our policy" and "we never extend trials — that's our policy" are said to the customer.
    The phrases themselves ("we've never seen this") are not cues.
    """
    before = _ABBREVIATIONS.sub(" ", any_phrase.sub(" ", before))
    cues = list(_GUIDANCE_CUE.finditer(before))
    if not cues:
        return False
    between = before[cues[-1].end() :]
    return len(between) <= _CUE_REACH and not _CLAUSE_BREAK.search(between)


def banned_phrases(lines: list[str], outline: Outline, phrases: Iterable[str]) -> Iterator[LintFinding]:
    """One finding per line that would say or send a banned phrase to a customer."""
    patterns = [(p, apostrophe_insensitive_pattern(p)) for p in phrases]
    if not patterns:
        return
    any_phrase = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in patterns), re.IGNORECASE)
    for index, line in enumerate(lines):
        if not any_phrase.search(line):
            continue
        hits = []
        for phrase, pattern in patterns:
            for match in pattern.finditer(line):
                if _cue_governs(line[: match.start()], any_phrase):
                    continue
                if line.lstrip().startswith("|"):
                    column = line[: match.start()].count("|") - 1
                    if _table_column_is_guidance(lines, index, column):
                        continue
                if _context_is_guidance(lines, outline, index):
                    continue
                hits.append(phrase)
        if hits:
            quoted = ", ".join(f"“{h}”" for h in dict.fromkeys(hits))
            yield finding(
                "banned_phrase",
                f"Banned customer phrase {quoted} (line {outline.original_line(index)}).",
                outline.original_line(index),
            )


# --- timeframes ------------------------------------------------------------------

_NUMBER = r"\d+(?:[.,]\d+)?(?:[ \t]*(?:[-–—]|to)[ \t]*\d+(?:[.,]\d+)?)?"
TIMEFRAME = re.compile(
    rf"\b{_NUMBER}[ \t]*(?:secs?|seconds?|mins?|minutes?|hrs?|hours?|days?|business[ \t]+days?|weeks?|wks?|months?)\b"
    rf"|\b{_NUMBER}(?:s|m|h|d)\b"
    r"|\b(?:within|every|under|after|before|by|in)[ \t]+(?:one|two|three|four|five|six|eight|ten|twelve|fifteen|thirty|"
    r"an?|the[ \t]+next|the[ \t]+same)[ \t]+(?:business[ \t]+)?(?:minutes?|hours?|days?|weeks?)\b"
    r"|\b(?:same|next)[- ](?:business[- ])?day\b|\b(?:daily|weekly|hourly|monthly|immediately|end[ \t]+of[ \t]+day|eod|"
    r"24/7|real[- ]time)\b"
    r"|\b\d{1,2}(?::\d{2})?[ \t]*(?:am|pm)\b",
    re.IGNORECASE,
)


def has_timeframe(text: str) -> bool:
    return TIMEFRAME.search(text) is not None
