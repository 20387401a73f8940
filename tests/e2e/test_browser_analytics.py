"""The analytics pages in a real browser: a sample history on Calibration, then the Dashboard.

Streamlit re-writes every bare expression statement of a page script to the page ("magic"),
which AppTest does not do; only a browser shows what that breaks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser import button, go, load_example, open_app, sample_history, settle  # tests/e2e/test_browser.py

pytestmark = pytest.mark.e2e

EXCEPTION = "[data-testid='stException']"


def test_calibration_and_dashboard_with_a_sample_history(page, server, artifacts: Path) -> None:
    open_app(page, server.url)
    load_example(page)
    go(page, "Chain", "Escalation Procedure chain")
    button(page, "run__playbook").click()
    expect(page.locator(".st-key-card__playbook")).to_contain_text("required sections present", timeout=60_000)
    settle(page)
    go(page, "Calibration", "Calibrate escalation triggers")
    sample_history(page, 5000)  # a history whose suggestions include a threshold change (so "Apply and re-run" shows)
    page.screenshot(path=artifacts / "calibration.png", full_page=True)

    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    expect(page.get_by_role("heading", name="Suggested changes")).to_be_visible()
    expect(button(page, "cal_apply")).to_be_visible()
    expect(page.get_by_role("heading", name="Feed it back into the playbook")).to_be_visible()
    expect(page.get_by_text("Calibration appendix (Markdown)")).to_be_visible()
    expect(button(page, "cal_add_appendix")).to_be_visible()

    go(page, "Dashboard", "Escalation metrics")
    page.locator("[data-testid='stMetric']").first.wait_for(timeout=90_000)
    settle(page, timeout=90_000)
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    expect(page.get_by_text("Escalated", exact=True)).to_be_visible()
    expect(button(page, "dash_download_html")).to_be_visible()
