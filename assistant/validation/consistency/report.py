"""What a consistency check returns: the conflicts with both locations, and the plain-text report.

Kept apart from the extraction and the comparisons so the CLI and the app can print or show a
report without knowing how the facts were read.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


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
