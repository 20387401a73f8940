"""Which steps a run will take, checked before any request is made.

A pure function of the pack, the requested steps and the texts already
available, so anything that proposes a run can apply the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping

from assistant.errors import VariablesError
from assistant.packs import Pack, Step


def plan_steps(pack: Pack, steps: list[str] | None, available: Mapping[str, str]) -> list[Step]:
    """The steps to run, in manifest order; every input must be requested or available."""
    chosen = [pack.step(s) for s in steps] if steps else pack.default_steps
    ids = {s.id for s in chosen}
    ordered = [s for s in pack.steps if s.id in ids]
    for step in ordered:
        lacking = [n for n in step.needs if n not in ids and not available.get(n)]
        if lacking:
            raise VariablesError(
                f"Step {step.id!r} reads {', '.join(lacking)}, which is neither in this run nor finished earlier. "
                f"Add it to --steps (e.g. --steps {','.join([*lacking, step.id])}) or resume a run that has it."
            )
    return ordered
