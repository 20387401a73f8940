"""The coverage matrix: one row per required section with its verdict, the heading and line where it
was found, the lines that show it and what it still lacks. User text goes into table cells, never into
Markdown or HTML, so a heading like ``<script>`` stays text."""

from __future__ import annotations

import re

import streamlit as st

from assistant.api import ValidationReport
from assistant.validation import SectionResult

#: how each verdict reads in the matrix
VERDICT_WORDS = {
    "present": "✓ present",
    "incomplete": "◐ incomplete",
    "renamed": "↪ found under another name",
    "missing": "✗ missing",
}
_EVIDENCE_SHOWN = 3
_ROW_HEIGHT = 35
_MARKS = re.compile(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$|^[*_]{2,3}|[*_]{2,3}:?$")


def _heading(lines: list[str], line: int | None) -> str:
    """The text of the heading at 1-based ``line``, without its Markdown marks."""
    if not line or line > len(lines):
        return ""
    return _MARKS.sub("", lines[line - 1]).strip()


def _where(section: SectionResult, lines: list[str]) -> str:
    if section.found_as is not None:
        return f"“{section.found_as.title}” (line {section.found_as.line})"
    heading = _heading(lines, section.line)
    if heading:
        return f"“{heading}” (line {section.line})"
    return f"line {section.line}" if section.line else "—"


def _verdict(section: SectionResult) -> str:
    if section.status == "missing" and section.reason == "empty":
        return "✗ missing (empty heading)"
    return VERDICT_WORDS[section.status]


def _details(section: SectionResult) -> str:
    """What shows the section (evidence lines), then what it lacks."""
    shown = [f"line {e.line}: {e.text}" for e in section.evidence[:_EVIDENCE_SHOWN]]
    if section.status in ("incomplete", "renamed") and section.missing_items:
        shown.append("lacks: " + "; ".join(section.missing_items))
    return " · ".join(shown)


def rows(report: ValidationReport, text: str = "") -> list[dict[str, str]]:
    """The matrix as rows of plain text (also what the tests read); ``text`` names the headings found."""
    lines = text.splitlines()
    return [
        {"Section": section.title, "Verdict": _verdict(section), "Where": _where(section, lines), "Details": _details(section)}
        for section in report.sections
    ]


def coverage_matrix(report: ValidationReport, text: str) -> None:
    """Draw the matrix as a table tall enough for every row."""
    st.markdown("**Coverage matrix**")
    st.dataframe(
        rows(report, text),
        hide_index=True,
        height=_ROW_HEIGHT * (len(report.sections) + 1) + 3,
        column_config={
            "Section": st.column_config.TextColumn(width="medium"),
            "Verdict": st.column_config.TextColumn(width="medium"),
            "Where": st.column_config.TextColumn(width="medium"),
            "Details": st.column_config.TextColumn("Evidence · what it lacks", width="large"),
        },
    )
