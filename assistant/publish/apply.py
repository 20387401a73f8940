"""Sending a plan: creates and updates in dependency order, each outcome recorded exactly.

Every body is checked against its vendor's description again after its references are resolved,
and is never sent when it fails. A resource whose body refers to one that failed or was blocked is
skipped, naming it; others go on. Credentials refused (401/403) stop the apply at once, and every
resource not attempted says so. What was applied stays applied: applying again picks up from there.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from assistant.publish.clients import CredentialsRefused, PublishError, VendorClient
from assistant.publish.model import REFERENCE, Resource, Target, resolve, unresolved
from assistant.publish.plan import Change, Plan
from assistant.publish.schemas import body_problems

Status = Literal["created", "updated", "unchanged", "failed", "skipped", "blocked"]


class Outcome(BaseModel):
    kind: str
    name: str
    status: Status
    id: str | None = None
    message: str = ""


class ApplyReport(BaseModel):
    target: Target
    outcomes: list[Outcome]

    @property
    def ok(self) -> bool:
        return all(o.status in ("created", "updated", "unchanged") for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        statuses = ("created", "updated", "unchanged", "failed", "skipped", "blocked")
        return {s: n for s in statuses if (n := sum(o.status == s for o in self.outcomes))}

    def text(self) -> str:
        summary = ", ".join(f"{n} {s}" for s, n in self.counts().items())
        head = f"Applied to {self.target}: {summary}." if self.ok else f"Applied to {self.target} in part: {summary}."
        lines = [f"  {o.status:9} {o.kind} {o.name!r}" + (f" — {o.message}" if o.message else "") for o in self.outcomes]
        return "\n".join([head, *lines])


def apply_plan(plan: Plan, client: VendorClient) -> ApplyReport:
    """Send the plan's creates and updates; unchanged and blocked resources are reported as they are."""
    ids: dict[tuple[str, str], str] = {(c.kind, c.name): c.id for c in plan.changes if c.id}
    broken: set[tuple[str, str]] = {(c.kind, c.name) for c in plan.changes if c.action == "blocked"}
    outcomes: list[Outcome] = []
    stopped: str | None = None
    for change in plan.changes:
        if stopped is not None:
            outcomes.append(Outcome(kind=change.kind, name=change.name, status="skipped", message=stopped))
            continue
        try:
            outcome = _one(change, client, ids, broken)
        except CredentialsRefused as exc:
            outcome = Outcome(kind=change.kind, name=change.name, status="failed", id=change.id, message=exc.message)
            stopped = "not attempted: the credentials were refused"
        if outcome.status in ("failed", "skipped", "blocked"):
            broken.add((change.kind, change.name))
        if outcome.id:
            ids[(change.kind, change.name)] = outcome.id
        outcomes.append(outcome)
    return ApplyReport(target=plan.target, outcomes=outcomes)


def _one(change: Change, client: VendorClient, ids: dict[tuple[str, str], str], broken: set[tuple[str, str]]) -> Outcome:
    base = {"kind": change.kind, "name": change.name, "id": change.id}
    if change.action in ("unchanged", "blocked"):
        return Outcome(status=change.action, message=change.reason, **base)
    body = resolve(change.body, ids)
    waiting = [m for ref in unresolved(body) if (m := REFERENCE.match(ref))]
    if waiting:
        names = ", ".join(f"{m['kind']} {m['name']!r}" for m in waiting)
        why = "failed or was blocked" if any((m["kind"], m["name"]) in broken for m in waiting) else "does not exist"
        return Outcome(status="skipped", message=f"depends on {names}, which {why}", **base)
    problems = body_problems(Resource(kind=change.kind, name=change.name, body=body))  # type: ignore[arg-type]
    if problems:
        return Outcome(status="failed", message="not sent, the body does not fit the API: " + "; ".join(problems), **base)
    try:
        if change.action == "create":
            made = client.create(change.kind, body)
            return Outcome(kind=change.kind, name=change.name, status="created", id=str(made.get("id") or "") or None)
        client.update(change.kind, str(change.id), body)
        return Outcome(status="updated", message="changed: " + ", ".join(change.changed), **base)
    except CredentialsRefused:
        raise
    except PublishError as exc:
        return Outcome(status="failed", message=exc.message, **base)
