"""The validate page: paste or upload any answer and check it against any pack/step checklist."""

from __future__ import annotations

import json

PLAYBOOK = "escalation-procedure/playbook"


def test_lists_every_checklist_of_every_pack(app, library) -> None:
    app.page("validate")
    options = app.at.selectbox(key="validate_ref").options
    expected = {
        f"{pack.title} — {step.title}"
        for pack in library.packs.values()
        for step in pack.steps
        if pack.checklist_for(step.id) is not None
    }
    assert set(options) == expected


def test_pasted_answer_is_checked_section_by_section(app, answers, downloads) -> None:
    app.page("validate")
    answers.drop_playbook_section(4)
    app.at.selectbox(key="validate_ref").set_value(PLAYBOOK)
    app.at.text_area(key="validate_text").input(answers.playbook)
    app.click("validate_run")
    text = app.texts()
    assert any("Needs attention: 10 of 11 sections present, 1 missing." == w.value for w in app.at.warning)
    assert ":material/cancel: Escalation Routing Rules — **missing**" in text
    assert ":material/check_circle: Escalation Levels & Definitions (line 12)" in text
    report = json.loads(downloads.of(app.at.download_button(key="validate_report_json")))
    assert report["checklist"] == PLAYBOOK and report["missing"] == ["routing"] and report["ok"] is False


def test_an_incomplete_section_is_named_with_the_items_it_lacks(app, answers, downloads, procedure) -> None:
    heading = answers.thin_playbook_section(5)
    start = answers.playbook.index("## 8)")
    answers.playbook = answers.playbook[:start] + "## 8) Service Recovery & Commercial Decisions\n\nTBD\n\n" + (
        answers.playbook[answers.playbook.index("## 9)") :]
    )
    app.page("validate")
    app.at.selectbox(key="validate_ref").set_value(PLAYBOOK)
    app.at.text_area(key="validate_text").input(answers.playbook)
    app.click("validate_run")
    assert [w.value for w in app.at.warning] == ["Needs attention: 9 of 11 sections present, 1 incomplete, 1 missing."]
    text = app.texts()
    line = answers.playbook.splitlines().index(heading) + 1
    assert f":material/incomplete_circle: Customer Communication Standards (line {line}) — **incomplete**: lacks 5 required items" in text
    items = [item.text for item in procedure.checklist_for("playbook").section("customer_comms").items]
    assert all(f"    - {item}" in text for item in items)
    empty = answers.playbook.splitlines().index("## 8) Service Recovery & Commercial Decisions") + 1
    assert f":material/cancel: Service Recovery & Commercial Decisions (line {empty}) — **missing**: only an empty heading" in text
    assert "✓" not in text and "✗" not in text  # icons come from the app's own icon font
    report = json.loads(downloads.of(app.at.download_button(key="validate_report_json")))
    assert report["incomplete"] == ["customer_comms"] and report["missing"] == ["service_recovery"] and not report["ok"]
    assert report["sections"][4]["missing_items"] == items


def test_uploaded_file_with_lints(app) -> None:
    from pathlib import Path

    answer = Path(__file__).resolve().parents[2] / "data" / "answers" / "pb_aurora_banned_in_templates.md"
    app.page("validate")
    app.at.selectbox(key="validate_ref").set_value(PLAYBOOK)
    app.at.file_uploader(key="validate_upload").set_value((answer.name, answer.read_bytes(), "text/markdown"))
    app.run()
    assert app.at.text_area(key="validate_text").value == answer.read_text(encoding="utf-8")
    app.click("validate_run")
    assert "banned_phrase" in app.texts()


def test_a_draft_from_the_session_can_be_checked(app) -> None:
    app.load_example().page("chain")
    app.click("run__playbook")
    app.page("validate")
    app.at.selectbox(key="validate_from_draft").set_value(PLAYBOOK).run()
    app.check()
    assert app.at.text_area(key="validate_text").value == app.draft("playbook").text
    app.click("validate_run")
    assert [s.value for s in app.at.success] == [
        "Every required section is present with all its items: all 11 required sections present."
    ]
