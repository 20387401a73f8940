"""``Studio``: the one door the CLI, the app and scripts stand on.

It holds the settings, the pack library and (opened on first use) the history, and it applies
the rules of a run the same way for every face: a run is one document set; steps join it and
every re-run, repair, edit or restore adds a version with its provenance (``document_sets``);
a stored run resumes with its own variables and model (``resume``); exports and ``run.json``
come from the stored set (``documents``); the operator's keys are never lent (``access``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.api import audit, documents
from assistant.api import team
from assistant.api.access import Viewer, uses_server_key
from assistant.api.document_sets import StepState, document_set, unfinished_steps
from assistant.api.resume import Resumption, resumption
from assistant.api.publishing import Publishing
from assistant.api.reviews import Reviews, approval_line, review_state
from assistant.bounded import MAX_ANSWER_CHARS, check_size
from assistant.errors import RunNotFoundError, UserInputError
from assistant.chain import ChainEvent, ChainRunner, RunEstimate, RunOptions, RunResult, estimate_run
from assistant.export import ExportDocument, Format, default_title, document_file, organisation_name
from assistant.packs import Pack, PackLibrary, RenderedPrompt, Step, prepare_variables, render_all_parts
from assistant.providers import make_provider
from assistant.providers.base import Provider
from assistant.settings import DEFAULT_MODELS, HOSTED_PROVIDERS, Settings
from assistant.store import AuditRecord, RunRecord
from assistant.validation import ImportedDocument, ValidationReport, read_document, validate_step

if TYPE_CHECKING:
    from assistant.store import Store

Variables = dict[str, str | list[str]]


class Studio:
    """Settings, the pack library and (opened on first use) the run history."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        library: PackLibrary | None = None,
        store: Store | None = None,
        viewer: Viewer | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.library = library or PackLibrary(self.settings.prompts_dir)
        self._store = store
        #: who this Studio acts for: what they see and change, and whose name goes in the audit trail
        self.viewer = viewer or Viewer.local()

    @staticmethod
    def open_history(database_url: str) -> Store:
        """A history store for ``database_url``, e.g. to share one between a web app's sessions."""
        from assistant.store import Store

        return Store(database_url)

    @property
    def reviews(self) -> Reviews:
        """Review and sign-off of document sets, and the approved policy each publishes (:mod:`.reviews`)."""
        return Reviews(self)

    @property
    def publishing(self) -> Publishing:
        """The approved policy as Zendesk and PagerDuty configuration, and how the live one differs (:mod:`.publishing`)."""
        return Publishing(self)

    @property
    def store(self) -> Store:
        """The run history, opened on first use (or the one given, e.g. shared by a web app)."""
        if self._store is None:
            self._store = self.open_history(self.settings.resolved_database_url)
        return self._store

    def with_settings(self, **overrides: Any) -> Studio:
        """The same library and history with some settings changed (``None`` keeps a setting)."""
        changed = self.settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
        return Studio(changed, library=self.library, store=self._store, viewer=self.viewer)

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

    # --- a team's own documents ------------------------------------------------------------

    @staticmethod
    def read_document(name: str, data: bytes) -> ImportedDocument:
        """A file a person hands in (.md, .txt, .html, .docx, by its name) as Markdown, bounded."""
        return read_document(name, data)

    def check_document(self, text: str, ref: str) -> ValidationReport:
        """Check a team's finished document (a policy in use) against a step's checklist."""
        check_size(text, MAX_ANSWER_CHARS, "The document")
        pack, step = self.library.resolve(ref)
        return audit.audit(text, pack, step)

    def fill_gaps(
        self,
        text: str,
        ref: str,
        *,
        provider: Provider | None = None,
        organisation: str = "",
        on_event: Callable[[ChainEvent], None] | None = None,
    ) -> audit.FilledDocument:
        """Draft only the sections (and points) the document lacks, with the configured provider or the
        one given, and put them into the document without changing its own text."""
        check_size(text, MAX_ANSWER_CHARS, "The document")
        pack, step = self.library.resolve(ref)
        runner = self.runner(pack, audit.draft_variables(pack, organisation), provider=provider, history=False)
        return audit.fill(runner, text, step, organisation=organisation, on_event=on_event)

    @staticmethod
    def document_file(text: str, title: str, fmt: Format) -> bytes:
        """A document back out as Markdown (its exact text), Word or HTML."""
        return document_file(text, title, fmt)

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
            owner=(self.viewer.owner, self.viewer.email),
            on_finish=self._finished(chosen.name) if history else None,
        )

    def _finished(self, provider: str) -> Any:
        """Records a finished run or repair in the audit trail, with its cost when the operator's key paid."""
        paid = uses_server_key(self.settings, provider)

        def hook(action: str, run_id: str | None, cost: float | None, steps: list[str]) -> None:
            team.record(self.store, self.viewer, action, run_id, detail={"steps": steps, "provider": provider}, cost=cost if paid else None)

        return hook

    # --- a shared studio --------------------------------------------------------------------------

    def budget_left(self, provider: str) -> float | None:
        """What the viewer may still spend today on the operator's key with ``provider`` (None: no limit)."""
        if not uses_server_key(self.settings, provider):
            return None
        return team.budget_left(self.store, self.viewer, self.settings.user_daily_budget_usd)

    def check_budget(self, provider: str, estimated: float | None) -> None:
        """Refuse a run whose estimate would take the viewer past today's budget (operator's key only)."""
        if uses_server_key(self.settings, provider):
            team.check_budget(self.store, self.viewer, self.settings.user_daily_budget_usd, estimated)

    def audit(self, limit: int = 200) -> list[AuditRecord]:
        """The audit trail, newest first (admins only)."""
        return team.audit_entries(self.store, self.viewer, limit)

    def record_sign_in(self, signed_in_at: str | None) -> None:
        """The viewer signed in (once per sign-in with the identity provider, not per page they open)."""
        team.record_sign_in(self.store, self.viewer, signed_in_at)

    def record(self, action: str, run_id: str | None = None, **fields: Any) -> None:
        """Add to the audit trail (e.g. an export the app handed out)."""
        team.record(self.store, self.viewer, action, run_id, **fields)

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

    # --- document sets ---------------------------------------------------------------------------

    def runs(self, limit: int = 100, search: str = "") -> list[RunRecord]:
        """Document sets, newest first; ``search`` matches their name, organisation, labels or pack."""
        everything = self.viewer.admin
        records = self.store.list_runs(limit=limit, owner=None if everything else self.viewer.owner, teams=self.viewer.teams)
        words = search.casefold().split()
        if not words:
            return records
        return [r for r in records if all(w in self._searchable(r) for w in words)]

    def _searchable(self, record: RunRecord) -> str:
        pack = self.library.packs.get(record.pack)
        return " ".join([self.set_name(record), record.pack, *record.labels, pack.title if pack else "", record.owner_email or ""]).casefold()

    def run(self, run_id: str) -> RunRecord:
        """A document set the viewer may see; anyone else's reads as not found, never as forbidden."""
        record = self.store.get_run(run_id)
        if not self.viewer.sees(record):
            raise RunNotFoundError(f"No run {run_id!r} in the history; run `playbook history` to list runs.")
        return record

    def delete_run(self, run_id: str) -> None:
        """Delete a set the viewer owns (its audit trail stays)."""
        self._owned(run_id)
        self.store.delete_run(run_id)
        self.record("deleted", run_id)

    def share(self, run_id: str, team_name: str | None) -> None:
        """Share a set the viewer owns with one of their teams, or stop sharing it (None)."""
        self._owned(run_id)
        if team_name is not None and team_name not in self.viewer.teams and not self.viewer.admin:
            raise UserInputError(f"You are not in the team {team_name!r}; share with one of: {', '.join(sorted(self.viewer.teams)) or 'none'}.")
        self.store.share_run(run_id, team_name)
        self.record("shared" if team_name else "unshared", run_id, detail={"team": team_name})

    def _owned(self, run_id: str) -> RunRecord:
        record = self.run(run_id)
        if not self.viewer.owns(record):
            owner = record.owner_email or record.owner
            raise UserInputError(f"Only the owner ({owner}) or an admin may do that to this document set.")
        return record

    def writable(self, run_id: str) -> RunRecord:
        """A set the viewer may add to (their own, or shared with their team), before a run, repair or edit."""
        return self.run(run_id)

    def set_name(self, record: RunRecord) -> str:
        return documents.set_name(self.library.packs.get(record.pack), record)

    def rename(self, run_id: str, *, title: str | None = None, labels: list[str] | None = None) -> None:
        self.writable(run_id)
        self.store.update_run(run_id, title=title, labels=labels)
        self.record("renamed", run_id, detail={"title": title, "labels": labels})

    def start_document_set(self, pack: Pack, values: Mapping[str, Any], title: str | None = None) -> str:
        """An empty document set for text a person brings (a pasted draft) before anything has run."""
        run_id = self.store.create_run(
            pack=pack.name, variables=dict(values), provider="none", model="none", base_url=None, options={}, title=title,
            owner=self.viewer.owner, owner_email=self.viewer.email,
        )
        self.record("created", run_id)
        return run_id

    def document_set(self, record: RunRecord, variables: Mapping[str, Any] | None = None) -> list[StepState]:
        """Every step of a stored set with its current version, provenance and staleness (judged
        against ``variables``, the profile as it is now, or else the set's own)."""
        return document_set(self.pack(record.pack), record, variables)

    def record_edit(
        self, run_id: str, step_id: str, text: str, report: ValidationReport | None, kind: str = "edited"
    ) -> int:
        """A person changed (or pasted, or accepted) a step's text: a new current version, checked."""
        self.writable(run_id)
        number = self.store.add_version(
            run_id, step_id, text, kind, report=report.model_dump(mode="json") if report is not None else None
        )
        self.record(kind, run_id, step=step_id, detail={"version": number})
        return number

    def restore_version(self, run_id: str, step_id: str, number: int) -> int:
        """Make an older version current again (as a new version that keeps how the old one was made)."""
        step = next((s for s in self.run(run_id).steps if s.key == step_id), None)
        old = next((v for v in (step.versions or []) if v.number == number), None) if step else None
        if old is None:
            raise UserInputError(f"Step {step_id!r} of run {run_id} has no version {number}.")
        number = self.store.add_version(
            run_id, step_id, old.text, "restored", provider=old.provider, model=old.model, inputs=old.inputs, report=old.report
        )
        self.record("restored", run_id, step=step_id, detail={"from": old.number, "version": number})
        return number

    def resumption(
        self,
        run_id: str,
        pack_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> Resumption:
        """How to finish a stored run: with its own variables, provider, model and base URL.

        ``variables`` (a command line's file) and ``overrides`` (its ``--var``s, laid over the file
        or the run's own values) are accepted when they come to the run's values, else refused
        naming the ones that differ.
        """
        record = self.run(run_id)
        if pack_name is not None and record.pack != pack_name:
            raise UserInputError(f"Run {run_id} is for pack {record.pack!r}, not {pack_name!r}.")
        pack = self.pack(record.pack)
        given = None
        if variables is not None or overrides:
            given = self.variables(pack, {**(variables if variables is not None else record.variables), **(overrides or {})})
        return resumption(record, pack, self.variables(pack, record.variables), given)

    # --- documents -----------------------------------------------------------------------------

    def title_for(self, pack: Pack, values: Mapping[str, Any]) -> str:
        """The default title of a document: the pack and the organisation it is for, dated."""
        return default_title(pack.title, organisation_name(values))

    def run_document(
        self,
        record: RunRecord,
        title: str | None = None,
        variables: Mapping[str, Any] | None = None,
        author: str | None = None,
    ) -> ExportDocument | None:
        """A stored set as one labelled document: current versions in chain order, each headed by
        its document title, how each was made and whether it is out of date. The files name
        ``author``, else the signed-in viewer (by email; the local user's login name is never
        written), else the organisation. An approved set says who approved it; any other is a draft.
        None while nothing is written."""
        by = author or self.viewer.email
        approved = review_state(record, self.store.reviews.entries(record.id)).approval
        approval = approval_line(approved) if approved is not None else None
        return documents.run_document(self.pack(record.pack), record, title, variables, by, approval)

    def set_summary(self, record: RunRecord) -> dict[str, Any]:
        """A stored set for ``run.json`` and ``playbook history --format json``."""
        return documents.set_summary(self.library.packs.get(record.pack), record)

    def write_drafts(self, result: RunResult, pack: Pack, out: Path | None) -> tuple[list[Path], str | None]:
        """A run's drafts and ``run.json`` to ``out``, or a recovery folder when the history failed."""
        summary = None
        if result.run_id is not None and not result.history_error:
            summary = self.set_summary(self.run(result.run_id))
        return documents.write_drafts(result, pack, out, self.settings.resolved_data_dir, summary)

    def unfinished(self, record: RunRecord) -> list[str]:
        """The steps of a stored set a resume would run (none when its pack is gone)."""
        if record.pack not in self.library.packs:
            return []
        return unfinished_steps(self.pack(record.pack), record)

    def stale_steps(self, record: RunRecord, steps: Collection[str] | None = None) -> list[str]:
        """Steps of a stored set whose current version is out of date, in chain order."""
        return [s.id for s in self.document_set(record) if s.stale and (steps is None or s.id in steps)]
