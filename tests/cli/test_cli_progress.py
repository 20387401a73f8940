"""The checklist line ``playbook run`` prints after each step: the same states and counts as every view."""

from __future__ import annotations

from assistant.cli.progress import checklist_line
from assistant.packs import Pack
from assistant.validation import validate_step

LEVELS = "## 1) Escalation Levels & Definitions\n\nLevel 0 is standard support; Level 1 goes to the support lead.\n\n"


def test_the_line_counts_present_incomplete_and_missing_and_names_the_gaps(procedure: Pack) -> None:
    report = validate_step(LEVELS + "Please calm down.\n", procedure, "playbook")
    line = checklist_line("playbook", report, "checklist")
    assert line == (
        "✗ playbook: checklist: 0 of 11 sections present, 1 incomplete, 10 missing "
        f"(missing: {', '.join(report.missing)}; incomplete: levels) — 1 lint error"
    )


def test_a_clean_step_reads_all_present(procedure: Pack, atlasflow: dict) -> None:
    from assistant.providers.base import DraftTask
    from assistant.providers.offline import compose_from_checklist

    text = compose_from_checklist(procedure, DraftTask(pack=procedure.name, step="playbook", variables=atlasflow))
    line = checklist_line("playbook", validate_step(text, procedure, "playbook"), "after repair")
    assert line == "✓ playbook: after repair: all 11 required sections present"
