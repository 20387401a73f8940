"""The app in a real browser: example -> offline chain -> checklists -> Word and HTML export; streaming, Stop; XSS."""

from __future__ import annotations

import sqlite3
import time
import zipfile
from pathlib import Path

import docx
import pytest
from fake_openai import FakeOpenAI  # tests/e2e/fake_openai.py
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

ANSWERS = Path(__file__).resolve().parents[1] / "data" / "answers"
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
STEPS = ("playbook", "runbooks", "training")


# --- small helpers over Streamlit's DOM ---------------------------------------------------------


#: the script run is over and every element is from it (an older run's elements are drawn faded)
SCRIPT_DONE = "() => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning' && !document.querySelector('[data-stale=true]')"


def settle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the current script run (its toolbar shows no running
    indicator in minimal mode, so the app's own script state is read)."""
    page.wait_for_timeout(250)
    page.wait_for_function(SCRIPT_DONE, timeout=timeout)
    page.wait_for_timeout(250)


def button(page, key: str):
    """The button with Streamlit key ``key`` (Streamlit draws a hidden twin for measuring)."""
    return page.locator(f".st-key-{key}").get_by_role("button").first


def open_app(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Organisation profile").wait_for()
    settle(page)


def go(page, link: str, heading: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
    page.get_by_role("heading", name=heading).wait_for()
    settle(page)


def load_example(page) -> None:
    button(page, "load_example").click()
    page.get_by_text("The profile is complete").wait_for()
    settle(page)


def commit(page, field, value: str) -> None:
    """Type ``value`` into a text field and commit it as a person does: Enter, or Ctrl+Enter in a text area."""
    field.fill(value)
    field.press("Control+Enter" if field.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")
    settle(page)


def sample_history(page, tickets: int = 5000, timeout: float = 90_000) -> None:
    """On Calibration or Dashboard: generate a sample ticket history and wait for what is counted from it."""
    commit(page, page.get_by_role("spinbutton", name="Sample size (tickets)"), str(tickets))
    page.get_by_role("button", name="Generate a sample history").click()
    page.get_by_text(f"{tickets:,} tickets from").wait_for(timeout=timeout)
    settle(page, timeout=timeout)


# --- the tests -------------------------------------------------------------------------------------


def test_example_offline_chain_checklists_and_word_and_html_export(page, server, artifacts: Path) -> None:
    open_app(page, server.url)
    assert page.get_by_text("Producing offline drafts").is_visible()
    load_example(page)
    assert page.get_by_role("textbox", name="Company name *").input_value() == "AtlasFlow"
    page.screenshot(path=artifacts / "organisation.png", full_page=True)

    go(page, "Chain", "Escalation Procedure chain")
    button(page, "run_all").click()
    for step in STEPS:
        expect(page.locator(f".st-key-card__{step}")).to_contain_text("required sections present", timeout=60_000)
    settle(page)
    for step in STEPS:
        card = page.locator(f".st-key-card__{step}")
        checklist = card.get_by_role("tabpanel").first.inner_text()
        # Material icons read as their names: check_circle (present), incomplete_circle, cancel (missing)
        ticks = [line for line in checklist.splitlines() if line.strip().startswith("check_circle")]
        assert ticks, step
        assert "cancel" not in checklist and "incomplete_circle" not in checklist, (step, checklist)
        assert "required sections present" in card.inner_text()
    page.screenshot(path=artifacts / "chain.png", full_page=True)

    with page.expect_download() as download:
        button(page, "export_docx").click()
    saved = artifacts / "export.docx"
    download.value.save_as(saved)
    word = docx.Document(str(saved))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Offline draft" in text and "AtlasFlow" in text
    assert any(p.style.name.startswith("Heading") and "Escalation Levels" in p.text for p in word.paragraphs)
    assert [p.text for p in word.paragraphs if p.style.name == "Heading 1"] == [
        "Escalation Playbook", "Role Runbooks", "Training & QA Program", "Checklist appendix",
    ]
    assert word.core_properties.author == "AtlasFlow"
    with zipfile.ZipFile(saved) as package:
        assert 'TOC \\o "1-3" \\h \\z \\u' in package.read("word/document.xml").decode("utf-8")

    with page.expect_download() as download:
        button(page, "export_html").click()
    exported = artifacts / "export.html"
    download.value.save_as(exported)
    sheet = page.context.new_page()
    sheet.goto(exported.as_uri())
    assert sheet.locator(".notice.offline").inner_text().startswith("Offline draft:")
    first_link = sheet.locator("nav.toc a").first
    assert first_link.inner_text() == "Escalation Playbook"
    first_link.click()
    assert sheet.evaluate("() => document.querySelector(location.hash).textContent") == "Escalation Playbook"
    sheet.screenshot(path=artifacts / "export-html.png")
    sheet.close()

    go(page, "Escalation levels", "Escalation levels")
    assert "L3 Incident Command" in page.get_by_test_id("stImage").locator("img").first.get_attribute("alt")
    page.screenshot(path=artifacts / "levels.png", full_page=True)

    go(page, "Check or audit", "Check or audit a document")
    page.get_by_role("combobox", name="…or check a draft from this session").click()
    page.get_by_role("option", name="Escalation Procedure — Create Role-Based Runbooks").click()
    settle(page)
    button(page, "validate_run").click()
    page.get_by_text("Every required section is present").wait_for()
    page.screenshot(path=artifacts / "validate.png", full_page=True)

    go(page, "History", "Run history")
    assert page.get_by_role("button", name="Reopen").is_visible()
    page.screenshot(path=artifacts / "history.png", full_page=True)
    with sqlite3.connect(server.data_dir / "history.db") as db:
        statuses = db.execute("select status from runs").fetchall()
    assert ("done",) in statuses


def test_validate_names_an_incomplete_section_with_icons_the_app_ships(page, server, artifacts: Path) -> None:
    answer = (ANSWERS / "pb_atlasflow_complete.md").read_text(encoding="utf-8")
    comms = answer[answer.index("## 5)") : answer.index("## 6)")]
    answer = answer.replace(comms, "## 5) Customer Communication Standards\n\nWe keep customers informed, whatever their plan.\n\n")
    open_app(page, server.url)
    go(page, "Check or audit", "Check or audit a document")
    page.get_by_role("combobox", name="Checklist").click()
    page.get_by_role("option", name="Escalation Procedure — Generate the Full Escalation Playbook").click()
    settle(page)
    commit(page, page.get_by_role("textbox", name="Document or answer (Markdown)"), answer)
    button(page, "validate_run").click()
    page.get_by_text("Needs attention: 10 of 11 sections present, 1 incomplete.").wait_for()
    page.get_by_text("Customer Communication Standards (line 127) — incomplete: lacks 5 required items").wait_for()
    assert page.get_by_text("How to communicate uncertainty honestly", exact=True).is_visible()
    # the verdict icons are glyphs of the icon font Streamlit ships, not their names spelled out or empty boxes
    icon = page.get_by_text("incomplete_circle", exact=True).first
    assert icon.evaluate("e => getComputedStyle(e).fontFamily").strip('"') == "Material Symbols Rounded"
    assert icon.bounding_box()["width"] < 30
    assert page.evaluate("() => document.fonts.check('16px \"Material Symbols Rounded\"')")
    page.get_by_text("incomplete_circle", exact=True).first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "validate-incomplete.png")


def test_html_in_a_variable_or_a_draft_never_runs(page, server, artifacts: Path) -> None:
    open_app(page, server.url)
    load_example(page)
    company = page.get_by_role("textbox", name="Company name *")
    company.fill(f"Evil Corp {XSS}")
    company.press("Tab")
    settle(page)
    go(page, "Chain", "Escalation Procedure chain")
    button(page, "run__playbook").click()
    expect(page.locator(".st-key-card__playbook")).to_contain_text("required sections present", timeout=60_000)
    settle(page)
    page.locator(".st-key-card__playbook").get_by_role("tab", name="Draft").click()
    # shown as text, literally ...
    assert page.get_by_text("<script>window.__xss=1</script>", exact=False).count() >= 1
    go(page, "Escalation levels", "Escalation levels")
    go(page, "History", "Run history")
    page.screenshot(path=artifacts / "xss.png", full_page=True)
    # ... and never executed
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0


def use_local_server(page, model: str, base_url: str):
    """Point the sidebar at an OpenAI-compatible server; returns the sidebar."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("combobox").first.click()
    page.get_by_role("option", name="OpenAI or a compatible server").click()
    settle(page)
    for name, value in (("Model", model), ("Base URL (optional)", base_url)):
        commit(page, sidebar.get_by_role("textbox", name=name), value)
    return sidebar


def test_a_local_model_streams_and_stop_keeps_the_text(page, server, artifacts: Path) -> None:
    with FakeOpenAI(delay=0.03) as model:
        open_app(page, server.url)
        load_example(page)
        sidebar = use_local_server(page, "fake-model", model.base_url)
        button(page, "test_connection").click()
        sidebar.get_by_text("Connected to the server").wait_for()

        go(page, "Chain", "Escalation Procedure chain")
        button(page, "run__playbook").click()
        card = page.locator(".st-key-card__playbook")
        card.get_by_text("Escalation Levels & Definitions").first.wait_for()  # streamed, not yet finished
        card.get_by_text("Streaming ·").wait_for()
        page.screenshot(path=artifacts / "streaming.png")
        button(page, "stop_run").click()
        expect(card).to_contain_text("needs attention", timeout=30_000)
        settle(page)
        assert card.get_by_text("Stopped before the end").is_visible()
        assert len(model.requests) == 1
    with sqlite3.connect(server.data_dir / "history.db") as db:
        status, partial = db.execute(
            "select s.status, length(s.text) + length(s.partial_text) from steps s join runs r on r.id = s.run_id "
            "where s.key = 'playbook' order by r.created_at desc limit 1"
        ).fetchone()
    assert status == "cancelled" and partial > 0


def test_closing_the_tab_mid_stream_loses_nothing(browser, server) -> None:
    """The run lives on a worker thread and checkpoints as it streams: the history gets the whole answer."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    with FakeOpenAI(delay=0.01) as model:
        open_app(page, server.url)
        load_example(page)
        use_local_server(page, "fake-model-closed-tab", model.base_url)
        go(page, "Chain", "Escalation Procedure chain")
        button(page, "run__playbook").click()
        page.locator(".st-key-card__playbook").get_by_text("Streaming ·").wait_for()
        context.close()  # the ops lead closes the tab
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            with sqlite3.connect(server.data_dir / "history.db") as db:
                row = db.execute(
                    "select s.status, length(s.text) from steps s join runs r on r.id = s.run_id "
                    "where s.key = 'playbook' and r.model = 'fake-model-closed-tab' order by r.created_at desc limit 1"
                ).fetchone()
            status = row and row[0]
            if status == "done":
                break
            time.sleep(0.5)
    assert status == "done"
    assert row[1] > 10_000
