"""The checklist appendix every export ends with: the same states and counts as the app and the CLI."""

from __future__ import annotations

import io

import docx

from assistant.export import ExportDocument, render, to_markdown
from assistant.export.document import ExportStep
from assistant.packs import Pack
from assistant.validation import validate_step

ANSWER = (
    "## 1) Escalation Levels & Definitions\n\nLevel 0 is standard support; Level 1 goes to the support lead.\n\n"
    "## 8) Service Recovery & Commercial Decisions\n\nTBD\n\nPlease calm down.\n"
)


def document(procedure: Pack) -> ExportDocument:
    report = validate_step(ANSWER, procedure, "playbook")
    step = ExportStep(id="playbook", title="Playbook", status="done", text=ANSWER, report=report)
    return ExportDocument(title="AtlasFlow", pack=procedure.name, provider="openai", model="m", created_at="today", steps=[step])


def test_the_appendix_counts_each_state_and_lists_what_incomplete_sections_lack(procedure: Pack) -> None:
    markdown = to_markdown(document(procedure))
    appendix = markdown[markdown.index("Checklist appendix") :]
    assert "**Playbook** — 0 of 11 sections present, 1 incomplete, 10 missing; 1 lint error" in appendix
    assert (
        "| Escalation Levels & Definitions | incomplete | Level 2: Cross-functional (Engineering/Product/Billing); "
        "Level 3: Incident Command (major incident, security, widespread outage); "
        "Level 4: Executive Escalation (VIP churn, PR crisis, legal/regulatory) |"
    ) in appendix
    assert "| Service Recovery & Commercial Decisions | missing (empty heading) | — |" in appendix
    assert "| Escalation Routing Rules | missing | — |" in appendix
    assert "- error · banned_phrase (line 9):" in appendix
    assert not any(glyph in appendix for glyph in "✓✗⚠✅")  # words, not symbols a reader's font may lack


def test_word_and_html_carry_the_same_verdicts(procedure: Pack) -> None:
    doc = document(procedure)
    html = render(doc, "html").decode("utf-8")
    assert "0 of 11 sections present, 1 incomplete, 10 missing" in html and "missing (empty heading)" in html
    word = docx.Document(io.BytesIO(render(doc, "docx")))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "incomplete" in cells and "missing (empty heading)" in cells
