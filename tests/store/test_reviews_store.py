"""Review records: appended in order, refused when unknown, gone with their set."""

from __future__ import annotations

import pytest
from store_fixtures import SHA, new_run

from assistant.store import Store


def test_review_records_keep_their_order_and_what_was_approved(store: Store) -> None:
    run_id = new_run(store)
    store.reviews.add(run_id, "submitted", actor="oidc|ann", actor_email="ann@example.com", versions={"playbook": 1}, content_hash=SHA)
    store.reviews.add(run_id, "commented", actor="oidc|bob", actor_email=None, versions={"playbook": 1}, content_hash=SHA,
                      step="playbook", section="levels", body="L3 needs a 10-minute ack")
    approval = store.reviews.add(run_id, "approved", actor="oidc|bob", actor_email="bob@example.com", versions={"playbook": 1},
                                 content_hash=SHA, policy={"title": "AtlasFlow escalation policy"})
    entries = store.reviews.entries(run_id)
    assert [e.action for e in entries] == ["submitted", "commented", "approved"]
    assert entries[1].section == "levels" and entries[1].shown == "oidc|bob" and entries[2].shown == "bob@example.com"
    assert store.reviews.get(approval.id) == entries[2] and entries[2].policy == {"title": "AtlasFlow escalation policy"}
    with pytest.raises(ValueError, match="unknown review action 'merged'"):
        store.reviews.add(run_id, "merged", actor="x", actor_email=None, versions={}, content_hash=SHA)
    store.delete_run(run_id)
    assert store.reviews.entries(run_id) == [] and store.reviews.get(approval.id) is None
