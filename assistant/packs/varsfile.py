"""Read and write variables files (YAML: variable name -> value) and ``--var`` overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import VariablesError


def parse_variables_yaml(text: str, source: str = "variables") -> dict[str, Any]:
    """Parse YAML text into a mapping; errors name the source and line."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise VariablesError(f"{source}:{where} is not valid YAML ({getattr(exc, 'problem', exc)}).") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise VariablesError(
            f"{source}: expected a mapping of variable name to value (see `playbook example PACK`), "
            f"got {type(data).__name__}."
        )
    return {str(key): value for key, value in data.items()}


def load_variables_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VariablesError(f"{path}: file not found. Create one with `playbook example PACK > {path.name}`.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise VariablesError(f"{path}: cannot be read ({exc}).") from None
    return parse_variables_yaml(text, str(path))


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
