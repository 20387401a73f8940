"""The public Python API: one object that the CLI, the UI and scripts stand on.

    from assistant.api import Studio
    studio = Studio()
    pack = studio.pack("escalation-procedure")
    variables = studio.variables(pack, pack.example)
    result = studio.runner(pack, variables).run()
    print(result.steps["playbook"].report.missing)
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from assistant.chain import ChainRunner, RunOptions
from assistant.validation import ValidationReport, validate_step
from assistant.chain import RunEstimate, estimate_run
from assistant.providers import make_provider
from assistant.providers.base import Provider
from assistant.packs import RenderedPrompt, prepare_variables, render_all_parts
from assistant.settings import DEFAULT_MODELS, Settings
from assistant.packs import Pack, PackLibrary, Step

if TYPE_CHECKING:
    from assistant.store import Store


class Studio:
    """Settings, the pack library and (opened on first use) the run history."""

    def __init__(
        self, settings: Settings | None = None, *, library: PackLibrary | None = None, store: Store | None = None
    ) -> None:
        self.settings = settings or Settings()
        self.library = library or PackLibrary(self.settings.prompts_dir)
        self._store = store

    @property
    def store(self) -> Store:
        """The run history, opened on first use (or the one given, e.g. shared by a web app)."""
        if self._store is None:
            from assistant.store import Store

            self._store = Store.from_settings(self.settings)
        return self._store

    def pack(self, name: str) -> Pack:
        return self.library.get(name)

    def expert_pack(self) -> Pack | None:
        """The pack whose system prompt (the expert persona) any pack may use."""
        packs = self.library.system_prompt_packs()
        return packs[0] if packs else None

    def variables(self, pack: Pack, values: Mapping[str, Any]) -> dict[str, str | list[str]]:
        return prepare_variables(pack, values, max_chars=self.settings.max_variable_chars)

    def render(
        self, pack: Pack, step: Step, variables: Mapping[str, str | list[str]], inputs: Mapping[str, str] | None = None, *, expert: bool = False
    ) -> list[RenderedPrompt]:
        """Every prompt the step sends (one per fan-out part)."""
        system_pack = self.expert_pack() if expert else None
        return [prompt for _, prompt in render_all_parts(pack, step, variables, inputs, system_pack=system_pack)]

    def validate(self, text: str, ref: str, *, known_truncated: bool = False) -> ValidationReport:
        pack, step = self.library.resolve(ref)
        return validate_step(text, pack, step.id, known_truncated=known_truncated)

    def provider(self, name: str | None = None, **kwargs: Any) -> Provider:
        return make_provider(self.settings, name=name, **kwargs)

    def runner(
        self,
        pack: Pack,
        variables: Mapping[str, str | list[str]],
        *,
        provider: Provider | None = None,
        expert: bool = False,
        history: bool = True,
        cancel: threading.Event | None = None,
        **options: Any,
    ) -> ChainRunner:
        """A chain runner wired to the configured provider and history (``history=False`` keeps nothing)."""
        chosen = provider or self.provider()
        model = self.settings.model or DEFAULT_MODELS.get(chosen.name, chosen.name)
        return ChainRunner(
            pack,
            chosen,
            model=model,
            variables=variables,
            options=RunOptions.from_settings(self.settings, **options),
            store=self.store if history else None,
            system_pack=self.expert_pack() if expert else None,
            base_url=self.settings.base_url if chosen.name in ("openai", "anthropic") else None,
            cancel=cancel,
        )

    def estimate(
        self,
        pack: Pack,
        variables: Mapping[str, str | list[str]],
        steps: list[str] | None = None,
        *,
        available: Mapping[str, str] | None = None,
        expert: bool = False,
        model: str | None = None,
        max_tokens: int | None = None,
    ) -> RunEstimate:
        chosen = [pack.step(s) for s in steps] if steps else pack.default_steps
        return estimate_run(
            pack,
            variables,
            chosen,
            model or self.settings.resolved_model,
            available=available,
            system_pack=self.expert_pack() if expert else None,
            prices_file=self.settings.prices_file,
            max_tokens=max_tokens or self.settings.max_tokens,
        )
