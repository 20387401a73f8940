"""What applying would do, as Terraform prints it: each resource created, updated (and which fields) or unchanged.

The live account is read once (:func:`read_live`): the studio's own objects of each kind
(recognised by the name prefix) and the ids of what bodies refer to by name (groups, schedules).
A desired body is compared with the live object on the fields the studio sets only, so a field
the vendor adds (ids, timestamps, positions) never reads as a change. A managed object the policy
no longer describes is listed as obsolete and left alone; anything not named with the prefix is
never read into the plan at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel

from assistant.publish.clients import VendorClient
from assistant.publish.model import REFERENCE, Bundle, Target, is_managed, resolve, unresolved

Action = Literal["create", "update", "unchanged", "blocked"]
#: lists whose order means nothing to the vendor
_UNORDERED = frozenset({"all", "any", "policy_metrics", "targets"})
#: references to objects the studio does not create, looked up by exact name, as people call them
LOOKUPS = {"group": "group", "schedule": "on-call schedule"}


class LiveState(BaseModel):
    """The studio's own objects in the account, by kind, and the ids of named groups and schedules."""

    objects: dict[str, list[dict[str, Any]]] = {}
    #: "kind:name" -> id
    lookups: dict[str, str] = {}

    def ids(self) -> dict[tuple[str, str], str]:
        found = {tuple(key.split(":", 1)): value for key, value in self.lookups.items()}
        for kind, objects in self.objects.items():
            for obj in objects:
                found[(kind, _name(obj))] = str(obj.get("id"))
        return found  # type: ignore[return-value]


class Change(BaseModel):
    action: Action
    kind: str
    name: str
    level: int | None = None
    #: the live object's id (update, unchanged)
    id: str | None = None
    #: the body to send, with every reference resolved that can be
    body: dict[str, Any]
    #: the fields an update changes
    changed: list[str] = []
    reason: str = ""


class Plan(BaseModel):
    target: Target
    changes: list[Change]
    #: the studio's objects the policy no longer describes: left alone
    obsolete: list[str] = []
    notes: list[str] = []
    #: False when no credentials were set, so everything reads as "create"
    live_read: bool = True

    def counts(self) -> dict[str, int]:
        return {action: sum(c.action == action for c in self.changes) for action in ("create", "update", "unchanged", "blocked")}

    @property
    def pending(self) -> bool:
        return any(c.action in ("create", "update") for c in self.changes)

    def text(self) -> str:
        """The plan as Terraform prints it: ``+`` create, ``~`` update (fields), ``=`` unchanged, ``!`` blocked."""
        marks = {"create": "+", "update": "~", "unchanged": "=", "blocked": "!"}
        lines = []
        for change in self.changes:
            detail = f" ({', '.join(change.changed)})" if change.changed else f" — {change.reason}" if change.reason else ""
            lines.append(f"  {marks[change.action]} {change.kind} {change.name!r}{detail}")
        lines += [f"  - obsolete {name!r}: no longer in the policy, left alone (delete it by hand if unwanted)" for name in self.obsolete]
        counts = self.counts()
        summary = ", ".join(f"{n} to {a}" if a in ("create", "update") else f"{n} {a}" for a, n in counts.items() if n)
        head = f"Plan for {self.target}: {summary or 'nothing to do'}."
        if not self.live_read:
            head += " (No credentials set: the live configuration was not read, so everything reads as new.)"
        return "\n".join([head, *lines])


def _name(obj: dict[str, Any]) -> str:
    return str(obj.get("title") or obj.get("name") or "")


def read_live(bundle: Bundle, client: VendorClient) -> LiveState:
    """The studio's objects of each kind the bundle publishes, and the ids of the groups and schedules it names."""
    state = LiveState()
    for kind in dict.fromkeys(r.kind for r in bundle.resources):
        query = {"query": f"[{bundle.prefix}]"} if client.target == "pagerduty" else {}
        state.objects[kind] = [o for o in client.list(kind, **query) if is_managed(bundle.prefix, _name(o))]
    wanted = {(k, n) for r in bundle.resources for k, n in r.references() if k in LOOKUPS}
    for kind in sorted({k for k, _ in wanted}):
        names = {n for k, n in wanted if k == kind}
        query_names = sorted(names) if client.target == "pagerduty" else [""]
        for query in query_names:
            for obj in client.list(kind, **({"query": query} if query else {})):
                if _name(obj) in names:
                    state.lookups.setdefault(f"{kind}:{_name(obj)}", str(obj["id"]))
    return state


def _normal(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _normal(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_normal(v) for v in value]
        return sorted(items, key=json.dumps) if key in _UNORDERED else items
    if value is None:
        return [] if key in _UNORDERED else None
    return str(value) if not isinstance(value, bool) else value


def _project(desired: Any, live: Any) -> Any:
    """``live`` cut down to the shape of ``desired``: the fields the studio sets, nothing the vendor adds."""
    if isinstance(desired, dict) and isinstance(live, dict):
        return {k: _project(v, live.get(k)) for k, v in desired.items()}
    if isinstance(desired, list) and isinstance(live, list) and desired and all(isinstance(d, dict) for d in desired):
        template = desired[0]
        return [_project(template, item) if isinstance(item, dict) else item for item in live]
    return live


def changed_fields(desired: dict[str, Any], live: dict[str, Any]) -> list[str]:
    """The top-level fields of ``desired`` that the live object does not already have."""
    return [key for key, value in desired.items() if _normal(value, key) != _normal(_project(value, live.get(key)), key)]


def plan(bundle: Bundle, live: LiveState | None) -> Plan:
    """Compare the bundle with the live state (None: nothing read, everything is created)."""
    ids = live.ids() if live is not None else {}
    names = {(r.kind, r.name) for r in bundle.resources}
    changes = []
    for resource in bundle.resources:
        body = resolve(resource.body, ids)
        missing = [REFERENCE.match(ref) for ref in unresolved(body)]
        absent = [m for m in missing if m and m["kind"] in LOOKUPS and (m["kind"], m["name"]) not in names]
        base = {"kind": resource.kind, "name": resource.name, "level": resource.level, "body": body}
        if live is not None and absent:
            what = "; ".join(f"no {LOOKUPS[m['kind']]} named {m['name']!r}" for m in absent)
            changes.append(Change(action="blocked", reason=f"{what}: create it, or change the level's routing", **base))
            continue
        current = next((o for o in (live.objects.get(resource.kind, []) if live else []) if _name(o) == resource.name), None)
        if current is None:
            changes.append(Change(action="create", **base))
            continue
        fields = changed_fields(body[resource.wrapper], current)
        changes.append(Change(action="update" if fields else "unchanged", id=str(current.get("id")), changed=fields, **base))
    obsolete = _obsolete(live, names) if live is not None else []
    return Plan(target=bundle.target, changes=changes, obsolete=obsolete, notes=bundle.notes, live_read=live is not None)


def _obsolete(live: LiveState, names: Iterable[tuple[str, str]]) -> list[str]:
    wanted = set(names)
    return [_name(o) for kind, objects in live.objects.items() for o in objects if (kind, _name(o)) not in wanted]
