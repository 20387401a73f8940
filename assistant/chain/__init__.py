"""The chain runner: steps as a DAG, streamed, validated, repaired and checkpointed; estimates before a run."""

from assistant.chain.estimate import RunEstimate, estimate_run
from assistant.chain.events import ChainEvent, RunOptions, RunResult, StepResult
from assistant.chain.plan import missing_inputs, plan_steps, remaining_steps
from assistant.chain.runner import ChainRunner

__all__ = [
    "ChainEvent",
    "ChainRunner",
    "RunEstimate",
    "RunOptions",
    "RunResult",
    "StepResult",
    "estimate_run",
    "missing_inputs",
    "plan_steps",
    "remaining_steps",
]
