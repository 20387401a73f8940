"""Every page with data, checked by axe-core in Chromium: no serious or critical violation.

The pages are filled the way a person fills them (the example company, the offline chain, an
edit that puts later steps out of date, a re-run a server refuses, a report on Validate, a sample
ticket history) so that badges, warnings, errors, tables, charts and the levels diagram are all on
screen when axe looks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from fake_openai import Unauthorized  # tests/e2e/fake_openai.py
from playwright.sync_api import expect
from test_browser import button, commit, go, load_example, open_app, sample_history, settle, use_local_server  # tests/e2e/test_browser.py

pytestmark = pytest.mark.e2e

ANSWERS = Path(__file__).resolve().parents[1] / "data" / "answers"
SEVERE = ("serious", "critical")
#: (rule, node) pairs in Streamlit's own markup, which the app cannot change; only these pairs are
#: let through, the same rule elsewhere and every other rule on these nodes still count:
#: - st.toast draws role="alertdialog" with aria-labelledby naming an id that is not in the page
#:   (Streamlit 1.67), so the toast has no accessible name. Its text is still read: it is inside.
STREAMLIT_OWN = {("aria-dialog-name", ".stToast")}


def _where(node: dict) -> str:
    return " ".join(map(str, node["target"]))


def severe_violations(page) -> list[str]:
    """Serious and critical axe violations on the page: the rule, then each node's target and what is wrong."""
    found = []
    for violation in Axe().run(page).response["violations"]:
        nodes = [n for n in violation["nodes"] if (violation["id"], _where(n)) not in STREAMLIT_OWN]
        if violation["impact"] in SEVERE and nodes:
            found.append(f"{violation['impact']} {violation['id']} ({violation['help']}):")
            found += [f"  {_where(n)} {n['html'][:160]} — {n['failureSummary'].splitlines()[-1].strip()}" for n in nodes]
    return found


def test_no_serious_or_critical_violation_on_any_page_with_data(page, server) -> None:
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        settle(page)
        assert page.locator("[data-testid='stException']").count() == 0
        if found := severe_violations(page):
            problems[name] = found

    open_app(page, server.url)
    load_example(page)
    check("Organisation")

    go(page, "Chain", "Escalation Procedure chain")
    button(page, "run_all").click()
    expect(page.locator(".st-key-card__training")).to_contain_text("required sections present", timeout=60_000)
    settle(page)
    playbook = page.locator(".st-key-card__playbook")
    playbook.get_by_role("tab", name="Edit").click()
    editor = playbook.get_by_role("textbox", name="Edit the draft (Markdown)")
    commit(page, editor, editor.input_value() + "\n\nReviewed.\n")
    training = page.locator(".st-key-card__training")
    expect(training).to_contain_text("Out of date")
    playbook.get_by_role("tab", name="Versions (2)").click()  # the diff of the edit
    training.get_by_role("tab", name="Draft").click()  # a draft as it reads
    check("Chain (drafts, one out of date, a diff)")
    with Unauthorized() as refusing:
        sidebar = use_local_server(page, "gpt-4.1-mini", refusing.base_url)
        commit(page, sidebar.get_by_role("textbox", name="OpenAI API key"), "sk-refused")
        button(page, "run__playbook").click()
        expect(playbook.get_by_role("alert").filter(has_text="HTTP 401")).to_be_visible(timeout=60_000)
        check("Chain (a refused re-run; the sidebar on a server)")
    sidebar.get_by_role("combobox", name="Provider").click()
    page.get_by_role("option", name="Offline drafts (no model)").click()

    go(page, "Escalation levels", "Escalation levels")
    page.get_by_test_id("stImage").locator("img").first.wait_for()
    check("Escalation levels")

    answer = (ANSWERS / "pb_atlasflow_complete.md").read_text(encoding="utf-8")
    go(page, "Check or audit", "Check or audit a document")
    emptied = answer.replace(answer[answer.index("## 7)") : answer.index("## 8)")], "## 7) Resolution\n\nTBD\n\n")
    commit(page, page.get_by_role("textbox", name="Document or answer (Markdown)"), emptied)
    button(page, "validate_run").click()
    page.get_by_text("Needs attention").wait_for()
    check("Validate (a report)")

    go(page, "Calibration", "Calibrate escalation triggers")
    sample_history(page, 5000)
    page.get_by_role("heading", name="Suggested changes").wait_for()
    check("Calibration (sample)")

    go(page, "Dashboard", "Escalation metrics")
    page.get_by_test_id("stVegaLiteChart").first.wait_for(timeout=60_000)
    check("Dashboard (sample)")

    go(page, "History", "Run history")
    page.get_by_role("button", name="Reopen").wait_for()
    check("History (a set)")

    assert not problems, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items())
