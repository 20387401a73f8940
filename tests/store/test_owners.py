"""Ownership: each set has an owner, lists show a person their own sets and those shared with their teams."""

from __future__ import annotations

from store_fixtures import new_run

from assistant.store import Store


def test_a_person_lists_their_own_sets_and_those_shared_with_their_team(store: Store) -> None:
    alice = new_run(store, owner="oidc:alice", owner_email="alice@example.com")
    bob = new_run(store, owner="oidc:bob", owner_email="bob@example.com")
    shared = new_run(store, owner="oidc:carol", owner_email="carol@example.com")
    store.share_run(shared, "support-emea")
    assert {r.id for r in store.list_runs(owner="oidc:alice")} == {alice}
    assert {r.id for r in store.list_runs(owner="oidc:alice", teams=["support-emea"])} == {alice, shared}
    assert {r.id for r in store.list_runs(owner="oidc:bob", teams=["support-apac"])} == {bob}
    assert {r.id for r in store.list_runs()} == {alice, bob, shared}  # an admin's list
    record = store.get_run(shared)
    assert (record.owner, record.owner_email, record.shared_with) == ("oidc:carol", "carol@example.com", "support-emea")
    store.share_run(shared, None)
    assert {r.id for r in store.list_runs(owner="oidc:alice", teams=["support-emea"])} == {alice}
