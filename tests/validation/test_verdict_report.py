"""The report every view reads: three states, one tally, the JSON contract, old reports from the history."""

from __future__ import annotations

from assistant.validation import SectionResult, ValidationReport
from assistant.validation.lints import LintFinding


def section(section_id: str, status: str, **extra: object) -> SectionResult:
    return SectionResult(id=section_id, title=section_id.title(), status=status, **extra)


def report(*sections: SectionResult, lints: tuple[LintFinding, ...] = ()) -> ValidationReport:
    return ValidationReport(checklist="escalation-procedure/playbook", sections=list(sections), lints=list(lints))


def test_the_tally_counts_the_three_states_in_every_view() -> None:
    sections = [section(f"s{i}", "present") for i in range(9)]
    sections += [section("comms", "incomplete", missing_items=["Templates"]), section("routing", "missing", reason="absent")]
    verdict = report(*sections)
    assert verdict.tally() == "9 of 11 sections present, 1 incomplete, 1 missing"
    assert report(*sections[:9]).tally() == "all 9 required sections present"
    assert report(*sections[:10]).tally() == "9 of 10 sections present, 1 incomplete"
    assert report().tally() == "no required sections"


def test_ok_needs_every_item_and_no_error_lint() -> None:
    present = section("levels", "present")
    assert report(present).ok
    assert not report(present, section("comms", "incomplete", missing_items=["Templates"])).ok
    assert not report(present, section("routing", "missing", reason="empty", line=40)).ok
    warning = LintFinding(code="missing_timeframe", severity="warning", message="No times.", line=3)
    error = LintFinding(code="banned_phrase", severity="error", message="“calm down”", line=9)
    assert report(present, lints=(warning,)).ok and not report(present, lints=(error,)).ok


def test_the_json_contract_keeps_its_documented_keys_in_order() -> None:
    verdict = report(
        section("levels", "present", line=3),
        section("comms", "incomplete", line=20, missing_items=["Templates"]),
        section("routing", "missing", reason="absent"),
    )
    contract = verdict.contract()
    assert list(contract) == ["checklist", "ok", "sections", "missing", "incomplete", "renamed", "lints", "truncated"]
    assert contract["ok"] is False and contract["missing"] == ["routing"] and contract["incomplete"] == ["comms"]
    assert contract["renamed"] == []
    assert contract["sections"][1] == {
        "id": "comms", "title": "Comms", "status": "incomplete", "line": 20, "missing_items": ["Templates"], "reason": None,
        "found_as": None, "evidence": [],
    }
    assert ValidationReport.model_validate(contract) == verdict


def test_a_report_kept_before_three_states_reads_in_todays_terms() -> None:
    stored = {
        "checklist": "escalation-procedure/playbook",
        "ok": True,  # as written then: every section "present"
        "sections": [
            {"id": "levels", "title": "Levels", "status": "present", "line": 3, "missing_items": []},
            {"id": "comms", "title": "Comms", "status": "present", "line": 20, "missing_items": ["Templates"]},
            {"id": "recovery", "title": "Recovery", "status": "empty", "line": 40, "missing_items": ["Credits"]},
            {"id": "routing", "title": "Routing", "status": "missing", "line": None, "missing_items": []},
        ],
        "missing": ["recovery", "routing"],
        "lints": [],
    }
    verdict = ValidationReport.model_validate(stored)
    assert [(s.status, s.reason) for s in verdict.sections] == [
        ("present", None), ("incomplete", None), ("missing", "empty"), ("missing", "absent"),
    ]
    assert verdict.section("recovery").missing_items == []
    assert verdict.incomplete == ["comms"] and verdict.missing == ["recovery", "routing"] and not verdict.ok


def test_gaps_name_whole_missing_sections_and_only_the_missing_items_of_incomplete_ones() -> None:
    verdict = report(
        section("levels", "present"),
        section("comms", "incomplete", missing_items=["Templates", "Cadence"]),
        section("routing", "missing", reason="absent"),
    )
    assert verdict.gaps == {"comms": ["Templates", "Cadence"], "routing": []}


def test_the_lint_tally_counts_errors_and_warnings() -> None:
    warning = LintFinding(code="missing_timeframe", severity="warning", message="No times.", line=3)
    error = LintFinding(code="banned_phrase", severity="error", message="“calm down”", line=9)
    assert report(lints=(error, warning, warning)).lint_tally() == "1 lint error, 2 warnings"
    assert report(lints=(warning,)).lint_tally() == "1 warning"
    assert report().lint_tally() == ""
