"""The Escalation levels page in a real browser: the example company's ladder, then the offline draft's.

The diagram is dot's own SVG shown as an image; the page offers it as SVG, PNG and DOT. Each
download is fetched through Chromium and read back.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser import button, go, load_example, open_app, settle  # tests/e2e/test_browser.py

pytestmark = pytest.mark.e2e

EXCEPTION = "[data-testid='stException']"
SVG = "{http://www.w3.org/2000/svg}"


def _diagram(page):
    """The diagram image, once the browser has decoded it."""
    image = page.get_by_test_id("stImage").locator("img").first
    image.wait_for()
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=image.element_handle())
    return image


def _download(page, key: str, folder: Path) -> Path:
    with page.expect_download() as download:
        button(page, key).click()
    saved = folder / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def _svg_text(path: Path) -> str:
    return " ".join(t.text or "" for t in ET.parse(path).getroot().iter(f"{SVG}text"))


def test_levels_from_the_profile_then_from_the_offline_draft(page, server, artifacts: Path, tmp_path: Path) -> None:
    open_app(page, server.url)
    load_example(page)
    go(page, "Escalation levels", "Escalation levels")
    image = _diagram(page)
    assert page.locator(EXCEPTION).count() == 0
    assert "L3 Incident Command" in image.get_attribute("alt")
    width, shown = image.evaluate("i => [i.naturalWidth, i.getBoundingClientRect().width]")
    assert width > 600 and shown > 600  # drawn at a readable size, not a thumbnail
    image.screenshot(path=artifacts / "levels_profile.png")
    svg = _download(page, "levels_svg", tmp_path)
    assert svg.name == "atlasflow-escalation-levels.svg"
    assert "Triggers starting at L3" in _svg_text(svg) and "Security incident" in _svg_text(svg)
    assert _download(page, "levels_png", tmp_path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _download(page, "levels_dot", tmp_path).read_text(encoding="utf-8").startswith("digraph escalation {")

    go(page, "Chain", "Escalation Procedure chain")
    button(page, "run__playbook").click()
    expect(page.locator(".st-key-card__playbook")).to_contain_text("required sections present", timeout=60_000)
    settle(page)
    go(page, "Escalation levels", "Escalation levels")
    expect(page.get_by_role("radio", name="From the playbook draft")).to_be_checked()
    image = _diagram(page)
    assert page.locator(EXCEPTION).count() == 0
    assert "L2 Cross-functional (Engineering / Product / Billing)" in image.get_attribute("alt")
    image.screenshot(path=artifacts / "levels_draft.png")
    text = _svg_text(_download(page, "levels_svg", tmp_path))
    assert "Read from the playbook draft" in text and "Paged at L3" in text and "Security on-call" in text
    assert "…" not in text
    assert page.get_by_text("Who gets paged", exact=True).is_visible()  # the list under the diagram
