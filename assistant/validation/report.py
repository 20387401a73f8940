"""What the validator returns: one verdict per required section, the lints, and the JSON contract.

Kept apart from the rules that produce it so the chain, the store, exports and the app can
read a report without pulling in the section finder. Every view counts sections with
:meth:`ValidationReport.tally`, so the app, the CLI and the exports never disagree.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, computed_field, model_validator

from assistant.validation.lints import LintFinding

#: present: every required item found; incomplete: there, but named items are not; renamed: found under
#: another name (a heading that does not name it, recognised from its body, tiers or roles); missing: not there
Status = Literal["present", "incomplete", "renamed", "missing"]
#: why a section is missing: no heading names it, or its heading has no real body ("TBD", "N/A")
Reason = Literal["absent", "empty"]

_CONTRACT_KEYS = ("checklist", "ok", "sections", "missing", "incomplete", "renamed", "lints", "truncated")


class Evidence(BaseModel):
    """A line of the document that shows why a section was judged so (1-based line, its text)."""

    line: int
    text: str


class FoundAs(BaseModel):
    """The heading a section was found under when it does not name the section."""

    title: str
    line: int


class SectionResult(BaseModel):
    """The verdict on one required section; ``missing_items`` name what an incomplete one lacks.

    A ``renamed`` section carries the heading it was found under (``found_as``) and the lines that
    show its job (``evidence``); its ``missing_items`` are what it could still add.
    """

    id: str
    title: str
    status: Status
    line: int | None = None
    missing_items: list[str] = []
    reason: Reason | None = None
    found_as: FoundAs | None = None
    evidence: list[Evidence] = []

    @model_validator(mode="before")
    @classmethod
    def _from_two_state_report(cls, data: Any) -> Any:
        """Reports kept in the history before sections could be incomplete read in today's terms."""
        if not isinstance(data, dict):
            return data
        status = data.get("status")
        if status == "empty":
            return {**data, "status": "missing", "reason": "empty", "missing_items": []}
        if status == "missing" and data.get("reason") is None:
            return {**data, "reason": "absent", "missing_items": []}
        if status == "present" and data.get("missing_items"):
            return {**data, "status": "incomplete"}
        return data


class ValidationReport(BaseModel):
    checklist: str
    sections: list[SectionResult]
    lints: list[LintFinding]
    truncated: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def missing(self) -> list[str]:
        """Sections that are absent or only an empty heading, in checklist order."""
        return [s.id for s in self.sections if s.status == "missing"]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def incomplete(self) -> list[str]:
        """Sections that are there but lack named required items, in checklist order."""
        return [s.id for s in self.sections if s.status == "incomplete"]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def renamed(self) -> list[str]:
        """Sections found under another name (the heading and line are in each section's ``found_as``)."""
        return [s.id for s in self.sections if s.status == "renamed"]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        """Every section there with all its items (under its own name or another), and no lint is an error."""
        return not self.gaps and not self.errors

    @property
    def errors(self) -> list[LintFinding]:
        return [lint for lint in self.lints if lint.severity == "error"]

    @property
    def gaps(self) -> dict[str, list[str]]:
        """What a repair must add: each missing section (no items: the whole of it) and each
        incomplete or renamed section with its missing items, in checklist order."""
        return {
            s.id: s.missing_items
            for s in self.sections
            if s.status in ("missing", "incomplete") or (s.status == "renamed" and s.missing_items)
        }

    def section(self, section_id: str) -> SectionResult:
        return next(s for s in self.sections if s.id == section_id)

    def tally(self) -> str:
        """'9 of 11 sections present, 1 incomplete, 1 missing': the count every view shows."""
        total = len(self.sections)
        if not total:
            return "no required sections"
        present = total - len(self.missing) - len(self.incomplete)
        renamed = f" ({len(self.renamed)} under another name)" if self.renamed else ""
        if present == total:
            return f"all {total} required sections present{renamed}"
        parts = [f"{present} of {total} sections present{renamed}"]
        if self.incomplete:
            parts.append(f"{len(self.incomplete)} incomplete")
        if self.missing:
            parts.append(f"{len(self.missing)} missing")
        return ", ".join(parts)

    def lint_tally(self) -> str:
        """'1 lint error, 2 warnings', or '' when nothing was found: the lint count every view shows."""
        errors = len(self.errors)
        counts = [(errors, "lint error"), (len(self.lints) - errors, "warning")]
        return ", ".join(f"{count} {word}{'s' if count != 1 else ''}" for count, word in counts if count)

    def contract(self) -> dict[str, object]:
        """The JSON shape printed by ``playbook validate --format json``, in its documented key order."""
        data = self.model_dump(mode="json")
        return {key: data[key] for key in _CONTRACT_KEYS}
