"""Auditing a team's own policy in a real browser: a Word file and an HTML page uploaded, the
coverage matrix with what was found under another name, the missing sections drafted offline and
the filled document downloaded as Word with the team's text in it."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from test_browser import button, go, open_app, settle  # tests/e2e/test_browser.py

pytestmark = pytest.mark.e2e

REAL = Path(__file__).resolve().parents[1] / "data" / "real"


def _upload(page, path: Path) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    page.get_by_text(f"{path.name} is ").wait_for()
    settle(page)


def _check(page) -> None:
    page.get_by_role("combobox", name="Checklist").click()
    page.get_by_role("option", name="Escalation Procedure — Generate the Full Escalation Playbook").click()
    settle(page)
    button(page, "validate_run").click()
    page.get_by_text("Coverage matrix").wait_for()
    settle(page)


def test_a_word_policy_is_audited_filled_and_downloaded(page, server, artifacts: Path) -> None:
    open_app(page, server.url)
    go(page, "Check or audit", "Check or audit a document")
    _upload(page, REAL / "dfe_incident_playbook.docx")
    assert page.get_by_text("dfe_incident_playbook.docx is a Word document, read as Markdown below").is_visible()
    assert page.get_by_role("checkbox", name="This is my team's finished policy").is_checked()
    _check(page)
    page.get_by_text("Needs attention: 0 of 10 sections present, 6 incomplete, 4 missing.").wait_for()
    page.screenshot(path=artifacts / "audit-docx.png", full_page=True)
    page.get_by_role("textbox", name="Organisation (for the drafted sections)").fill("Teacher Services")
    button(page, "audit_fill").click()
    page.get_by_text("Drafted with offline (offline-draft)").wait_for()
    settle(page)
    assert page.get_by_text("all 10 required sections present", exact=False).first.is_visible()
    page.screenshot(path=artifacts / "audit-docx-filled.png", full_page=True)
    with page.expect_download() as caught:
        button(page, "audit_download_docx").click()
    download = caught.value
    assert download.suggested_filename == "dfe_incident_playbook-filled.docx"
    word = docx.Document(io.BytesIO(Path(download.path()).read_bytes()))
    texts = [p.text for p in word.paragraphs]
    assert "Incident playbook" in texts and "Escalation Levels & Definitions" in texts  # theirs and the new one
    assert any("Teacher Services" in t for t in texts)


def test_an_html_page_shows_what_it_has_under_another_name(page, server, artifacts: Path) -> None:
    open_app(page, server.url)
    go(page, "Check or audit", "Check or audit a document")
    _upload(page, REAL / "gds_incident_management.html")
    assert page.get_by_text("gds_incident_management.html is an HTML page, read as Markdown below").is_visible()
    _check(page)
    page.get_by_text("Needs attention: 1 of 10 sections present, 5 incomplete, 4 missing.").wait_for()
    matrix = page.get_by_test_id("stDataFrame")
    matrix.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "audit-html.png", full_page=True)
    assert page.get_by_text("Draft the missing sections").is_visible()
