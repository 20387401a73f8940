"""The first page says whether a set is approved or a draft, and when it is offline, unfinished, out of date or has checklist gaps, in every format."""

from __future__ import annotations

import html
import io

import docx
import pytest

from assistant.api import ExportDocument, ExportStep, Studio, ValidationReport
from assistant.export import notices, render, to_html, to_markdown
from assistant.validation import SectionResult


def _set(*steps: ExportStep, provider: str = "openai") -> ExportDocument:
    return ExportDocument(title="Set", pack="escalation-procedure", provider=provider, model="m", created_at="2026-01-01", steps=list(steps))


def _step(step_id: str = "playbook", status: str = "done", report: ValidationReport | None = None) -> ExportStep:
    return ExportStep(id=step_id, title="Escalation Playbook", status=status, text="## Levels\n\nL1 owns it.\n", report=report)


def _first_page_of_word(document: ExportDocument) -> str:
    paragraphs = [p.text for p in docx.Document(io.BytesIO(render(document, "docx"))).paragraphs]
    return "\n".join(paragraphs[: paragraphs.index("Contents")])


def test_a_finished_current_complete_set_says_only_whether_it_is_approved() -> None:
    draft = _set(_step())
    assert [(n.kind, n.label) for n in notices(draft)] == [("draft", "Draft - not approved")]
    assert "> **Draft - not approved:** nobody has approved this version" in to_markdown(draft)
    line = "Approved by ann@example.com on 2026-12-05 (version 3f2a9c1e: playbook v3)"
    approved = draft.model_copy(update={"approval": line})
    assert [(n.kind, n.label) for n in notices(approved)] == [("approved", line)]
    markdown = to_markdown(approved)
    assert markdown.index(f"> **{line}:** signed off") < markdown.index("<!-- step:") and "Draft - not approved" not in markdown
    assert to_html(approved).index(f"<strong>{line}:</strong>") < to_html(approved).index('<nav class="toc"')
    assert line in _first_page_of_word(approved)


@pytest.mark.parametrize(
    ("status", "why"),
    [
        ("interrupted", "it was interrupted before it finished"),
        ("running", "it was still being written when this file was made"),
        ("truncated", "it was cut off at the model's length limit"),
        ("failed", "it failed before it finished"),
    ],
)
def test_an_unfinished_step_is_named_on_the_first_page_of_every_format(status: str, why: str) -> None:
    document = _set(_step(status=status))
    sentence = f"Escalation Playbook: {why}; this is the text saved so far."
    assert [(n.label, n.text) for n in notices(document) if n.kind != "draft"] == [("Unfinished", sentence)]
    markdown = to_markdown(document)
    assert markdown.index(f"> **Unfinished:** {sentence}") < markdown.index("<!-- step:")
    page = to_html(document)
    assert page.index(f"<strong>Unfinished:</strong> {html.escape(sentence)}") < page.index('<nav class="toc"')
    assert f"Unfinished: {sentence}" in _first_page_of_word(document)


def test_checklist_gaps_point_to_the_appendix() -> None:
    report = ValidationReport(
        checklist="escalation-procedure/playbook", ok=False,
        sections=[SectionResult(id="routing", title="Routing rules", status="missing", line=None, missing_items=[])],
        missing=["routing"], lints=[],
    )
    assert [n.text for n in notices(_set(_step(report=report))) if n.kind != "draft"] == [
        "Escalation Playbook: 0 of 1 sections present, 1 missing (see the Checklist appendix)."
    ]


def test_steps_written_from_an_older_playbook_say_so_on_the_first_page(offline_studio: Studio, own_run_id: str) -> None:
    run = offline_studio.run(own_run_id)
    playbook = next(s.text for s in run.steps if s.key == "playbook")
    offline_studio.record_edit(own_run_id, "playbook", playbook + "\n\nWar room: #esc-bridge.\n", None)
    document = offline_studio.run_document(offline_studio.run(own_run_id))
    assert {s.id: bool(s.stale) for s in document.steps} == {"playbook": False, "runbooks": True, "training": True}
    outdated = [n.text for n in notices(document) if n.kind == "outdated"]
    assert outdated == [
        "Role Runbooks: written from Generate the Full Escalation Playbook v1; it is now v2. Re-run it so it follows the current set.",
        "Training & QA Program: written from Generate the Full Escalation Playbook v1; it is now v2. Re-run it so it follows the current set.",
    ]
    assert f"Out of date: {outdated[0]}" in _first_page_of_word(document)
    page = to_html(document)
    assert page.index("<strong>Out of date:</strong> Role Runbooks") < page.index('<nav class="toc"')

