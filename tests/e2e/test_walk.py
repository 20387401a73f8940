"""An ops lead's afternoon in one browser session: every page with real data, each state checked.

The example company; the offline chain; an edit that puts the later steps out of date and the
button that brings them back; a re-run a server refuses with 401 (the current draft stays); a
repair of a draft missing a section; Resume from History; a name, a label and a search; the
Validate page; a calibration fed back into the playbook; the Dashboard; the levels diagram; and
the same token figures on the step card and on History. No page may ever show an exception box.
Screenshots of every page go to ``tests/e2e/artifacts/walk-*.png``.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from fake_openai import Unauthorized  # tests/e2e/fake_openai.py
from playwright.sync_api import expect
from test_browser import button, commit, go, load_example, open_app, sample_history, settle, use_local_server  # tests/e2e/test_browser.py

pytestmark = pytest.mark.e2e

ANSWERS = Path(__file__).resolve().parents[1] / "data" / "answers"
EXCEPTION = "[data-testid='stException']"
STEPS = ("playbook", "runbooks", "training")
PLAYBOOK = "Generate the Full Escalation Playbook"
SLOW = 60_000
#: the figures a card and History give for a step: "1,625 in / 10,404 out"
TOKENS = re.compile(r"([\d,]+) in / ([\d,]+) out")


# --- helpers -------------------------------------------------------------------------------------


def no_exception(page) -> None:
    boxes = page.locator(EXCEPTION)
    assert boxes.count() == 0, boxes.first.inner_text()


def calm(page, timeout: float = 30_000) -> None:
    """The script run is over and it drew no exception box."""
    settle(page, timeout)
    no_exception(page)


def enter(page, field, value: str) -> None:
    """Type and commit a value; the run it starts draws no exception box."""
    commit(page, field, value)
    no_exception(page)


def visit(page, link: str, heading: str) -> None:
    go(page, link, heading)
    calm(page)


def snapshot(page, folder: Path, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main column, so the window grows to fit it for the picture."""
    bottom = "c => c.getBoundingClientRect().bottom + c.closest('[data-testid=stMain]').scrollTop + 40"
    height = round(page.get_by_test_id("stMainBlockContainer").evaluate(bottom))
    page.set_viewport_size({"width": 1400, "height": min(max(height, 1000), 9000)})
    page.wait_for_timeout(400)
    page.screenshot(path=folder / f"walk-{name}.png")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.wait_for_timeout(200)


def card(page, step: str):
    return page.locator(f".st-key-card__{step}")


def badge(page, step: str):
    """The status badge under a card's title."""
    return card(page, step).locator(".stMarkdownBadge").first


def edit(page, step: str, change) -> None:
    """Rewrite a step's draft in its Edit tab and commit it with Ctrl+Enter."""
    card(page, step).get_by_role("tab", name="Edit").click()
    box = card(page, step).get_by_role("textbox", name="Edit the draft (Markdown)")
    enter(page, box, change(box.input_value()))


def history_rows(page) -> list[dict[str, str]]:
    """The History table's rows by column name, as a screen reader gets them (the grid draws its
    cells for assistive technology once it has the focus)."""
    page.get_by_test_id("data-grid-canvas").focus()
    rows = page.locator("table[role='grid'] tbody tr")
    rows.first.wait_for(state="attached")
    headers = [h.strip() for h in page.locator("table[role='grid'] thead th").all_inner_texts()]
    return [dict(zip(headers, row.locator("td").all_inner_texts())) for row in rows.all()]


def tokens(text: str) -> tuple[int, int]:
    found = TOKENS.search(text)
    assert found, text
    return int(found.group(1).replace(",", "")), int(found.group(2).replace(",", ""))


# --- the walk, page by page ------------------------------------------------------------------------


def _organisation_and_chain(page, url: str, shots: Path) -> None:
    open_app(page, url)
    load_example(page)
    calm(page)
    assert page.get_by_role("textbox", name="Company name *").input_value() == "AtlasFlow"
    snapshot(page, shots, "organisation")

    visit(page, "Chain", "Escalation Procedure chain")
    button(page, "run_all").click()
    for step in STEPS:
        expect(card(page, step)).to_contain_text(re.compile(r"all \d+ required sections present"), timeout=SLOW)
    calm(page)
    for step in STEPS:
        expect(badge(page, step)).to_contain_text("done")
        expect(card(page, step)).to_contain_text("v1 · offline draft")
        sections = int(re.search(r"all (\d+) required", card(page, step).inner_text()).group(1))
        checklist = card(page, step).get_by_role("tabpanel")  # the Checklist tab, open first
        expect(checklist.get_by_role("img", name="check_circle icon")).to_have_count(sections)
        expect(checklist.get_by_role("img", name=re.compile("^(cancel|incomplete_circle) icon$"))).to_have_count(0)
    snapshot(page, shots, "chain")


