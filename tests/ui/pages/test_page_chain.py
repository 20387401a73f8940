"""The chain page: step cards, runs on a worker thread, checklist, repair, edits, versions, export."""

from __future__ import annotations

import html
import io

import docx
import pypdf
import pytest

from assistant.providers.scripted import ScriptedProvider
from assistant.packs import PackLibrary

PACK = "escalation-procedure"


def draft_key(step: str) -> str:
    return f"draft__{PACK}__{step}"


def test_asks_for_the_profile_first(app) -> None:
    app.page("chain")
    assert any("Describe your organisation first" in i.value for i in app.at.info)
    assert "run_all" not in {b.key for b in app.at.button}


def test_cards_in_dag_order_with_run_buttons_enabled_only_when_inputs_exist(scripted_app, library) -> None:
    app = scripted_app.load_example().page("chain")
    pack = library.get(PACK)
    titles = [m.value for m in app.at.markdown if m.value.startswith("## ")]
    assert [t.split(". ", 1)[1] for t in titles] == [s.title for s in pack.steps]
    assert app.at.button(key="run__playbook").disabled is False
    assert app.at.button(key="run__runbooks").disabled is True  # needs the playbook
    assert app.at.button(key="run__training").disabled is True
    assert "not run" in app.texts() or any("not run" in m.value for m in app.at.markdown)


def test_running_a_step_shows_the_draft_and_a_ticked_checklist(scripted_app, scripted: ScriptedProvider) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    draft = app.draft("playbook")
    assert draft.status == "done"
    assert draft.text.startswith("# AtlasFlow Escalation Procedure")
    assert draft.report.ok
    text = app.texts()
    assert "AtlasFlow Escalation Procedure" in text  # the draft preview
    assert ":material/check_circle: **all 11 required sections present**" in text
    assert ":material/check_circle: Escalation Routing Rules" in text
    assert app.at.text_area(key=draft_key("playbook")).value == draft.text
    assert len(scripted.requests) == 1 and scripted.requests[0].task.step == "playbook"
    # runbooks can run now
    assert app.at.button(key="run__runbooks").disabled is False
    # the run is in the history
    assert app.workspace().run_id == draft.run_id


def test_a_missing_section_is_crossed_and_repair_asks_only_for_it(scripted_app, scripted, answers) -> None:
    answers.drop_playbook_section(4)  # no routing rules
    app = scripted_app.load_example().page("chain")
    app.at.toggle(key="auto_repair_toggle").set_value(False).run()
    app.click("run__playbook")
    draft = app.draft("playbook")
    assert draft.report.missing == ["routing"]
    text = app.texts()
    assert ":material/warning: **10 of 11 sections present, 1 missing**" in text
    assert ":material/cancel: Escalation Routing Rules — **missing**" in text
    assert ":material/check_circle: Escalation Levels & Definitions" in text
    assert app.at.button(key="repair__playbook").label == "Repair: 1 missing"
    assert len(scripted.requests) == 1  # no automatic repair

    app.click("repair__playbook")
    repair = scripted.requests[-1]
    assert repair.task.sections == ["routing"]
    requested = [line for line in repair.prompt.splitlines() if line.startswith("### ")]
    assert requested == ["### 4) Escalation Routing Rules"], requested
    assert "missing 1 required section" in repair.prompt
    draft = app.draft("playbook")
    assert draft.report.ok, draft.report.missing
    assert "## 4) Escalation Routing Rules" in draft.text
    assert [v.kind for v in draft.versions] == ["generated", "repaired"]
    assert ":material/check_circle: **all 11 required sections present**" in app.texts()
    assert app.at.text_area(key=draft_key("playbook")).value == draft.text


