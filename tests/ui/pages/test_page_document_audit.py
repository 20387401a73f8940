"""The Check or audit page with a team's own policy: a Word or HTML upload read as Markdown, the
coverage matrix with evidence, and "Draft the missing sections" handing the document back."""

from __future__ import annotations

import io
from difflib import SequenceMatcher
from pathlib import Path

from docx import Document

from ui.panels.audit_matrix import rows

REAL = Path(__file__).resolve().parents[2] / "data" / "real"
PLAYBOOK = "escalation-procedure/playbook"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _upload(app, name: str, mime: str) -> None:
    app.page("validate")
    app.at.selectbox(key="validate_ref").set_value(PLAYBOOK)
    app.at.file_uploader(key="validate_upload").set_value((name, (REAL / name).read_bytes(), mime))
    app.run()


def test_a_word_policy_is_read_as_markdown_and_audited(app) -> None:
    _upload(app, "dfe_incident_playbook.docx", DOCX)
    text = app.at.text_area(key="validate_text").value
    assert text.startswith("# Incident playbook") and app.at.checkbox(key="validate_finished").value is True
    assert any("dfe_incident_playbook.docx is a Word document, read as Markdown below" in i.value for i in app.at.info)
    app.click("validate_run")
    assert [w.value for w in app.at.warning] == ["Needs attention: 0 of 10 sections present, 6 incomplete, 4 missing."]
    matrix = app.at.dataframe[0].value
    assert list(matrix["Section"])[:3] == ["Escalation Levels & Definitions", "Escalation Intake & Triage (First 15–30 minutes)", "Ownership Model (RACI)"]
    assert list(matrix["Verdict"])[:3] == ["✗ missing", "◐ incomplete", "◐ incomplete"]
    assert list(matrix["Where"])[1] == "“2. Triage the incident (all incident leads)” (line 13)"  # the heading it is under
    assert "Deliverable Checklist" not in list(matrix["Section"])  # a model answer's own summary is not asked of a policy


def test_an_html_page_shows_sections_found_under_another_name_with_evidence(app) -> None:
    app.page("validate")
    app.at.selectbox(key="validate_ref").set_value(PLAYBOOK)
    page = (REAL / "pd_external_communication.html").read_text(encoding="utf-8").replace(
        "<h2>External Communication Guidelines</h2>", "<h2>Keeping people in the loop</h2>"
    )
    app.at.file_uploader(key="validate_upload").set_value(("comms.html", page.encode(), "text/html"))
    app.run()
    app.click("validate_run")
    row = next(r for r in rows_of(app) if r["Section"] == "Customer Communication Standards")
    assert row["Verdict"] == "↪ found under another name" and row["Where"].startswith("“Keeping people in the loop” (line ")
    assert row["Details"].startswith("line ") and "lacks: " in row["Details"]


def rows_of(app) -> list[dict[str, str]]:
    frame = app.at.dataframe[0].value
    return frame.to_dict("records")


def test_draft_the_missing_sections_keeps_the_teams_text_and_downloads_three_formats(app, downloads) -> None:
    _upload(app, "paas_comms_lead_role.md", "text/markdown")
    app.at.checkbox(key="validate_finished").check()
    app.run()
    app.click("validate_run")
    original = app.at.text_area(key="validate_text").value
    app.at.text_input(key="audit_org").input("GOV.UK PaaS")
    app.click("audit_fill")
    assert [s.value for s in app.at.success] == [
        "Drafted with offline (offline-draft) for 10 sections. Now all 10 required sections present."
    ]
    filled = downloads.of(app.at.download_button(key="audit_download_md")).decode("utf-8")
    assert {op for op, *_ in SequenceMatcher(None, original, filled, autojunk=False).get_opcodes()} <= {"equal", "insert"}
    assert "GOV.UK PaaS" in filled
    word = Document(io.BytesIO(downloads.of(app.at.download_button(key="audit_download_docx"))))
    assert "Escalation Levels & Definitions" in [p.text for p in word.paragraphs if p.style.name == "Heading 2"]
    assert b"<!DOCTYPE html>" in downloads.of(app.at.download_button(key="audit_download_html"))
    app.click("audit_use_filled")
    assert app.at.text_area(key="validate_text").value == filled


def test_the_matrix_keeps_user_text_as_plain_cell_text() -> None:
    from assistant.validation import SectionResult, ValidationReport
    from assistant.validation.report import FoundAs

    report = ValidationReport(
        checklist=PLAYBOOK, lints=[],
        sections=[SectionResult(id="levels", title="Levels", status="renamed", line=3,
                                found_as=FoundAs(title="<script>alert(1)</script>", line=3))],
    )
    assert rows(report)[0]["Where"] == "“<script>alert(1)</script>” (line 3)"  # a dataframe cell shows it as text
