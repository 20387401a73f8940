"""Levels and routing read from a playbook draft or a pack's manifest, drawn as DOT."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.analytics.levels import dot_string, levels_from_draft, levels_from_manifest, to_dot
from assistant.packs import prepare_variables

ANSWERS = Path(__file__).resolve().parents[1] / "data" / "answers"


@pytest.mark.parametrize("answer", sorted(p.name for p in ANSWERS.glob("pb_*.md")))
def test_every_fixture_playbook_parses_or_falls_back(answer: str, procedure) -> None:
    level_map = levels_from_draft((ANSWERS / answer).read_text(encoding="utf-8"), procedure)
    if level_map is not None:
        assert len(level_map.levels) >= 2
        assert [lv.number for lv in level_map.levels] == sorted(lv.number for lv in level_map.levels)
        assert to_dot(level_map).startswith("digraph escalation {")


def test_the_complete_atlasflow_playbook(procedure) -> None:
    level_map = levels_from_draft((ANSWERS / "pb_atlasflow_complete.md").read_text(encoding="utf-8"), procedure)
    assert [lv.key for lv in level_map.levels] == ["L0", "L1", "L2", "L3", "L4"]
    assert level_map.levels[3].name == "Incident Command"
    assert level_map.levels[3].lead == "Incident Commander (IC)"
    assert level_map.severities == {"P1": 3, "P2": 2, "P3": 1, "P4": 0}
    assert (level_map.routes[0].team, level_map.routes[0].ack) == ("Platform on-call", "15 min (24/7)")


def test_labels_are_data(procedure) -> None:
    values = dict(procedure.example, support_hours='24/7"] ; evil [label="x', systems_used="C:\\tools <script>")
    level_map = levels_from_manifest(procedure, prepare_variables(procedure, values))
    dot = to_dot(level_map, title='A "quoted" title')
    assert 'label="A \\"quoted\\" title"' in dot
    assert '24/7\\"] ; evil [label=\\"x' in dot
    assert "C:\\\\tools <script>" in dot
    assert dot_string("a\nb") == '"a\\nb"'
