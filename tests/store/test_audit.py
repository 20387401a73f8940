"""The audit trail: appended, read newest first, filtered by actor or set, and summed for daily budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from store_fixtures import new_run

from assistant.store import Store
from assistant.store.schema import utc_now


def test_entries_are_appended_and_read_newest_first(store: Store) -> None:
    run_id = new_run(store)
    store.audit.record("oidc:alice", "created", actor_email="alice@example.com", run_id=run_id)
    store.audit.record("oidc:alice", "ran", actor_email="alice@example.com", run_id=run_id, cost=0.25, detail={"steps": ["playbook"]})
    store.audit.record("oidc:bob", "exported", actor_email="bob@example.com", run_id=run_id, detail={"format": "docx"})
    entries = store.audit.entries()
    assert [(e.actor_email, e.action) for e in entries] == [
        ("bob@example.com", "exported"), ("alice@example.com", "ran"), ("alice@example.com", "created")
    ]
    assert [e.action for e in store.audit.entries(actor="oidc:alice")] == ["ran", "created"]
    assert len(store.audit.entries(run_id=run_id)) == 3


def test_a_deleted_set_keeps_its_trail(store: Store) -> None:
    run_id = new_run(store)
    store.audit.record("oidc:alice", "created", run_id=run_id)
    store.delete_run(run_id)
    store.audit.record("oidc:alice", "deleted", run_id=run_id)
    assert [e.action for e in store.audit.entries(run_id=run_id)] == ["deleted", "created"]


def test_what_a_person_spent_today_is_the_sum_of_their_runs(store: Store) -> None:
    store.audit.record("oidc:alice", "ran", cost=0.4)
    store.audit.record("oidc:alice", "repaired", cost=0.1)
    store.audit.record("oidc:bob", "ran", cost=3.0)
    since = utc_now() - timedelta(hours=1)
    assert store.audit.spent_since("oidc:alice", since) == pytest.approx(0.5)
    assert store.audit.spent_since("oidc:alice", utc_now() + timedelta(seconds=1)) == 0.0


def test_unknown_actions_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown audit action"):
        store.audit.record("oidc:alice", "rewrote")
