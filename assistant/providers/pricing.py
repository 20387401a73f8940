"""Model prices and cost arithmetic.

Prices live in a data file (``assistant/providers/data/prices.yaml``) that users extend
with ``PLAYBOOK_PRICES_FILE``; an unknown model has no price rather than a
made-up one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ValidationError

from assistant.bounded import MAX_YAML_CHARS, load_yaml, read_text_file
from assistant.errors import ConfigurationError
from assistant.providers.base import Usage

BUILTIN_PRICES = Path(__file__).parent / "data" / "prices.yaml"


class Price(BaseModel):
    """USD per million tokens."""

    input: float
    output: float

    def cost(self, usage: Usage) -> float:
        return (usage.input_tokens * self.input + usage.output_tokens * self.output) / 1_000_000


def _read(path: Path) -> dict[str, Price]:
    raw = load_yaml(read_text_file(path, MAX_YAML_CHARS, ConfigurationError), str(path), ConfigurationError) or {}
    try:
        if not isinstance(raw, dict):
            raise ConfigurationError(f"{path}: expected a mapping of model name to {{input, output}} prices")
        return {str(name): Price.model_validate(value) for name, value in raw.items()}
    except ValidationError as exc:
        raise ConfigurationError(f"{path}: cannot read the price table ({exc}); fix or unset PLAYBOOK_PRICES_FILE") from None


@lru_cache(maxsize=8)
def price_table(extra: Path | None = None) -> dict[str, Price]:
    table = _read(BUILTIN_PRICES)
    if extra is not None:
        table.update(_read(extra))
    return table


def price_for(model: str, extra: Path | None = None) -> Price | None:
    """The price of ``model``: an exact entry, else the longest matching name prefix."""
    table = price_table(extra)
    if model in table:
        return table[model]
    matches = [name for name in table if model.startswith(name)]
    return table[max(matches, key=len)] if matches else None


def cost_of(model: str, usage: Usage, extra: Path | None = None) -> float | None:
    price = price_for(model, extra)
    return None if price is None else round(price.cost(usage), 6)
