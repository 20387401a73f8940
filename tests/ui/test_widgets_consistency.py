"""The consistency panel lists each conflict of the session's drafts with both locations."""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from consistency_documents import PLAYBOOK, RUNBOOK_OK, TRAINING_OK

SCRIPT = """
import sys
sys.path.insert(0, {root!r})
import streamlit as st
from ui.widgets_consistency import consistency_panel
consistency_panel(st.session_state["ws"])
"""


def run(tmp_path: Path, runbook: str) -> AppTest:
    from ui.state import Workspace

    script = tmp_path / "panel.py"
    script.write_text(SCRIPT.format(root=str(ROOT)), encoding="utf-8")
    at = AppTest.from_file(str(script), default_timeout=30)
    ws = Workspace(pack="escalation-procedure")
    for step, text in (("playbook", PLAYBOOK), ("runbooks", runbook), ("training", TRAINING_OK)):
        ws.draft(step).text = text
    at.session_state["ws"] = ws
    return at.run()


def test_conflicts_are_listed_with_both_locations(tmp_path: Path) -> None:
    at = run(tmp_path, RUNBOOK_OK.replace("Level 3 every 30 minutes", "Level 3 every 60 minutes"))
    assert not at.exception
    assert "1 conflict(s)" in at.warning[0].value
    assert "Level 3 update cadence" in at.markdown[0].value
    captions = [c.value for c in at.caption]
    assert any(c.startswith("playbook, line ") for c in captions) and any(
        c.startswith("runbooks, line ") for c in captions
    )


def test_consistent_drafts_say_so(tmp_path: Path) -> None:
    at = run(tmp_path, RUNBOOK_OK)
    assert not at.exception and "No conflicts across playbook, runbooks, training" in at.success[0].value
