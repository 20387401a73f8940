"""The coverage matrix: one row per required section with its verdict, where it was found, the
lines that show it and what it could still add. User text goes into table cells, never into
Markdown or HTML, so a heading like ``<script>`` stays text."""

from __future__ import annotations

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


def _where(section: SectionResult) -> str:
    if section.found_as is not None:
        return f"“{section.found_as.title}” (line {section.found_as.line})"
    return f"line {section.line}" if section.line else "—"


def _verdict(section: SectionResult) -> str:
    if section.status == "missing" and section.reason == "empty":
        return "✗ missing (empty heading)"
    return VERDICT_WORDS[section.status]


def rows(report: ValidationReport) -> list[dict[str, str]]:
    """The matrix as rows of plain text (also what the tests read)."""
    return [
        {
            "Section": section.title,
            "Verdict": _verdict(section),
            "Where": _where(section),
            "Evidence": "\n".join(f"line {e.line}: {e.text}" for e in section.evidence[:_EVIDENCE_SHOWN]),
            "Lacks": "; ".join(section.missing_items) if section.status in ("incomplete", "renamed") else "",
        }
        for section in report.sections
    ]


def coverage_matrix(report: ValidationReport) -> None:
    """Draw the matrix as a table sized to its rows."""
    st.markdown("**Coverage matrix**")
    st.dataframe(
        rows(report),
        hide_index=True,
        key="audit_matrix",
        column_config={
            "Section": st.column_config.TextColumn(width="medium"),
            "Verdict": st.column_config.TextColumn(width="medium"),
            "Where": st.column_config.TextColumn(width="medium"),
            "Evidence": st.column_config.TextColumn(width="large"),
            "Lacks": st.column_config.TextColumn(width="large"),
        },
    )
