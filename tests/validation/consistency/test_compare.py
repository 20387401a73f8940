"""Cross-document consistency: planted conflicts are found with both locations, consistent sets stay quiet."""

from __future__ import annotations

from pathlib import Path

from assistant.validation import check_consistency, consistency_text, documents_from_steps

from consistency_documents import PLAYBOOK, RUNBOOK_OK, TRAINING_OK


def planted() -> dict[str, str]:
    return {
        "playbook": PLAYBOOK,
        "runbooks": RUNBOOK_OK.replace("**Level 3 every 30 minutes**", "**Level 3 every 60 minutes**"),
        "training": TRAINING_OK,
    }


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_planted_update_cadence_conflict_is_reported_with_both_locations() -> None:
    docs = planted()
    report = check_consistency(docs)
    assert not report.ok
    [conflict] = [c for c in report.conflicts if c.kind == "response_target"]
    assert conflict.subject == "Level 3 update cadence" and conflict.severity == "error"
    assert (conflict.first.document, conflict.first.line, conflict.first.value) == ("playbook", line_of(PLAYBOOK, "| Level 3 | 15 min"), "30 min")
    assert (conflict.second.document, conflict.second.line, conflict.second.value) == (
        "runbooks", line_of(docs["runbooks"], "Level 3 every 60"), "1 h")
    assert "Level 3 every 60 minutes" in conflict.second.text and "| Level 3 | 15 min | every 30 minutes |" in conflict.first.text
    text = consistency_text(report)
    assert "playbook says 30 min" in text and "runbooks says 1 h" in text
    assert f"runbooks:{conflict.second.line}:" in text


def test_consistent_documents_raise_nothing() -> None:
    report = check_consistency({"playbook": PLAYBOOK, "runbooks": RUNBOOK_OK, "training": TRAINING_OK})
    assert report.ok and report.conflicts == [], [c.message for c in report.conflicts]
    assert report.targets >= 10 and report.levels >= 4


def test_segment_values_do_not_conflict_with_either_segment() -> None:
    runbook = "# IC runbook\n\n- P1: acknowledge within 30 minutes.\n"
    assert check_consistency({"playbook": PLAYBOOK, "runbooks": runbook}).conflicts == []
    runbook = "# IC runbook\n\n- P1: acknowledge within 60 minutes.\n"
    [conflict] = check_consistency({"playbook": PLAYBOOK, "runbooks": runbook}).conflicts
    assert conflict.subject == "P1 time to acknowledge" and conflict.first.value == "30 min"


def test_a_role_named_differently_is_a_warning_with_both_locations() -> None:
    runbook = RUNBOOK_OK.replace("# Incident Commander runbook", "# Incident Manager runbook")
    report = check_consistency({"playbook": PLAYBOOK, "runbooks": runbook})
    [conflict] = report.conflicts
    assert conflict.kind == "role_name" and conflict.severity == "warning" and report.ok
    assert (conflict.first.value, conflict.second.value, conflict.second.line) == ("Incident Commander", "Incident Manager", 1)
    assert conflict.first.line == line_of(PLAYBOOK, "Incident Commander runs")
    # abbreviations are the same role
    same = RUNBOOK_OK.replace("Comms Lead", "Communications Lead")
    assert check_consistency({"playbook": PLAYBOOK, "runbooks": same}).conflicts == []


def test_level_names_and_undefined_levels() -> None:
    training = TRAINING_OK.replace("### Level 3 — Incident Command", "### Level 3 — Major Incident Response")
    training += "\nEscalate to Level 5 when the board must decide.\n"
    report = check_consistency({"playbook": PLAYBOOK, "training": training})
    kinds = {c.kind: c for c in report.conflicts}
    assert kinds["level_name"].first.value == "Incident Command" and kinds["level_name"].second.value == "Major Incident Response"
    assert kinds["level_name"].second.line == line_of(training, "Major Incident Response")
    assert kinds["unknown_level"].second.value == "Level 5" and kinds["unknown_level"].severity == "error"


def test_documents_from_run_steps_join_fan_out_parts() -> None:
    docs = documents_from_steps([("playbook", "P"), ("runbooks:incident_commander", "A"), ("runbooks:comms_lead", "B"), ("training", "T"), ("executive_brief", "X")])
    assert docs == {"playbook": "P", "runbooks": "A\n\nB", "training": "T"}


def test_the_atlasflow_set_reports_only_its_real_discrepancy() -> None:
    answers = Path(__file__).parents[2] / "data" / "answers"
    docs = {name: (answers / f"{prefix}_atlasflow_complete.md").read_text(encoding="utf-8") for name, prefix in
            (("playbook", "pb"), ("runbooks", "rb"), ("training", "tr"))}
    report = check_consistency(docs)
    # the playbook routes Enterprise L2 defects with a 30-minute ack; a training scenario teaches 15 minutes
    assert [(c.subject, c.first.value, c.second.value, c.second.document) for c in report.conflicts] == [
        ("Level 2 time to acknowledge", "30 min", "15 min", "training")
    ]
