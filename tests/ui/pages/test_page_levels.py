"""The escalation levels page: the diagram, its SVG/PNG/DOT downloads, and the lists under it."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SVG = "{http://www.w3.org/2000/svg}"
SVG_DATA = "data:image/svg+xml;base64,"


def _dot(app) -> str:
    """The diagram's DOT text, as the page shows it to copy (the code block drops the final newline)."""
    return next(block.value for block in app.at.code if block.language == "dot") + "\n"


def _picture(app) -> bytes:
    """The SVG drawn on the page (an image, so the app's styles cannot change its text)."""
    images = app.at.get("image")
    assert images, "no diagram drawn"
    url = images[0].proto.imgs[0].url
    assert url.startswith(SVG_DATA)
    return base64.b64decode(url[len(SVG_DATA) :])


def test_without_a_draft_it_draws_the_pack_levels_with_the_profile(app) -> None:
    app.load_example().page("levels")
    dot = _dot(app)
    assert "<B>L0</B>" in dot and "<B>Standard Support</B>" in dot and "<B>Executive Escalation</B>" in dot
    assert "TRIGGERS BY STARTING LEVEL" in dot and "Triggers starting at L3" in dot and "Security incident" in dot
    assert "Hours:\u00a0</FONT>24/7 for Enterprise P1" in dot
    assert app.at.radio(key="levels_source").value == "manifest"


def test_with_a_playbook_it_draws_the_drafts_levels_severities_and_routing(scripted_app) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    app.page("levels")
    assert app.at.radio(key="levels_source").value == "draft"
    dot = _dot(app)
    assert "Lead:\u00a0</FONT>Frontline agent" in dot
    assert "Lead:\u00a0</FONT>Incident Commander (IC)<BR/>" in dot and "Starts here:\u00a0</FONT>P1" in dot
    assert "Paged at L3" in dot and "→ Platform on-call" in dot and "Ack:\u00a0</FONT>15 min (24/7)" in dot
    assert "AtlasFlow: escalation levels" in dot
    app.at.radio(key="levels_source").set_value("manifest").run()
    assert "Frontline agent" not in _dot(app)


def test_the_lists_under_the_diagram_are_whole_and_grouped_by_level(scripted_app) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    app.page("levels")
    texts = app.texts()
    assert "…" not in texts
    assert "Intent to terminate within 30 days AND ARR > \\$50K; public complaint by influencer/journalist; legal or regulatory threat" in texts
    routes = next(m.value for m in app.at.markdown if "Paged at L2" in m.value)
    assert routes.index("Paged at L2") < routes.index("Billing dispute > \\$5K") < routes.index("Paged at L3")
    assert routes.index("Paged at L3") < routes.index("Platform outage / P1 → Platform on-call (ack 15 min (24/7))")


def test_the_diagram_downloads_as_svg_png_and_dot(scripted_app, downloads) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    app.page("levels")
    buttons = {b.key: b for b in app.at.download_button}
    assert list(buttons) == ["levels_svg", "levels_png", "levels_dot"]
    svg = ET.fromstring(downloads.of(buttons["levels_svg"]))
    texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    for name in ("Standard Support (no escalation)", "Support Lead / Specialist", "Incident Command", "Executive Escalation"):
        assert name in texts
    assert downloads.of(buttons["levels_svg"]) == _picture(app)  # what you see is what you save
    assert downloads.of(buttons["levels_png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert downloads.of(buttons["levels_dot"]).decode("utf-8") == _dot(app)
    names = [downloads.name_of(b) for b in buttons.values()]
    assert names == ["atlasflow-escalation-levels.svg", "atlasflow-escalation-levels.png", "atlasflow-escalation-levels.dot"]


def test_without_graphviz_the_page_says_so_and_keeps_the_dot_download(
    app, downloads, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app.load_example()
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot program on the path
    app.page("levels")
    charts = app.at.get("graphviz_chart")
    assert charts and charts[0].proto.spec == _dot(app)  # the browser still draws the diagram
    assert not app.at.get("image")
    warning = " ".join(w.value for w in app.at.warning)
    assert "dot program is not installed" in warning and "apt-get install graphviz" in warning
    assert [b.key for b in app.at.download_button] == ["levels_dot"]
    assert downloads.of(app.at.download_button(key="levels_dot")).decode("utf-8") == _dot(app)


def test_a_pack_without_levels_says_so(app) -> None:
    app.at.selectbox(key="pack_picker").set_value("customer-escalation-procedures").run()
    app.page("levels")
    assert any("defines no escalation levels" in i.value for i in app.at.info)
