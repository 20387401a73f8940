"""What the validator returns: one verdict per required section, the lints, and the JSON contract.

Kept apart from the rules that produce it so the chain, the store, exports and the app can
read a report without pulling in the section finder.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from assistant.validation.lints import LintFinding

Status = Literal["present", "empty", "missing"]


class SectionResult(BaseModel):
    id: str
    title: str
    status: Status
    line: int | None = None
    missing_items: list[str] = []


class ValidationReport(BaseModel):
    checklist: str
    ok: bool
    sections: list[SectionResult]
    missing: list[str]
    lints: list[LintFinding]
    truncated: bool = False

    @property
    def errors(self) -> list[LintFinding]:
        return [lint for lint in self.lints if lint.severity == "error"]

    def section(self, section_id: str) -> SectionResult:
        return next(s for s in self.sections if s.id == section_id)

    def contract(self) -> dict[str, object]:
        """The JSON shape printed by ``playbook validate --format json``."""
        return self.model_dump(mode="json")