def _edit_then_rerun_out_of_date(page, shots: Path) -> None:
    edit(page, "playbook", lambda text: text + "\n\nReviewed by the support lead on Monday.\n")
    expect(card(page, "playbook")).to_contain_text("v2 · edited by hand")
    for step in ("runbooks", "training"):
        expect(badge(page, step)).to_contain_text("out of date")
        expect(card(page, step)).to_contain_text(f"Out of date: written from {PLAYBOOK} v1; it is now v2")
    rerun = button(page, "run_stale")
    expect(rerun).to_have_text(re.compile(r"Re-run out-of-date steps \(2\)$"))
    snapshot(page, shots, "chain-out-of-date")
    rerun.click()
    for step in ("runbooks", "training"):
        expect(card(page, step)).to_contain_text(f"v2 · offline draft, from {PLAYBOOK} v2", timeout=SLOW)
    calm(page)
    for step in STEPS:
        expect(badge(page, step)).to_contain_text("done")
        expect(card(page, step)).not_to_contain_text("Out of date")
    expect(card(page, "training")).to_contain_text("from Generate the Full Escalation Playbook v2, Create Role-Based Runbooks v2")
    expect(page.locator(".st-key-run_stale")).to_have_count(0)

    playbook = card(page, "playbook")
    playbook.get_by_role("tab", name="Versions (2)").click()
    versions = playbook.get_by_role("tabpanel").filter(has_text="line(s) added")
    expect(versions.get_by_role("combobox", name="Compare")).to_have_value(re.compile(r"^v1 · offline draft"))
    expect(versions.get_by_role("combobox", name="with")).to_have_value(re.compile(r"^v2 · edited by hand"))
    expect(versions).to_contain_text("3 line(s) added, 0 removed.")


def _refused_rerun(page, shots: Path) -> None:
    """A key the server refuses: the step reads failed, v2 stays current, nothing after it goes stale."""
    with Unauthorized() as server:
        sidebar = use_local_server(page, "gpt-4.1-mini", server.base_url)
        enter(page, sidebar.get_by_role("textbox", name="OpenAI API key"), "sk-revoked-walk")
        button(page, "run__playbook").click()
        expect(badge(page, "playbook")).to_contain_text("failed", timeout=SLOW)
        calm(page)
    assert server.requests == [("/v1/chat/completions", "Bearer sk-revoked-walk")]  # auth errors are never retried
    red, green, blue = map(int, re.findall(r"\d+", badge(page, "playbook").evaluate("b => getComputedStyle(b).color"))[:3])
    assert red > 2 * max(green, blue), (red, green, blue)
    error = card(page, "playbook").get_by_role("alert").filter(has_text="HTTP 401")
    expect(error).to_contain_text(f"The server at {server.base_url} rejected the API key (HTTP 401)")
    expect(error).to_contain_text("v2 stays the current draft")
    expect(card(page, "playbook")).to_contain_text("v2 · edited by hand")
    for step in ("runbooks", "training"):
        expect(badge(page, step)).to_contain_text("done")
        expect(card(page, step)).not_to_contain_text("Out of date")
    snapshot(page, shots, "chain-refused")

    sidebar.get_by_role("combobox", name="Provider").click()
    page.get_by_role("option", name="Offline drafts (no model)").click()
    calm(page)
    expect(sidebar).to_contain_text("Producing offline drafts")


