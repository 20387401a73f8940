"""Request slots: bounded, and served critical path first."""

from __future__ import annotations

import threading
import time

from assistant.chain.slots import RequestSlots, downstream_work
from assistant.packs import Pack


def test_request_slots_serve_the_critical_path_first() -> None:
    slots = RequestSlots(1, threading.Event())
    order: list[str] = []
    release = threading.Event()

    def holder() -> None:
        with slots.slot("holder", 0):
            release.wait(5)

    def waiter(name: str, priority: float) -> None:
        with slots.slot(name, priority):
            order.append(name)

    first = threading.Thread(target=holder)
    first.start()
    time.sleep(0.05)
    threads = [threading.Thread(target=waiter, args=(n, p)) for n, p in (("refinement", 2000), ("runbook", 6500), ("other", 100))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while len(slots._waiting) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in [first, *threads]:
        thread.join(5)
    assert order == ["runbook", "refinement", "other"]


def test_announced_requests_are_served_before_lower_priorities_that_arrive_first() -> None:
    slots = RequestSlots(1, threading.Event())
    slots.expect("runbooks", 6500, 1)
    order: list[str] = []

    def request(step: str, priority: float) -> None:
        with slots.slot(step, priority):
            order.append(step)

    early = threading.Thread(target=request, args=("refinement", 2000))
    early.start()
    time.sleep(0.15)
    assert order == [], "a lower priority waits while a higher one is announced"
    late = threading.Thread(target=request, args=("runbooks", 6500))
    late.start()
    for thread in (early, late):
        thread.join(5)
    assert order == ["runbooks", "refinement"]
    slots.expect("gone", 9000, 1)
    slots.forget("gone")
    request("other", 1)
    assert order[-1] == "other"


def test_downstream_work_ranks_runbooks_above_refinements(procedure: Pack) -> None:
    work = downstream_work(procedure)
    assert work["playbook"] > work["runbooks"] > work["training"] > work["customer_narrative"]
