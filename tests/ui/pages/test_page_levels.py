"""The escalation levels page."""

from __future__ import annotations


def _dot(app) -> str:
    charts = app.at.get("graphviz_chart")
    assert charts, "no diagram drawn"
    return charts[0].proto.spec


def test_without_a_draft_it_draws_the_pack_levels_with_the_profile(app) -> None:
    app.load_example().page("levels")
    dot = _dot(app)
    assert "L0 · Standard Support" in dot and "L4 · Executive Escalation" in dot
    assert "Common escalation triggers" in dot and "security incident" in dot
    assert "Hours: 24/7 for Enterprise P1" in dot
    assert app.at.radio(key="levels_source").value == "manifest"


def test_with_a_playbook_it_draws_the_drafts_levels_severities_and_routing(scripted_app) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    app.page("levels")
    assert app.at.radio(key="levels_source").value == "draft"
    dot = _dot(app)
    assert "Lead: Frontline agent" in dot
    assert "L3 · Incident Command\\nLead: Incident Commander (IC)\\nStarts here: P1" in dot
    assert "Platform on-call" in dot and "ack 15 min (24/7)" in dot
    assert "AtlasFlow: escalation levels" in dot
    app.at.radio(key="levels_source").set_value("manifest").run()
    assert "Lead: Frontline agent" not in _dot(app)


def test_a_pack_without_levels_says_so(app) -> None:
    app.at.selectbox(key="pack_picker").set_value("customer-escalation-procedures").run()
    app.page("levels")
    assert any("defines no escalation levels" in i.value for i in app.at.info)
