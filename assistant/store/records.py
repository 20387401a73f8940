"""What a reader of the history gets: frozen pydantic records built from the rows, never the rows
themselves, so no caller can hold a live session or write by accident.

Staleness is decided here, at read time: a ``running`` step whose heartbeat is older than the
store's window reads as ``interrupted`` (its writer died), without anyone writing that down.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, computed_field

from assistant.store.schema import RunRow, StepRow, utc_now

StepStatus = Literal["pending", "running", "done", "failed", "incomplete", "truncated", "cancelled"]
#: what a reader sees: a ``running`` step whose heartbeat stopped is ``interrupted``
EffectiveStatus = Literal["pending", "running", "done", "failed", "incomplete", "truncated", "cancelled", "interrupted"]
VersionKind = Literal["generated", "repaired", "edited"]

STEP_STATUSES: frozenset[str] = frozenset(get_args(StepStatus))
VERSION_KINDS: frozenset[str] = frozenset(get_args(VersionKind))


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TokenUsage(_Record):
    """Tokens as the provider reported them (``estimated`` when counted locally)."""

    input_tokens: int = 0
    output_tokens: int = 0
    estimated: bool = False


class VersionRecord(_Record):
    number: int
    kind: VersionKind
    text: str
    created_at: datetime


class StepRecord(_Record):
    key: str
    status: StepStatus
    prompt: str | None
    system: str | None
    text: str
    partial_text: str
    error: str | None
    usage: TokenUsage | None
    cost: float | None
    timings: dict[str, Any] | None
    report: dict[str, Any] | None
    attempts: int
    heartbeat_at: datetime | None
    created_at: datetime
    #: oldest first; ``None`` when not loaded (``list_runs``): use ``get_run`` for them
    versions: list[VersionRecord] | None
    #: the step was ``running`` but its heartbeat was older than the staleness window when read
    stale: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def effective_status(self) -> EffectiveStatus:
        """``interrupted`` when the writer died mid-step (SIGKILL, closed tab), else ``status``."""
        return "interrupted" if self.status == "running" and self.stale else self.status

    @property
    def text_or_partial(self) -> str:
        """The output if there is one, else the last checkpoint of a step cut short."""
        return self.text or self.partial_text


class RunRecord(_Record):
    id: str
    pack: str
    variables: dict[str, Any]
    provider: str
    model: str
    base_url: str | None
    options: dict[str, Any]
    #: as last written by ``set_run_status``; read ``status`` for what a person should see
    stored_status: StepStatus
    created_at: datetime
    updated_at: datetime
    usage: TokenUsage | None
    cost: float | None
    steps: list[StepRecord]
    #: the runner running it now, while its lease is fresh (see ``assistant.store.lease``)
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> EffectiveStatus:
        """``interrupted`` when any step is, else the stored status."""
        if any(step.effective_status == "interrupted" for step in self.steps):
            return "interrupted"
        return self.stored_status

    def to_summary(self) -> dict[str, Any]:
        """One entry of ``playbook history --format json``."""
        return {
            "id": self.id,
            "pack": self.pack,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "provider": self.provider,
            "model": self.model,
            "cost": self.cost,
            "steps": self._step_summaries(),
        }

    def _step_summaries(self) -> list[dict[str, Any]]:
        """Whole steps in order; a fan-out step lists its parts (``runbooks:comms_lead``) under
        ``parts`` and, while its parts are still streaming, is summed up from them."""
        summaries: dict[str, dict[str, Any]] = {}
        for step in self.steps:
            step_id, _, part = step.key.partition(":")
            entry = summaries.setdefault(step_id, {"id": step_id, "status": None, "chars": 0})
            row = {"id": step.key, "status": step.effective_status, "chars": len(step.text_or_partial)}
            if part:
                entry.setdefault("parts", []).append(row)
            else:
                entry.update(status=row["status"], chars=row["chars"], whole=True)
        for entry in summaries.values():
            parts = entry.get("parts", [])
            if not entry.pop("whole", False):
                entry["chars"] = sum(p["chars"] for p in parts)
                entry["status"] = _combined_status([p["status"] for p in parts])
        return list(summaries.values())


def _combined_status(statuses: list[str]) -> str:
    """A fan-out step's status while only its parts exist."""
    for status in ("interrupted", "running", "failed", "incomplete", "cancelled", "pending", "truncated"):
        if status in statuses:
            return status
    return "done" if statuses else "pending"


class CachedAnswer(_Record):
    key: str
    provider: str
    model: str
    text: str
    usage: TokenUsage
    created_at: datetime


# --- from rows ---------------------------------------------------------------------------


def run_record(row: RunRow, *, with_versions: bool, stale_after: timedelta) -> RunRecord:
    """The record of a loaded run row; its steps (and, if asked, their versions) must be loaded."""
    now = utc_now()
    steps = [
        StepRecord(
            key=step.key,
            status=step.status,  # type: ignore[arg-type]
            prompt=step.prompt,
            system=step.system,
            text=step.text,
            partial_text=step.partial_text,
            error=step.error,
            usage=_usage_of(step),
            cost=step.cost,
            timings=step.timings,
            report=step.report,
            attempts=step.attempts,
            heartbeat_at=step.heartbeat_at,
            created_at=step.created_at,
            versions=[
                VersionRecord(
                    number=v.number, kind=v.kind, text=v.text, created_at=v.created_at  # type: ignore[arg-type]
                )
                for v in step.versions
            ]
            if with_versions
            else None,
            stale=step.status == "running"
            and (step.heartbeat_at is None or now - step.heartbeat_at > stale_after),
        )
        for step in row.steps
    ]
    return RunRecord(
        id=row.id,
        pack=row.pack,
        variables=row.variables,
        provider=row.provider,
        model=row.model,
        base_url=row.base_url,
        options=row.options,
        stored_status=row.status,  # type: ignore[arg-type]
        created_at=row.created_at,
        updated_at=row.updated_at,
        usage=_usage_of(row),
        cost=row.cost,
        steps=steps,
        lease_owner=row.lease_owner if row.lease_expires_at and row.lease_expires_at > now else None,
        lease_expires_at=row.lease_expires_at if row.lease_expires_at and row.lease_expires_at > now else None,
    )


def _usage_of(row: RunRow | StepRow) -> TokenUsage | None:
    if row.input_tokens is None and row.output_tokens is None:
        return None
    return TokenUsage(
        input_tokens=row.input_tokens or 0,
        output_tokens=row.output_tokens or 0,
        estimated=bool(row.usage_estimated),
    )
