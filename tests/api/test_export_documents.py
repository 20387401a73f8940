"""How the Studio turns a stored set into the document every export renders."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.api.document_sets import StepState
from assistant.api.documents import export_status
from assistant.store import VersionRecord


def _state(status: str, kind: str | None) -> StepState:
    current = VersionRecord(number=1, kind=kind, text="## Levels\n", created_at=datetime.now(UTC)) if kind else None
    return StepState(id="playbook", title="Playbook", status=status, text="## Levels\n", current=current,
                     versions=[current] if current else [], made="")


@pytest.mark.parametrize(
    ("status", "kind", "shown"),
    [
        ("done", "generated", "done"),
        ("failed", "generated", "done"),  # a failed re-run never replaced the current, whole version
        ("running", "generated", "done"),  # a re-run in flight: the export shows the current version
        ("truncated", "generated", "truncated"),
        ("failed", "edited", "edited"),
        ("done", "repaired", "repaired"),
        ("interrupted", None, "interrupted"),  # no version: the text is what was saved of an attempt
        ("failed", None, "failed"),
    ],
)
def test_an_export_calls_a_step_unfinished_only_when_its_text_is_not_a_whole_version(status: str, kind: str | None, shown: str) -> None:
    assert export_status(_state(status, kind)) == shown