def test_an_incomplete_section_is_flagged_and_repair_asks_only_for_its_items(
    scripted_app, scripted, answers, procedure
) -> None:
    answers.thin_playbook_section(5)  # the customer communication standards, with none of their items
    items = [item.text for item in procedure.checklist_for("playbook").section("customer_comms").items]
    answers.repair = "## 5) Customer Communication Standards\n\n" + "".join(
        f"- **{item}**: owned by the Escalation Owner.\n" for item in items
    )
    app = scripted_app.load_example().page("chain")
    app.at.toggle(key="auto_repair_toggle").set_value(False).run()
    app.click("run__playbook")
    report = app.draft("playbook").report
    assert report.incomplete == ["customer_comms"] and report.missing == [] and not report.ok
    text = app.texts()
    assert ":material/warning: **10 of 11 sections present, 1 incomplete**" in text
    assert (
        ":material/incomplete_circle: Customer Communication Standards (line 127) — **incomplete**: lacks 5 required items"
    ) in text
    assert app.at.button(key="repair__playbook").label == "Repair: 1 incomplete"

    app.click("repair__playbook")
    repair = scripted.requests[-1]
    assert repair.task.sections == ["customer_comms"] and repair.task.items == {"customer_comms": items}
    assert "lacks required points in 1 section" in repair.prompt and "Sections to write" not in repair.prompt
    draft = app.draft("playbook")
    assert draft.report.ok, draft.report.gaps
    assert draft.text.count("## 5) Customer Communication Standards") == 1
    assert draft.text.index("We treat every customer with respect") < draft.text.index(items[0]) < draft.text.index("## 6)")
    text = app.texts()
    assert ":material/check_circle: **all 11 required sections present**" in text
    assert "Asking only for: Customer Communication Standards (5 missing items) (round 1)." in text
    assert "repair__playbook" not in {b.key for b in app.at.button}


def test_automatic_repair_runs_after_the_step(scripted_app, scripted, answers) -> None:
    answers.drop_playbook_section(4)
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    assert [r.task.sections for r in scripted.requests] == [None, ["routing"]]
    assert app.draft("playbook").report.ok
    assert [v.kind for v in app.draft("playbook").versions] == ["generated", "repaired"]


def test_an_edited_draft_is_what_the_next_step_reads(scripted_app, scripted) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    edited = app.draft("playbook").text + "\n\nOur war room is #esc-bridge-7734 (EDITED BY THE OPS LEAD).\n"
    app.at.text_area(key=draft_key("playbook")).input(edited)
    app.run()
    draft = app.draft("playbook")
    assert draft.text == edited and draft.edited
    assert [v.kind for v in draft.versions] == ["generated", "edited"]
    # the two versions are shown side by side, the added line marked
    shown = [html.unescape(element.proto.body).replace("\xa0", " ") for element in app.at.get("html")]
    assert any("Our war room is #esc-bridge-7734" in body and "diff_add" in body for body in shown)
    # and the history has the edit
    studio_store_text = _stored_text(app, draft.run_id, "playbook")
    assert studio_store_text == edited

    app.click("run__runbooks")
    runbook_requests = [r for r in scripted.requests if r.task.step == "runbooks"]
    assert len(runbook_requests) == 4  # one per role, in parallel
    assert all("EDITED BY THE OPS LEAD" in r.prompt for r in runbook_requests)
    assert app.draft("runbooks").status == "done"


def _stored_text(app, run_id: str, key: str) -> str:
    from assistant.api import Studio

    record = Studio().store.get_run(run_id)
    return next(s.text for s in record.steps if s.key == key)


def test_run_all_remaining_then_export_md_docx_html_pdf(scripted_app, downloads) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run_all")
    for step in ("playbook", "runbooks", "training"):
        assert app.draft(step).status == "done", step
        assert app.draft(step).report.ok, (step, app.draft(step).report.missing)
    assert app.at.button(key="run_all").disabled is True

    markdown = downloads.of(app.at.download_button(key="export_md")).decode("utf-8")
    assert markdown.startswith("# Escalation Procedure — AtlasFlow")
    assert "AtlasFlow Escalation Procedure" in markdown and "\n## Checklist appendix\n" in markdown
    # finished, current, complete: the only note says it is not approved yet
    assert markdown.split("\n\n")[2] == "> **Draft - not approved:** nobody has approved this version of the set; it may still change."
    assert markdown.split("\n\n")[3].startswith("<!-- step: playbook")
    html = downloads.of(app.at.download_button(key="export_html")).decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in html and '<nav class="toc"' in html
    word = docx.Document(io.BytesIO(downloads.of(app.at.download_button(key="export_docx"))))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert any("Escalation Levels" in h for h in headings)
    assert [p.text for p in word.paragraphs if p.style.name == "Heading 1"][-1] == "Checklist appendix"
    assert word.core_properties.author == "AtlasFlow"
    pdf = pypdf.PdfReader(io.BytesIO(downloads.of(app.at.download_button(key="export_pdf"))))
    assert pdf.metadata.title.startswith("Escalation Procedure — AtlasFlow") and len(pdf.pages) > 5


