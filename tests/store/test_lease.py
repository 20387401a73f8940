"""One runner per run: the lease is taken atomically, refused with its holder, renewed, released, taken over when stale."""

from __future__ import annotations

import threading
import time

import pytest
from store_fixtures import new_run

from assistant.errors import RunBusyError
from assistant.store import Store


def test_a_second_runner_is_refused_with_the_holder_and_when_it_goes_stale(store: Store) -> None:
    run_id = new_run(store)
    store.acquire_lease(run_id, "host-a pid 1 runner aaaa")
    with pytest.raises(RunBusyError, match=r"being run by host-a pid 1 runner aaaa.*resume after \d\d:\d\d:\d\d UTC"):
        store.acquire_lease(run_id, "host-b pid 2 runner bbbb")
    assert store.get_run(run_id).lease_owner == "host-a pid 1 runner aaaa"
    store.acquire_lease(run_id, "host-a pid 1 runner aaaa")  # the holder may take it again
    assert store.renew_lease(run_id, "host-a pid 1 runner aaaa")
    store.release_lease(run_id, "host-a pid 1 runner aaaa")
    assert store.get_run(run_id).lease_owner is None
    store.acquire_lease(run_id, "host-b pid 2 runner bbbb")


def test_a_stale_lease_is_taken_over_and_its_old_holder_learns_it(db_url: str) -> None:
    store = Store(db_url, stale_after=0.3)
    try:
        run_id = new_run(store)
        store.acquire_lease(run_id, "dead")
        time.sleep(0.5)
        assert store.get_run(run_id).lease_owner is None  # a stale lease is nobody's
        store.acquire_lease(run_id, "alive")
        assert not store.renew_lease(run_id, "dead")
        store.release_lease(run_id, "dead")  # releasing a lease one lost changes nothing
        assert store.get_run(run_id).lease_owner == "alive"
    finally:
        store.close()


def test_of_eight_racing_runners_exactly_one_gets_the_run(store: Store) -> None:
    run_id = new_run(store)
    start = threading.Barrier(8)
    winners: list[str] = []
    refused: list[str] = []

    def race(name: str) -> None:
        start.wait()
        try:
            store.acquire_lease(run_id, name)
            winners.append(name)
        except RunBusyError:
            refused.append(name)

    threads = [threading.Thread(target=race, args=(f"runner {i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1 and len(refused) == 7
    assert store.get_run(run_id).lease_owner == winners[0]
