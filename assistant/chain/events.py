"""What a run takes and what it reports: options, events, step and run results, and the store it writes to.

The CLI, the UI, the store and every part of the runner share these shapes,
so they live apart from the machinery that fills them in.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from assistant.providers.base import Usage
from assistant.settings import Settings
from assistant.validation import ValidationReport

EventKind = Literal[
    "started", "delta", "part_finished", "finished", "validated", "retried", "failed", "repairing", "repaired",
    "skipped", "cached",
]
StepStatus = Literal["pending", "running", "done", "failed", "incomplete", "truncated", "cancelled", "skipped"]
#: statuses whose text later steps may read
USABLE = ("done", "truncated")


class ChainEvent(BaseModel):
    """Something that happened while running; consumed by the CLI and the UI."""

    kind: EventKind
    step: str
    part: str | None = None
    text: str = ""
    message: str = ""
    report: ValidationReport | None = None
    usage: Usage | None = None
    elapsed: float = 0.0
    #: this delta belongs to a repair answer, not the main draft
    repair: bool = False


class StepResult(BaseModel):
    step: str
    status: StepStatus = "pending"
    text: str = ""
    error: str | None = None
    usage: Usage = Usage()
    repair_usage: Usage = Usage()
    #: estimated tokens a full regeneration would have cost (prompt + whole answer)
    regeneration_tokens: int = 0
    cost: float | None = None
    report: ValidationReport | None = None
    timings: dict[str, float | str | None] = {}
    attempts: int = 0
    cached: bool = False
    parts: dict[str, StepStatus] = {}
    #: the step's current version in the history after this run (None without a history)
    version: int | None = None


class RunResult(BaseModel):
    run_id: str | None
    pack: str
    provider: str
    model: str
    status: str
    steps: dict[str, StepResult]
    usage: Usage = Usage()
    cost: float | None = None
    started_at: str
    finished_at: str | None = None
    elapsed: float = 0.0
    #: why the history could not keep (all of) this run; the texts above are complete regardless
    history_error: str | None = None


class RunOptions(BaseModel):
    """How to run; defaults come from :class:`~assistant.settings.Settings`."""

    concurrency: int = Field(default=4, ge=1)
    max_repair_rounds: int = Field(default=2, ge=0)
    max_retries: int = Field(default=4, ge=0)
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    checkpoint_seconds: float = 1.0
    max_tokens: int = 8000
    temperature: float = 0.3
    timeout: float = 120.0
    cache: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> RunOptions:
        values = {
            "concurrency": settings.concurrency,
            "max_repair_rounds": settings.max_repair_rounds,
            "max_retries": settings.max_retries,
            "backoff_base": settings.backoff_base,
            "backoff_cap": settings.backoff_cap,
            "checkpoint_seconds": settings.checkpoint_seconds,
            "max_tokens": settings.max_tokens,
            "temperature": settings.temperature,
            "timeout": settings.request_timeout,
            "cache": settings.cache,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


class RunStore(Protocol):
    """What the runner needs from the history store (see :mod:`assistant.store`)."""

    def create_run(self, *, pack: str, variables: dict, provider: str, model: str, base_url: str | None, options: dict, **owner: Any) -> str: ...
    def start_step(self, run_id: str, key: str, *, prompt: str, system: str | None) -> None: ...
    def checkpoint(self, run_id: str, key: str, partial_text: str) -> None: ...
    def finish_step(self, run_id: str, key: str, **fields: Any) -> int | None: ...
    def add_version(self, run_id: str, key: str, text: str, kind: str, **made: Any) -> int: ...
    def set_run_status(self, run_id: str, status: str) -> None: ...
    def update_run(self, run_id: str, **fields: Any) -> None: ...
    def get_run(self, run_id: str) -> Any: ...
    def cache_get(self, key: str) -> Any: ...
    def cache_put(self, key: str, *, provider: str, model: str, text: str, usage: dict) -> None: ...
    def acquire_lease(self, run_id: str, owner: str) -> None: ...
    def renew_lease(self, run_id: str, owner: str) -> bool: ...
    def release_lease(self, run_id: str, owner: str) -> None: ...
