"""Finishing a stored run: with its own pack, variables, provider, model and base URL.

``playbook run PACK --resume RUN`` and the app's Resume button both come here, so a resumed
run never picks up other variables by accident: given variables must equal the run's, and a
refusal names the ones that differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.api.document_sets import changed_variables, set_steps, unfinished_steps
from assistant.errors import UserInputError
from assistant.packs import Pack
from assistant.store import RunRecord


@dataclass(frozen=True)
class Resumption:
    """What finishing a stored run needs: its own pack, variables and model settings, and its steps."""

    run_id: str
    pack: Pack
    variables: dict[str, str | list[str]]
    #: every step of the run's document set, in chain order (finished ones are reused, never re-billed)
    steps: list[str]
    #: the steps among them that have not finished (no version yet, or the last attempt failed)
    unfinished: list[str]
    provider: str
    model: str
    base_url: str | None
    expert: bool


def resumption(
    record: RunRecord, pack: Pack, variables: dict[str, str | list[str]], given: Mapping[str, Any] | None = None
) -> Resumption:
    """How to finish ``record``; ``given`` variables (a command line's) must equal the run's."""
    if given is not None:
        differ = changed_variables(pack, variables, given)
        if differ:
            raise UserInputError(
                f"Run {record.id} was made with other values for: {', '.join(differ)}. Drop --vars/--var to finish it "
                "with its own, or start a new run without --resume."
            )
    base_url = record.base_url if record.base_url and "REDACTED" not in record.base_url else None
    return Resumption(
        run_id=record.id,
        pack=pack,
        variables=variables,
        steps=set_steps(pack, record),
        unfinished=unfinished_steps(pack, record),
        provider=record.provider,
        model=record.model,
        base_url=base_url,
        expert=bool((record.options or {}).get("system_pack")),
    )