def _repair(page, shots: Path) -> None:
    """The training draft loses a section by hand; Repair asks only for it and merges it back."""

    def drop_coaching(text: str) -> str:
        start = text.index("## 5. Coaching templates")
        return text[:start] + text[text.index("## 6. ", start) :]

    edit(page, "training", drop_coaching)
    training = card(page, "training")
    expect(training).to_contain_text("5 of 6 sections present, 1 missing")
    expect(badge(page, "training")).to_contain_text("needs attention")
    repair = button(page, "repair__training")
    expect(repair).to_have_text(re.compile(r"Repair: 1 missing$"))
    repair.click()
    expect(training).to_contain_text("all 6 required sections present", timeout=SLOW)
    calm(page)
    expect(badge(page, "training")).to_contain_text("done")
    expect(training).to_contain_text("v4 · repaired by offline draft")
    training.get_by_role("tab", name="Versions (4)").click()
    versions = training.get_by_role("tabpanel").filter(has_text="line(s) added")
    expect(versions.get_by_role("combobox", name="Compare")).to_have_value(re.compile(r"^v3 · edited by hand"))
    expect(versions.get_by_role("combobox", name="with")).to_have_value(re.compile(r"^v4 · repaired by offline draft"))
    training.get_by_role("tab", name="Draft").click()
    expect(training.get_by_role("heading", name=re.compile("Coaching templates"))).to_be_visible()
    snapshot(page, shots, "chain-repaired")


def _resume(page, shots: Path, data_dir: Path) -> None:
    """History lists one set whose playbook attempt failed; Resume re-runs only that step, offline."""
    visit(page, "History", "Run history")
    rows = history_rows(page)
    assert len(rows) == 1, rows  # one run is one document set, whatever was re-run, edited or repaired
    name, status, steps = (rows[0][column] for column in ("Document set", "Status", "Steps"))
    assert name == "Escalation Procedure — AtlasFlow" and status == "✗ failed"
    assert steps == f"✗ {PLAYBOOK}, ✓ Create Role-Based Runbooks, ✓ Build a Training + QA Program"
    expect(page.get_by_role("alert").filter(has_text="rejected the API key (HTTP 401)")).to_be_visible()
    with sqlite3.connect(data_dir / "history.db") as db:
        assert db.execute("select count(*) from runs").fetchone() == (1,)
    snapshot(page, shots, "history-failed")

    resume = button(page, "history_resume")
    expect(resume).to_be_enabled()
    resume.click()
    page.get_by_role("heading", name="Escalation Procedure chain").wait_for()
    expect(card(page, "playbook")).to_contain_text("v3 · offline draft", timeout=SLOW)
    calm(page)
    expect(page.locator(".stMarkdownBadge").filter(has_text="failed")).to_have_count(0)
    expect(badge(page, "playbook")).to_contain_text("done")
    # only the unfinished step ran: the others keep their versions (and now read an older playbook)
    expect(card(page, "runbooks")).to_contain_text("v2 · offline draft")
    expect(card(page, "training")).to_contain_text("v4 · repaired by offline draft")
    expect(card(page, "runbooks")).to_contain_text(f"Out of date: written from {PLAYBOOK} v2; it is now v3")


def _name_label_search(page, shots: Path) -> None:
    visit(page, "History", "Run history")
    enter(page, page.get_by_role("textbox", name="Name"), "AtlasFlow escalation set for the Q3 review")
    labels = page.get_by_role("combobox", name="Labels")
    labels.click()
    labels.press_sequentially("q3-review")
    labels.press("Enter")
    labels.press("Escape")
    calm(page)
    assert history_rows(page)[0]["Document set"] == "AtlasFlow escalation set for the Q3 review"
    assert history_rows(page)[0]["Labels"] == "q3-review"
    expect(page.get_by_test_id("stMain")).to_contain_text(f"✓ {PLAYBOOK} — v3 of 3 · offline draft · done")

    search = page.get_by_role("textbox", name="Search")
    enter(page, search, "q3-review")
    assert [row["Document set"] for row in history_rows(page)] == ["AtlasFlow escalation set for the Q3 review"]
    snapshot(page, shots, "history")
    enter(page, search, "no-such-set-xyzzy")
    expect(page.get_by_text("No document set matches.")).to_be_visible()
    assert page.get_by_test_id("stDataFrame").count() == 0
    enter(page, search, "")


