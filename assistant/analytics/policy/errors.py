"""Policy errors that say where: the YAML line and the field path, so a person can find and fix the entry.

YAML files, the app's grid and a model's JSON answer are checked by the same pydantic model; this
module turns its errors into one message per problem.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml
from pydantic import ValidationError

from assistant.errors import UserInputError


class PolicyError(UserInputError):
    """A policy (YAML, table or model answer) is not valid; the message says where and how to fix it."""


def field_path(loc: Sequence[int | str]) -> str:
    """``levels[1].triggers[0].op``: a pydantic error location written the way the YAML reads."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _yaml_line(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """1-based line of the YAML node at a pydantic error location (the deepest one that exists)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def describe_validation(error: ValidationError, source: str, root: yaml.Node | None = None) -> str:
    """Every problem as ``source line N: levels[1].triggers[0].conditions[0].op: message``."""
    parts = []
    for err in error.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "tagged-union")))]
        line = _yaml_line(root, loc) if root is not None else None
        where = f" line {line}" if line else ""
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{source}{where}: {field_path(loc)}: {message}")
    return "; ".join(parts)
