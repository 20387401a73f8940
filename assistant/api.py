"""The public Python API: the one door the CLI, the app and scripts stand on.

    from assistant.api import Studio
    studio = Studio()
    pack = studio.pack("escalation-procedure")
    variables = studio.variables(pack, pack.example)
    result = studio.runner(pack, variables).run()
    print(result.steps["playbook"].report.missing)

The rules of a run live here once: which steps a run still has to finish, with which
provider, model and variables a stored run resumes, when new steps may join a run, and how
a document set is labelled for export. The faces (``assistant.cli``, ``ui``) call these and
never reach the history store, the chain runner or the providers themselves.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.bounded import MAX_ANSWER_CHARS, check_size
from assistant.chain import (
    ChainEvent,
    ChainRunner,
    RunEstimate,
    RunOptions,
    RunResult,
    StepResult,
    estimate_run,
    missing_inputs,
    remaining_steps,
)
from pydantic import SecretStr

from assistant.errors import UserInputError
from assistant.export import (
    ExportDocument,
    ExportStep,
    assemble,
    default_title,
    document_from_record,
    organisation_name,
    write_run_folder,
)
from assistant.packs import Pack, PackLibrary, RenderedPrompt, Step, prepare_variables, render_all_parts
from assistant.providers import make_provider
from assistant.providers.base import Provider
from assistant.settings import DEFAULT_MODELS, HOSTED_PROVIDERS, Settings
from assistant.store import RunRecord, StepRecord, VersionRecord
from assistant.validation import ValidationReport, validate_step

if TYPE_CHECKING:
    from assistant.store import Store

Variables = dict[str, str | list[str]]


@dataclass(frozen=True)
class Resumption:
    """What finishing a stored run needs: its own pack, variables and model settings, and its steps."""

    run_id: str
    pack: Pack
    variables: Variables
    #: every step of the run's document set, in chain order (finished ones are reused, never re-billed)
    steps: list[str]
    #: the steps among them that have not finished
    unfinished: list[str]
    provider: str
    model: str
    base_url: str | None
    expert: bool


def run_fingerprint(pack: str, variables: Mapping[str, Any], provider: str, model: str, expert: bool) -> str:
    """What makes two requests belong to one run: pack, variables, provider, model and system prompt."""
    payload = json.dumps([pack, variables, provider, model, expert], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def joinable_run(
    run_id: str | None, run_fingerprint_: str | None, fingerprint: str, finished_there: Collection[str], steps: list[str]
) -> str | None:
    """The run new ``steps`` may join: made the same way, and none of them already finished there."""
    if not run_id or run_fingerprint_ != fingerprint or any(s in finished_there for s in steps):
        return None
    return run_id


def visitor_settings(provider: str, *, model: str | None, base_url: str | None, typed_key: str | None) -> Settings:
    """Settings for a person using the operator's app: the environment, overridden by their choices.

    The operator's keys are never lent: they go only to the endpoint the operator configured
    (``PLAYBOOK_BASE_URL``, the vendor's own API, or ``PLAYBOOK_ALLOWED_BASE_URLS``). Anyone who
    points a hosted provider elsewhere uses the key they typed, kept for their session only.
    """
    environment = Settings()
    fields: dict[str, Any] = {"provider": provider, "model": model, "base_url": base_url}
    if provider in HOSTED_PROVIDERS:
        if typed_key:
            fields[f"{provider}_api_key"] = SecretStr(typed_key)
        elif not environment.lends_keys_to(base_url):
            fields[f"{provider}_api_key"] = None
    return Settings(**fields)


def document_steps(pack: Pack, record: RunRecord) -> list[str]:
    """A run's document set: the steps it planned plus the pack's default chain, in chain order."""
    planned = set((record.options or {}).get("steps") or []) | {s.id for s in pack.default_steps}
    return [s.id for s in pack.steps if s.id in planned]


def finished_steps(record: RunRecord) -> set[str]:
    return {s.key for s in record.steps if s.effective_status == "done" and ":" not in s.key}


class Studio:
    """Settings, the pack library and (opened on first use) the run history."""

    def __init__(
        self, settings: Settings | None = None, *, library: PackLibrary | None = None, store: Store | None = None
    ) -> None:
        self.settings = settings or Settings()
        self.library = library or PackLibrary(self.settings.prompts_dir)
        self._store = store

    @staticmethod
    def open_history(database_url: str) -> Store:
        """A history store for ``database_url``, e.g. to share one between a web app's sessions."""
        from assistant.store import Store

        return Store(database_url)

    @property
    def store(self) -> Store:
        """The run history, opened on first use (or the one given, e.g. shared by a web app)."""
        if self._store is None:
            self._store = self.open_history(self.settings.resolved_database_url)
        return self._store

    def with_settings(self, **overrides: Any) -> Studio:
        """The same library and history with some settings changed (``None`` keeps a setting)."""
        changed = self.settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
        return Studio(changed, library=self.library, store=self._store)

    # --- packs and prompts ---------------------------------------------------------------

    def pack(self, name: str) -> Pack:
        return self.library.get(name)

    def expert_pack(self) -> Pack | None:
        """The pack whose system prompt (the expert persona) any pack may use."""
        packs = self.library.system_prompt_packs()
        return packs[0] if packs else None

    def variables(self, pack: Pack, values: Mapping[str, Any]) -> Variables:
        return prepare_variables(pack, values, max_chars=self.settings.max_variable_chars)

    def render(
        self, pack: Pack, step: Step, variables: Mapping[str, str | list[str]], inputs: Mapping[str, str] | None = None, *, expert: bool = False
    ) -> list[RenderedPrompt]:
        """Every prompt the step sends (one per fan-out part)."""
        system_pack = self.expert_pack() if expert else None
        return [prompt for _, prompt in render_all_parts(pack, step, variables, inputs, system_pack=system_pack)]

    def validate(self, text: str, ref: str, *, known_truncated: bool = False) -> ValidationReport:
        """Check an answer against a step's checklist; answers over ``MAX_ANSWER_CHARS`` are refused."""
        check_size(text, MAX_ANSWER_CHARS, "The answer")
        pack, step = self.library.resolve(ref)
        return validate_step(text, pack, step.id, known_truncated=known_truncated)

    # --- running ---------------------------------------------------------------------------

    def provider(self, name: str | None = None, **kwargs: Any) -> Provider:
        return make_provider(self.settings, name=name, **kwargs)

    def model_for(self, provider_name: str) -> str:
        return self.settings.model or DEFAULT_MODELS.get(provider_name, provider_name)

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
        return ChainRunner(
            pack,
            chosen,
            model=self.model_for(chosen.name),
            variables=variables,
            options=RunOptions.from_settings(self.settings, **options),
            store=self.store if history else None,
            system_pack=self.expert_pack() if expert else None,
            base_url=self.settings.base_url if chosen.name in HOSTED_PROVIDERS else None,
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

    # --- the history ---------------------------------------------------------------------------

    def runs(self, limit: int = 100) -> list[RunRecord]:
        return self.store.list_runs(limit=limit)

    def run(self, run_id: str) -> RunRecord:
        return self.store.get_run(run_id)

    def delete_run(self, run_id: str) -> None:
        self.store.delete_run(run_id)

    def record_edit(self, run_id: str, step_id: str, text: str, report: ValidationReport | None) -> None:
        """A person changed a step's text: keep it as a new version of that step, with its verdict."""
        self.store.add_version(run_id, step_id, text, "edited")
        if report is not None:
            self.store.set_report(run_id, step_id, report.model_dump(mode="json"))

    def resumption(self, run_id: str, pack_name: str | None = None) -> Resumption:
        """How to finish a stored run: with its own variables, provider, model and base URL."""
        record = self.run(run_id)
        if pack_name is not None and record.pack != pack_name:
            raise UserInputError(f"Run {run_id} is for pack {record.pack!r}, not {pack_name!r}.")
        pack = self.pack(record.pack)
        steps = document_steps(pack, record)
        done = finished_steps(record)
        base_url = record.base_url if record.base_url and "REDACTED" not in record.base_url else None
        return Resumption(
            run_id=record.id,
            pack=pack,
            variables=self.variables(pack, record.variables),
            steps=steps,
            unfinished=[s for s in steps if s not in done],
            provider=record.provider,
            model=record.model,
            base_url=base_url,
            expert=bool((record.options or {}).get("system_pack")),
        )

    def write_drafts(self, result: RunResult, pack: Pack, out: Path | None) -> tuple[list[Path], str | None]:
        """Write a run's drafts (one file per step and run.json) where they will not be lost.

        To ``out`` when given; when the history could not keep the run and there is no ``out``,
        to a recovery folder in the data folder, else in the system's temporary folder. Returns
        the files and, when every place failed, why.
        """
        if out is None and not result.history_error:
            return [], None
        titles = {s.id: s.title for s in pack.steps}
        name = result.run_id or result.started_at.replace(":", "").replace(".", "")
        places = [out] if out is not None else []
        if result.history_error:
            places += [self.settings.resolved_data_dir / "recovered" / name, Path(tempfile.gettempdir()) / "playbook-recovered" / name]
        problems = []
        for folder in places:
            try:
                return write_run_folder(result, titles, folder), None
            except OSError as exc:
                problems.append(f"{folder}: {exc.strerror or exc}")
        return [], "; ".join(problems)

    # --- documents -----------------------------------------------------------------------------

    def title_for(self, pack: Pack, values: Mapping[str, Any]) -> str:
        """The default title of a document set: the pack and the organisation it is for, dated."""
        return default_title(pack.title, organisation_name(values))

    def document(
        self,
        pack: Pack,
        steps: list[ExportStep],
        title: str,
        run_id: str | None = None,
        *,
        values: Mapping[str, Any] | None = None,
        author: str | None = None,
    ) -> ExportDocument | None:
        """A session's drafts as one labelled document (``steps`` in any order); None when empty.

        Each step is headed by its document title; ``values`` (the organisation's variables) name
        the organisation, and ``author`` the person exporting, for the files' metadata.
        """
        order = {s.id: index for index, s in enumerate(pack.steps)}
        headings = pack.document_titles()
        chosen = sorted((s for s in steps if s.text.strip()), key=lambda s: order.get(s.id, len(order)))
        if not chosen:
            return None
        return assemble(
            title.strip() or default_title(pack.title, None),
            pack.name,
            [s.model_copy(update={"title": headings.get(s.id, s.title)}) for s in chosen],
            run_id=run_id,
            needs={s.id: s.needs for s in pack.steps},
            organisation=organisation_name(values or {}),
            author=author,
        )

    def run_document(self, record: RunRecord, author: str | None = None) -> ExportDocument:
        """A stored run as one labelled document, titled after its pack and organisation."""
        pack = self.library.packs.get(record.pack)
        titles = pack.document_titles() if pack else {}
        needs = {s.id: s.needs for s in pack.steps} if pack else {}
        pack_title = pack.title if pack else record.pack
        document = document_from_record(record, titles, default_title(pack_title, organisation_name(record.variables)), needs)
        return document.model_copy(update={"author": author})

__all__ = [
    "ChainEvent",
    "ExportDocument",
    "ExportStep",
    "Provider",
    "Resumption",
    "RunRecord",
    "RunResult",
    "StepRecord",
    "StepResult",
    "Studio",
    "ValidationReport",
    "VersionRecord",
    "joinable_run",
    "missing_inputs",
    "remaining_steps",
    "run_fingerprint",
    "visitor_settings",
]
