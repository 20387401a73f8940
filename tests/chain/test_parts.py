"""Fan-out parts joined into one document in manifest order."""

from __future__ import annotations

from assistant.chain.parts import join_parts
from assistant.packs import Pack


def test_join_adds_a_heading_only_when_a_part_lacks_one(procedure: Pack) -> None:
    parts = procedure.fan_out_parts["runbooks"][:2]
    joined = join_parts(parts, {"escalation_owner": "# Escalation Owner runbook\n\nSteps.", "incident_commander": "Steps only."})
    assert joined.count("# Escalation Owner") == 1
    assert "# Incident Commander\n\nSteps only." in joined
