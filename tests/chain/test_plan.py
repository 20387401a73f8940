"""Planning: which steps a run takes, in manifest order, with every input accounted for."""

from __future__ import annotations

import pytest

from assistant.chain.plan import plan_steps
from assistant.errors import VariablesError
from assistant.packs import Pack


def test_default_plan_is_every_non_optional_step_in_manifest_order(procedure: Pack) -> None:
    assert [s.id for s in plan_steps(procedure, None, {})] == ["playbook", "runbooks", "training"]


def test_requested_steps_follow_the_manifest_not_the_request(procedure: Pack) -> None:
    planned = plan_steps(procedure, ["training", "playbook", "runbooks"], {})
    assert [s.id for s in planned] == ["playbook", "runbooks", "training"]


def test_an_input_may_come_from_an_earlier_run(procedure: Pack) -> None:
    planned = plan_steps(procedure, ["training"], {"playbook": "P", "runbooks": "R"})
    assert [s.id for s in planned] == ["training"]


def test_a_missing_input_names_the_steps_to_add(procedure: Pack) -> None:
    with pytest.raises(VariablesError, match="--steps playbook,training"):
        plan_steps(procedure, ["training"], {"runbooks": "R", "playbook": ""})
