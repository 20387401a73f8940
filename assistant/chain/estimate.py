"""Token and cost estimates before a run.

Prompts are rendered for real (with the user's variables); inputs from
earlier steps that do not exist yet are stood in for by text of the size
their step usually produces (``expected_tokens`` in the manifest).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from assistant.providers.pricing import cost_of
from assistant.providers.base import Usage
from assistant.packs import render_all_parts
from assistant.packs import Pack, Step
from assistant.providers.tokens import CHARS_PER_TOKEN, count_tokens


class StepEstimate(BaseModel):
    step: str
    requests: int
    input_tokens: int
    output_tokens: int
    cost: float | None


class RunEstimate(BaseModel):
    model: str
    steps: list[StepEstimate]
    input_tokens: int
    output_tokens: int
    #: None when the model has no known price
    cost: float | None


def _stand_in(step: Step, parts: int, max_tokens: int | None) -> str:
    tokens = min(step.expected_tokens, max_tokens) if max_tokens else step.expected_tokens
    return "lorem " * int(tokens * parts * CHARS_PER_TOKEN / 6)


def estimate_run(
    pack: Pack,
    variables: Mapping[str, str | list[str]],
    steps: list[Step],
    model: str,
    *,
    available: Mapping[str, str] | None = None,
    system_pack: Pack | None = None,
    prices_file: Path | None = None,
    max_tokens: int | None = None,
) -> RunEstimate:
    """Estimate tokens and cost of running ``steps`` (each step's expected answer size, capped by
    ``max_tokens`` per request, included)."""
    outputs = dict(available or {})
    estimates: list[StepEstimate] = []
    for step in steps:
        parts = len(pack.fan_out_parts.get(step.id, [])) or 1
        inputs = {
            n: outputs.get(n) or _stand_in(pack.step(n), len(pack.fan_out_parts.get(n, [])) or 1, max_tokens)
            for n in step.needs
        }
        prompts = render_all_parts(pack, step, variables, inputs, system_pack=system_pack)
        input_tokens = sum(count_tokens(p.text, model) for _, p in prompts)
        per_request = min(step.expected_tokens, max_tokens) if max_tokens else step.expected_tokens
        output_tokens = per_request * parts
        cost = cost_of(model, Usage(input_tokens=input_tokens, output_tokens=output_tokens), prices_file)
        estimates.append(StepEstimate(step=step.id, requests=parts, input_tokens=input_tokens, output_tokens=output_tokens, cost=cost))
    costs = [e.cost for e in estimates]
    return RunEstimate(
        model=model,
        steps=estimates,
        input_tokens=sum(e.input_tokens for e in estimates),
        output_tokens=sum(e.output_tokens for e in estimates),
        cost=None if any(c is None for c in costs) else round(sum(c for c in costs if c is not None), 6),
    )
