"""What a document states: reported times and first updates are not targets."""

from __future__ import annotations

from assistant.validation.consistency.extract import extract

from consistency_documents import RUNBOOK_OK, TRAINING_OK


def test_timelines_first_updates_and_reported_times_are_not_targets() -> None:
    facts = extract("runbooks", RUNBOOK_OK).targets + extract("training", TRAINING_OK).targets
    assert not [f for f in facts if f.low in (11.0, 25.0, 45.0)]
