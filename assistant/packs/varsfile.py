"""Read and write variables files (YAML: variable name -> value) and ``--var`` overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from assistant.bounded import MAX_YAML_CHARS, load_yaml, read_text_file
from assistant.errors import VariablesError


def parse_variables_yaml(text: str, source: str = "variables") -> dict[str, Any]:
    """Parse YAML text into a mapping (bounded: size, aliases, depth, numbers); errors name the source and line."""
    data = load_yaml(text, source, VariablesError)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise VariablesError(
            f"{source}: expected a mapping of variable name to value (see `playbook example PACK`), "
            f"got {type(data).__name__}."
        )
    return {str(key): value for key, value in data.items()}


def load_variables_file(path: Path) -> dict[str, Any]:
    if not path.exists() and str(path) != "-":
        raise VariablesError(f"{path}: file not found. Create one with `playbook example PACK > {path.name}`.")
    return parse_variables_yaml(read_text_file(path, MAX_YAML_CHARS, VariablesError), str(path))


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings from ``--var``; the value is taken literally."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise VariablesError(f"--var expects KEY=VALUE, got {pair!r}.")
        values[key.strip()] = value
    return values


def dump_variables_yaml(values: Mapping[str, Any]) -> str:
    """YAML for a variables mapping, Unicode kept readable, order kept."""
    return yaml.safe_dump(dict(values), sort_keys=False, allow_unicode=True, width=100)
