"""The HTML export opened in Debian's Chromium: the contents links land on their headings, in order."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.api import ExportDocument
from assistant.export import export

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if shutil.which("chromium") is None:
        pytest.skip("Debian Chromium is not installed: run `make system-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def opened(chromium, offline_document: ExportDocument, tmp_path: Path) -> Iterator[object]:
    path = export(offline_document, "html", tmp_path / "set.html")
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    page.goto(path.as_uri())
    try:
        yield page
    finally:
        page.close()


def test_every_contents_link_lands_on_its_heading_and_they_come_in_document_order(opened) -> None:
    report = opened.evaluate(
        """() => {
            const links = [...document.querySelectorAll('nav.toc a')];
            const targets = links.map(a => document.getElementById(a.getAttribute('href').slice(1)));
            const ordered = targets.every((t, i) => i === 0 ||
                (targets[i - 1].compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING));
            const listed = [...document.querySelectorAll('section.step :is(h2, h3, h4)')];
            const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
            return {
                links: links.length,
                missing: targets.filter(t => t === null).length,
                mismatched: links.filter((a, i) => targets[i] && targets[i].textContent.trim() !== a.textContent.trim()).length,
                notHeadings: targets.filter(t => t && !/^H[2-4]$/.test(t.tagName)).length,
                ordered, headings: listed.length, unique: new Set(ids).size === ids.length,
                first: links[0].textContent, last: links[links.length - 1].textContent,
            };
        }"""
    )
    assert report["links"] > 60 and report["missing"] == 0 and report["mismatched"] == 0 and report["notHeadings"] == 0
    assert report["ordered"] and report["unique"]
    assert report["links"] == report["headings"]  # every h2-h4 of the set is listed, nothing else
    assert report["first"] == "Escalation Playbook" and report["last"] == "Checklist appendix"


def test_clicking_a_repeated_heading_goes_to_that_runbook_not_the_first_one(opened) -> None:
    links = opened.locator("nav.toc a", has_text="First hour")
    assert links.count() == 4
    third = links.nth(2)
    href = third.get_attribute("href")
    assert href == "#first-hour-3"
    third.click()
    assert opened.evaluate("() => location.hash") == href
    target = opened.locator(href)
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 40  # scrolled to the top of the window
    previous_runbook = opened.evaluate(
        f"""() => {{
            let node = document.querySelector('{href}');
            while (node && node.tagName !== 'H3') node = node.previousElementSibling;
            return node && node.textContent;
        }}"""
    )
    assert previous_runbook == "Comms Lead runbook"


def test_the_offline_banner_is_on_the_first_screen_above_the_contents_and_steps_follow_the_chain(opened) -> None:
    banner = opened.locator(".notice.offline")
    assert banner.is_visible() and banner.inner_text().startswith("Offline draft: composed from your inputs")
    assert banner.bounding_box()["y"] < opened.locator("nav.toc").bounding_box()["y"] < 900
    sections = opened.evaluate(
        "() => [...document.querySelectorAll('section.step')].map(s => [s.id, s.firstElementChild.tagName, s.firstElementChild.textContent])"
    )
    assert sections == [
        ["step-playbook", "H2", "Escalation Playbook"],
        ["step-runbooks", "H2", "Role Runbooks"],
        ["step-training", "H2", "Training & QA Program"],
        ["", "H2", "Checklist appendix"],
    ]
    assert opened.evaluate("() => document.querySelectorAll('h1').length") == 1
    assert opened.evaluate("() => document.scripts.length") == 0