def test_steps_written_before_an_edit_of_what_they_read_are_flagged_in_every_export(scripted_app, downloads) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run_all")
    app.at.text_area(key=draft_key("playbook")).input(app.draft("playbook").text + "\n\nWar room: #esc-bridge.\n")
    app.run()
    note = "> **Out of date:** Role Runbooks: written from Generate the Full Escalation Playbook v1; it is now v2."
    markdown = downloads.of(app.at.download_button(key="export_md")).decode("utf-8")
    assert markdown.index(note) < markdown.index("<!-- step: playbook")
    assert "> **Out of date:** Training & QA Program: written from Generate the Full Escalation Playbook v1" in markdown
    word = docx.Document(io.BytesIO(downloads.of(app.at.download_button(key="export_docx"))))
    first_page = [p.text for p in word.paragraphs][: [p.text for p in word.paragraphs].index("Contents")]
    assert any(t.startswith("Out of date: Role Runbooks: written from") for t in first_page)

    app.click("run__runbooks")
    markdown = downloads.of(app.at.download_button(key="export_md")).decode("utf-8")
    assert "**Out of date:** Role Runbooks" not in markdown and "**Out of date:** Training & QA Program" in markdown


def test_without_pango_the_pdf_button_is_off_and_says_what_to_install(app, monkeypatch) -> None:
    from ui import exporting

    monkeypatch.setattr(exporting, "pdf_unavailable", lambda: "PDF export needs the Pango library: apt-get install libpango-1.0-0")
    app.load_example().page("chain")
    app.click("run__playbook")
    button = app.at.download_button(key="export_pdf")
    assert button.proto.disabled and "apt-get install libpango-1.0-0" in button.proto.help
    assert not app.at.download_button(key="export_docx").proto.disabled


def test_offline_drafts_are_labelled_in_exports(app, downloads) -> None:
    app.load_example().page("chain")
    app.click("run__playbook")
    assert app.draft("playbook").provider == "offline"
    assert "Offline draft" in app.texts()
    markdown = downloads.of(app.at.download_button(key="export_md")).decode("utf-8")
    assert "> **Offline draft:** composed from your inputs" in markdown
    word = docx.Document(io.BytesIO(downloads.of(app.at.download_button(key="export_docx"))))
    assert any("Offline draft" in p.text for p in word.paragraphs)


def test_the_prompt_is_shown_for_copying(scripted_app) -> None:
    app = scripted_app.load_example().page("chain")
    app.at.toggle(key="show_prompt__playbook").set_value(True).run()
    prompts = [c.value for c in app.at.code if c.language == "markdown"]
    assert any("AtlasFlow" in p and "Escalation Levels" in p for p in prompts)


def test_restoring_a_version_makes_it_current(scripted_app) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    original = app.draft("playbook").text
    app.at.text_area(key=draft_key("playbook")).input("# Short\n\nToo short.\n")
    app.run()
    assert app.draft("playbook").report.missing
    app.click("versions__playbook__restore")  # "Make v1 the current draft" (v1 vs v2 by default)
    assert app.draft("playbook").text == original
    assert [v.kind for v in app.draft("playbook").versions] == ["generated", "edited", "restored"]
    assert app.at.text_area(key=draft_key("playbook")).value == original