def _validate(page, shots: Path, downloads: Path) -> None:
    """A complete answer passes; the same answer with a section left at "TBD" names it missing."""
    complete = (ANSWERS / "pb_atlasflow_complete.md").read_text(encoding="utf-8")
    section = complete[complete.index("## 7) Resolution & Handoff") : complete.index("## 8)")]
    emptied = complete.replace(section, "## 7) Resolution & Handoff\n\nTBD\n\n")
    visit(page, "Check or audit", "Check or audit a document")
    expect(page.get_by_role("combobox", name="Checklist")).to_have_value(f"Escalation Procedure — {PLAYBOOK}")
    box = page.get_by_role("textbox", name="Document or answer (Markdown)")
    for text in (complete, emptied):
        enter(page, box, text)
        button(page, "validate_run").click()
        calm(page)
        if text is complete:
            expect(page.get_by_text("Every required section is present with all its items")).to_be_visible()
            main = page.get_by_test_id("stMain")
            expect(main.get_by_role("img", name="check_circle icon")).to_have_count(11)
            expect(main.get_by_role("img", name=re.compile("^(cancel|incomplete_circle) icon$"))).to_have_count(0)
    expect(page.get_by_text("Needs attention: 10 of 11 sections present, 1 missing.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Resolution & Handoff \(line 240\) — missing: only an empty heading"))).to_be_visible()
    with page.expect_download() as download:
        button(page, "validate_report_json").click()
    saved = downloads / download.value.suggested_filename
    download.value.save_as(saved)
    report = json.loads(saved.read_text(encoding="utf-8"))
    assert saved.name == "validation-report.json"
    assert report["ok"] is False and report["missing"] == ["resolution_closure"]
    assert {s["id"]: s["status"] for s in report["sections"]}["resolution_closure"] == "missing"
    snapshot(page, shots, "validate")


def _calibration_into_the_playbook(page, shots: Path) -> None:
    visit(page, "Calibration", "Calibrate escalation triggers")
    sample_history(page, 5000)
    calm(page)
    expect(page.get_by_text("Using sample-5000.parquet.")).to_be_visible()
    expect(page.get_by_role("heading", name="Suggested changes")).to_be_visible()
    expect(page.get_by_text(re.compile(r"escalation policy · source: variables\."))).to_be_visible()
    button(page, "cal_apply").click()
    calm(page, SLOW)
    expect(page.get_by_text(re.compile(r"escalation policy · source: calibrated\."))).to_be_visible()  # counted again
    button(page, "cal_add_appendix").click()
    calm(page)
    snapshot(page, shots, "calibration")

    visit(page, "Chain", "Escalation Procedure chain")
    playbook = card(page, "playbook")
    expect(playbook).to_contain_text("v4 · Calibration appendix added")
    expect(playbook.get_by_role("tab", name="Versions (4)")).to_be_visible()
    playbook.get_by_role("tab", name="Draft").click()
    expect(playbook.get_by_role("heading", name="Calibration", exact=True)).to_be_visible()


def _dashboard_and_levels(page, shots: Path) -> None:
    visit(page, "Dashboard", "Escalation metrics")
    page.get_by_test_id("stVegaLiteChart").first.wait_for(timeout=SLOW)
    calm(page, SLOW)
    expect(page.get_by_test_id("stMetric")).to_have_count(4)
    expect(page.get_by_test_id("stMetric").first).to_contain_text("5,000")
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(7)
    snapshot(page, shots, "dashboard")

    visit(page, "Escalation levels", "Escalation levels")
    image = page.get_by_test_id("stImage").locator("img").first
    page.wait_for_function("i => i.complete && i.naturalWidth > 600", arg=image.element_handle())
    assert "L3 Incident Command" in image.get_attribute("alt")
    expect(page.get_by_role("radio", name="From the playbook draft")).to_be_checked()
    snapshot(page, shots, "levels")


def _figures_agree(page) -> None:
    """The step card and History count the same tokens for the playbook (every attempt and repair)."""
    visit(page, "Chain", "Escalation Procedure chain")
    on_card = tokens(card(page, "playbook").get_by_text(re.compile(r"^v4 · .* tokens")).inner_text())
    visit(page, "History", "Run history")
    line = page.get_by_role("listitem").filter(has_text=f"{PLAYBOOK} — v4 of 4")
    on_history = tokens(line.inner_text())
    assert on_card == on_history and on_card[1] > 0, (on_card, on_history)


def test_an_ops_lead_walks_every_page_with_data(page, server, artifacts: Path, tmp_path: Path) -> None:
    _organisation_and_chain(page, server.url, artifacts)
    _edit_then_rerun_out_of_date(page, artifacts)
    _refused_rerun(page, artifacts)
    _repair(page, artifacts)
    _resume(page, artifacts, server.data_dir)
    _name_label_search(page, artifacts)
    _validate(page, artifacts, tmp_path)
    _calibration_into_the_playbook(page, artifacts)
    _dashboard_and_levels(page, artifacts)
    _figures_agree(page)
