"""Which version of each step a run reads and writes, so every new version says what it was made from.

A version records the provider and model that made it and its inputs: the version number of each
step it read and the value of each variable it read. Comparing those with the document set's
current versions and profile is what tells a person that a draft is out of date.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from assistant.packs import Pack, Step


class Provenance:
    """The current version of every step of one run, as this runner knows it (thread-safe)."""

    def __init__(self, provider: str, model: str) -> None:
        self.provider = provider
        self.model = model
        self._versions: dict[str, int] = {}
        self._lock = threading.Lock()

    def note(self, step: str, version: int | None) -> None:
        """``step`` now has ``version`` as its current version (None: the history did not say)."""
        if version is not None:
            with self._lock:
                self._versions[step] = version

    def version(self, step: str) -> int | None:
        with self._lock:
            return self._versions.get(step)

    def made(self, pack: Pack, step: Step, variables: Mapping[str, Any]) -> dict[str, Any]:
        """What a new version of ``step`` records about how it was made."""
        with self._lock:
            steps = {name: self._versions.get(name) for name in step.needs}
        read = {variable.name: variables.get(variable.name) for variable in pack.variables_for(step)}
        return {"provider": self.provider, "model": self.model, "inputs": {"steps": steps, "variables": read}}