def test_a_provider_without_key_says_what_to_do(app) -> None:
    app.load_example()
    app.at.selectbox(key="provider_name").set_value("anthropic").run()
    app.page("chain")
    app.click("run__playbook")
    assert any("No Anthropic key found" in e.value for e in app.at.error), [e.value for e in app.at.error]


@pytest.mark.parametrize("pack", PackLibrary().names)
def test_every_pack_runs_offline_end_to_end(app, library, pack: str) -> None:
    app.at.selectbox(key="pack_picker").set_value(pack).run()
    app.check()
    app.click("load_example")
    app.page("chain")
    app.click("run_all")
    for step in library.get(pack).default_steps:
        draft = app.draft(step.id, pack)
        assert draft.status == "done", (pack, step.id, draft.error)
        assert draft.text.strip()
    assert "export_md" in {b.key for b in app.at.download_button}


def test_the_expert_system_prompt_is_sent_when_chosen(scripted_app, scripted, library) -> None:
    expert = library.system_prompt_packs()[0]
    app = scripted_app.load_example()
    app.at.toggle(key="expert_toggle").set_value(True).run()
    app.page("chain")
    app.click("run__playbook")
    system = scripted.requests[0].system or ""
    assert system and system.split("\n", 1)[0] in (expert.directory / expert.system).read_text(encoding="utf-8")


def test_the_export_title_follows_the_company_until_typed(scripted_app) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    assert "AtlasFlow" in app.at.text_input(key="export_title").value
    app.page("organisation")
    app.at.text_input(key="var__escalation-procedure__company_name").input("Kestrel Pay").run()
    app.page("chain")
    assert "Kestrel Pay" in app.at.text_input(key="export_title").value
    app.at.text_input(key="export_title").input("Our escalation handbook").run()
    app.page("organisation")
    app.at.text_input(key="var__escalation-procedure__company_name").input("Orchard").run()
    app.page("chain")
    assert app.at.text_input(key="export_title").value == "Our escalation handbook"


def test_an_edit_upstream_puts_later_steps_out_of_date_and_one_click_brings_them_back(scripted_app) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run_all")
    run_id = app.workspace().run_id
    edited = app.draft("playbook").text + "\n\nOne more line from the ops lead.\n"
    app.at.text_area(key=draft_key("playbook")).set_value(edited).run()
    app.check()
    assert app.draft("runbooks").stale == ["written from Generate the Full Escalation Playbook v1; it is now v2"]
    assert "Out of date: written from Generate the Full Escalation Playbook v1; it is now v2" in app.texts()
    assert app.at.button(key="run_stale").label == "Re-run out-of-date steps (2)"
    app.click("run_stale")
    assert app.draft("runbooks").stale == [] and app.draft("training").stale == []
    assert [v.number for v in app.draft("runbooks").versions] == [1, 2]
    # everything stayed in one document set
    assert app.workspace().run_id == run_id and app.draft("runbooks").run_id == run_id


def test_changing_the_company_name_marks_every_draft_that_used_it(scripted_app) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    app.page("organisation")
    app.at.text_input(key=f"var__{PACK}__company_name").set_value("Northwind").run()
    app.page("chain")
    assert app.draft("playbook").stale == ["written for Company name “AtlasFlow”"]
    assert "Out of date: written for Company name “AtlasFlow”" in app.texts()


def test_a_failed_re_run_is_red_with_its_reason_and_the_good_version_stays(scripted_app) -> None:
    from assistant.errors import AuthError
    from assistant.providers.scripted import ScriptedReply
    from ui import widgets

    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    good = app.draft("playbook").text
    refused = ScriptedReply(chunks=["x"], fault=AuthError("The key was refused (401); check it."), fault_after=0)
    app.at.session_state["provider_override"] = ScriptedProvider([], default=refused)  # as a revoked key would be
    app.click("run__playbook")
    draft = app.draft("playbook")
    assert (draft.status, draft.text, draft.version) == ("failed", good, 1)
    assert widgets.display_status(draft) == "failed"
    assert any("(401)" in e.value and "v1 stays the current draft" in e.value for e in app.at.error)
