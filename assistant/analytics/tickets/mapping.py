"""Which column of an export holds which field: guessed from header names first, then from value shapes.

Every helpdesk names its columns differently ("Created", "opened_at", "Tier escalated"); the
guess is only a default a person can override field by field, hence :class:`ColumnMapping`.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from assistant.analytics.tickets.fields import FIELD_BY_NAME, FIELDS, TicketField
from assistant.analytics.tickets.files import inspect_file

_UNIT_WORDS = {"usd", "eur", "gbp", "min", "mins", "minutes", "in", "h", "hrs", "hours", "utc", "ts", "dt", "date", "time", "at", "flag", "is", "was", "count", "score", "pct"}


class ColumnMapping(BaseModel):
    """Field name -> the file's column that holds it (unmapped fields are absent)."""

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, str] = {}

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FIELD_BY_NAME))
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}; fields are: {', '.join(FIELD_BY_NAME)}")
        return {k: v for k, v in value.items() if v}

    def get(self, field: str) -> str | None:
        return self.columns.get(field)


def normalise_header(header: str) -> str:
    """``"First_Response (mins)"`` -> ``"first response mins"`` (camelCase split, punctuation to spaces)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", header)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", spaced.lower()).split())


def _header_score(header: str, field: TicketField) -> int:
    """3 exact synonym, 2 synonym once unit words are dropped, 1 all synonym words present, 0 none."""
    norm = normalise_header(header)
    words = norm.split()
    core = " ".join(w for w in words if w not in _UNIT_WORDS) or norm
    best = 0
    for synonym in field.synonyms:
        if norm == synonym:
            return 3
        if core == synonym or core == " ".join(w for w in synonym.split() if w not in _UNIT_WORDS):
            best = max(best, 2)
        elif len(synonym.split()) > 1 and set(synonym.split()) <= set(words):
            best = max(best, 1)
    return best


def detect_by_headers(headers: list[str]) -> dict[str, str]:
    """Best header for each field by name alone; each column is used once, the best matches first."""
    candidates = sorted(
        (-score, FIELDS.index(field), -_specificity(field, header), headers.index(header), field.name, header)
        for field in FIELDS
        for header in headers
        if (score := _header_score(header, field))
    )
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for *_, field_name, header in candidates:
        if field_name in chosen or header in used:
            continue
        chosen[field_name] = header
        used.add(header)
    return chosen


def _specificity(field: TicketField, header: str) -> int:
    norm = normalise_header(header)
    return max((len(s) for s in field.synonyms if s in norm), default=0)


_PRIORITY_SHAPE = re.compile(r"^(p|sev|s|priority|prio)\s*-?\s*[0-4]$|^(urgent|critical|high|normal|medium|low)$")
_LEVEL_SHAPE = re.compile(r"^(l|level|tier|esc|t)\s*[-_ ]?\s*[0-4]$")
_BOOL_VALUES = {"true", "false", "yes", "no", "y", "n", "t", "f"}


def detect_by_values(samples: dict[str, list[str]], types: dict[str, str], taken: dict[str, str]) -> dict[str, str]:
    """Fill still-unmapped fields from what the values look like (timestamps, P1–P4, L0–L4, yes/no)."""
    chosen = dict(taken)
    used = set(chosen.values())

    def free(column: str) -> bool:
        return column not in used

    def assign(field: str, column: str) -> None:
        chosen[field] = column
        used.add(column)

    timestamp_columns = [c for c, t in types.items() if t.startswith(("TIMESTAMP", "DATE")) and free(c)]
    for field in ("created_at", "resolved_at"):
        if field not in chosen and timestamp_columns:
            assign(field, timestamp_columns.pop(0))
    for column, values in samples.items():
        clean = [v.strip().lower() for v in values if v and v.strip()]
        if not clean or not free(column):
            continue
        if "priority" not in chosen and all(_PRIORITY_SHAPE.match(v) for v in clean) and any(not v.isdigit() for v in clean):
            assign("priority", column)
        elif "escalation_level" not in chosen and all(_LEVEL_SHAPE.match(v) for v in clean) and any(not v.isdigit() for v in clean):
            assign("escalation_level", column)
        elif "escalated" not in chosen and (types.get(column) == "BOOLEAN" or set(clean) <= _BOOL_VALUES):
            assign("escalated", column)
    return chosen


def detect_mapping(path: Path | str) -> ColumnMapping:
    """Auto-detected mapping for a file: header names first, then value shapes."""
    types, samples = inspect_file(path)
    by_name = detect_by_headers(list(types))
    return ColumnMapping(columns=detect_by_values(samples, types, by_name))
