"""What publishing produces: named resources with the exact JSON body the vendor's API takes.

A body may hold references to objects that exist only in the live account (a Zendesk group, a
PagerDuty schedule) or that an earlier resource creates (a trigger category, an escalation
policy), written ``${kind:name}``; they are resolved to ids when the plan reads the live account.
Every resource the studio publishes is named with the policy's prefix (``[esc] ...``), which is how
it recognises its own and never touches anything else.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Target = Literal["zendesk", "pagerduty"]
TARGETS: tuple[Target, ...] = ("zendesk", "pagerduty")
Kind = Literal["trigger_category", "trigger", "sla_policy", "escalation_policy", "service"]
#: ``${group:Incident Command}``: an id to look up (a group, a schedule) or to take from a resource created first
REFERENCE = re.compile(r"^\$\{(?P<kind>[a-z_]+):(?P<name>.+)\}$")


def reference(kind: str, name: str) -> str:
    return f"${{{kind}:{name}}}"


def managed_name(prefix: str, name: str) -> str:
    """``[esc] L3 Incident Command``: the name that marks a resource as the studio's."""
    return f"[{prefix}] {name}"


def is_managed(prefix: str, name: str | None) -> bool:
    return bool(name) and str(name).startswith(f"[{prefix}] ")


class Resource(BaseModel):
    """One object to publish: its kind, its managed name and the request body that creates it."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    name: str
    #: the JSON request body, e.g. ``{"trigger": {...}}``, possibly holding ``${kind:name}`` references
    body: dict[str, Any]
    #: the policy level it comes from (None: shared by every level, like the trigger category)
    level: int | None = None

    @property
    def wrapper(self) -> str:
        """The body's top-level key (``trigger``, ``sla_policy``, ``escalation_policy``...)."""
        return next(iter(self.body))

    @property
    def fields(self) -> dict[str, Any]:
        return self.body[self.wrapper]

    def references(self) -> list[tuple[str, str]]:
        """Every ``(kind, name)`` this body refers to, in order of appearance."""
        found: list[tuple[str, str]] = []
        _walk(self.body, lambda value: found.append((m["kind"], m["name"])) if (m := REFERENCE.match(value)) else None)
        return list(dict.fromkeys(found))


class Bundle(BaseModel):
    """Everything one target gets from a policy, in the order it must be created."""

    target: Target
    prefix: str
    resources: list[Resource]
    #: what a person should know before applying (a condition matched by a tag, not a field)
    notes: list[str] = []


def _walk(value: Any, visit: Any) -> None:
    if isinstance(value, str):
        visit(value)
    elif isinstance(value, dict):
        for item in value.values():
            _walk(item, visit)
    elif isinstance(value, list):
        for item in value:
            _walk(item, visit)


def resolve(value: Any, ids: dict[tuple[str, str], str]) -> Any:
    """``value`` with every ``${kind:name}`` whose id is known replaced by that id."""
    if isinstance(value, str):
        match = REFERENCE.match(value)
        return ids.get((match["kind"], match["name"]), value) if match else value
    if isinstance(value, dict):
        return {key: resolve(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, ids) for item in value]
    return value


def unresolved(value: Any) -> list[str]:
    """The ``${kind:name}`` references still in ``value``."""
    found: list[str] = []
    _walk(value, lambda text: found.append(text) if REFERENCE.match(text) else None)
    return found
