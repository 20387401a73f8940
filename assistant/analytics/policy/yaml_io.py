"""The policy as YAML a person edits: readable dumps, and loads whose errors name the line and the field."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.bounded import MAX_YAML_CHARS, parse_yaml, read_text_file
from assistant.analytics.policy.document import read_policy_document
from assistant.analytics.policy.errors import PolicyError, describe_validation
from assistant.analytics.policy.model import EscalationPolicy


def dump_policy_yaml(policy: EscalationPolicy) -> str:
    """Readable YAML: unset operands left out, order kept."""
    data = policy.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def parse_policy_yaml(text: str, source: str = "policy") -> EscalationPolicy:
    """A policy from YAML (or JSON) text, plain or a versioned document (``playbook policy export``);
    errors name the source, the line and the field path."""
    data, root = parse_yaml(text, source, PolicyError)
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: expected a mapping with 'levels' (see `playbook policy` for an example).")
    if "$schema" in data or "version" in data:
        return read_policy_document(data, source)
    try:
        return EscalationPolicy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(describe_validation(exc, source, root)) from None


def load_policy_yaml(path: Path | str) -> EscalationPolicy:
    path = Path(path)
    if not path.exists():
        raise PolicyError(f"{path}: file not found. Write one with `playbook policy --out {path.name}`.")
    return parse_policy_yaml(read_text_file(path, MAX_YAML_CHARS, PolicyError), str(path))
