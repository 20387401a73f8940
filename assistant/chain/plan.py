"""Which steps a run will take, checked before any request is made.

A pure function of the pack, the requested steps and the texts already
available, so anything that proposes a run can apply the same rules.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from assistant.errors import VariablesError
from assistant.packs import Pack, Step


def missing_inputs(pack: Pack, step_id: str, usable: Collection[str], running: Collection[str] = ()) -> list[str]:
    """Steps ``step_id`` reads that have no usable text and are not part of the same run."""
    return [n for n in pack.step(step_id).needs if n not in running and n not in usable]


def remaining_steps(pack: Pack, usable: Collection[str]) -> list[str]:
    """The pack's default (non-optional) steps without a usable text, in chain order."""
    return [s.id for s in pack.default_steps if s.id not in usable]


def plan_steps(pack: Pack, steps: list[str] | None, available: Mapping[str, str]) -> list[Step]:
    """The steps to run, in manifest order; every input must be requested or available."""
    chosen = [pack.step(s) for s in steps] if steps else pack.default_steps
    ids = {s.id for s in chosen}
    ordered = [s for s in pack.steps if s.id in ids]
    usable = {name for name, text in available.items() if text}
    for step in ordered:
        lacking = missing_inputs(pack, step.id, usable, ids)
        if lacking:
            raise VariablesError(
                f"Step {step.id!r} reads {', '.join(lacking)}, which is neither in this run nor finished earlier. "
                f"Add it to --steps (e.g. --steps {','.join([*lacking, step.id])}) or resume a run that has it."
            )
    return ordered
