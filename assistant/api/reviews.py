"""Review and sign-off of a document set, and the approved policy it publishes.

An author submits the set's current versions for review; reviewers comment on a step or section,
request changes, or approve. An approval pins exactly what was approved: each step's version
number, a hash of their text and of the profile, and the escalation policy they state. Versions
are never rewritten, so an approved set stays as approved; an edit (or a changed profile) makes a
new content hash, and the set is a draft again until someone approves that.

In a team, the person who submitted a set cannot approve it (four eyes); a person using the
studio alone (the local user) marks a set approved directly. Every step lands in the audit trail.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from assistant.analytics.policy import EscalationPolicy, PolicyChange, policy_changes, policy_from_variables
from assistant.errors import UserInputError
from assistant.store import ReviewRecord, RunRecord

if TYPE_CHECKING:
    from assistant.api.studio import Studio

Status = Literal["draft", "in_review", "changes_requested", "approved"]
STATUS_LABELS = {"draft": "Draft - not approved", "in_review": "In review", "changes_requested": "Changes requested", "approved": "Approved"}


def version_set(record: RunRecord) -> dict[str, int]:
    """Each whole step's current version number (fan-out parts are inside their step's version)."""
    return {s.key: s.current.number for s in record.steps if ":" not in s.key and s.current is not None}


def content_hash(record: RunRecord) -> str:
    """A hash of every current version (number and text) and of the profile: what an approval vouches
    for. Any new version, even one restoring older text, is a new draft."""
    texts = {s.key: [s.current.number, s.current.text] for s in record.steps if ":" not in s.key and s.current is not None}
    payload = json.dumps({"texts": texts, "variables": record.variables}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ReviewState(BaseModel):
    status: Status
    content_hash: str
    versions: dict[str, int]
    #: the approval of exactly the current versions (status approved)
    approval: ReviewRecord | None = None
    #: the newest approval of any content of this set (what was last published)
    last_approval: ReviewRecord | None = None
    #: who submitted the current versions, when they are in review
    submitted_by: ReviewRecord | None = None
    entries: list[ReviewRecord] = []

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def approvals(self) -> list[ReviewRecord]:
        return [e for e in self.entries if e.action == "approved"]


def review_state(record: RunRecord, entries: list[ReviewRecord]) -> ReviewState:
    """Where a set stands: the newest decision about its current content decides."""
    current = content_hash(record)
    mine = [e for e in entries if e.content_hash == current and e.action != "commented"]
    last = mine[-1] if mine else None
    status: Status = {"submitted": "in_review", "changes_requested": "changes_requested", "approved": "approved"}.get(
        last.action if last else "", "draft"
    )  # type: ignore[assignment]
    approvals = [e for e in entries if e.action == "approved"]
    submitted = next((e for e in reversed(mine) if e.action == "submitted"), None)
    return ReviewState(
        status=status, content_hash=current, versions=version_set(record), approval=last if status == "approved" else None,
        last_approval=approvals[-1] if approvals else None, submitted_by=submitted if status == "in_review" else None, entries=entries,
    )


def approval_line(approval: ReviewRecord) -> str:
    """"Approved by ann@example.com on 2026-12-05 (version 3f2a9c1e: playbook v3, runbooks v2)"."""
    versions = ", ".join(f"{step} v{number}" for step, number in approval.versions.items())
    return f"Approved by {approval.shown} on {approval.at:%Y-%m-%d} (version {approval.content_hash[:8]}: {versions})"


class Reviews:
    """The review rules, applied for the Studio's viewer."""

    def __init__(self, studio: Studio) -> None:
        self._studio = studio

    @property
    def personal(self) -> bool:
        """The local user, alone: one "Mark approved", no second pair of eyes to wait for."""
        return self._studio.viewer.owner.startswith("local:")

    def state(self, run_id: str) -> ReviewState:
        record = self._studio.run(run_id)
        return review_state(record, self._studio.store.reviews.entries(record.id))

    def submit(self, run_id: str, note: str = "") -> ReviewRecord:
        record = self._studio.writable(run_id)
        state = self._ready(record)
        if state.status in ("in_review", "approved"):
            raise UserInputError(f"This set is already {state.label.lower()}; edit it to start a new draft.")
        return self._add(record, "submitted", body=note or None)

    def comment(self, run_id: str, body: str, *, step: str | None = None, section: str | None = None) -> ReviewRecord:
        record = self._studio.run(run_id)
        if not body.strip():
            raise UserInputError("Write the comment first.")
        if step is not None and step not in {s.id for s in self._studio.pack(record.pack).steps}:
            raise UserInputError(f"This set has no step {step!r}.")
        return self._add(record, "commented", body=body.strip(), step=step, section=section)

    def request_changes(self, run_id: str, body: str) -> ReviewRecord:
        record = self._studio.run(run_id)
        self._decidable(record, "send back")
        if not body.strip():
            raise UserInputError("Say what has to change, so the author knows what to do.")
        return self._add(record, "changes_requested", body=body.strip())

    def approve(self, run_id: str, note: str = "") -> ReviewRecord:
        """Approve the set's current versions (in a team: someone else's submission)."""
        record = self._studio.run(run_id)
        self._decidable(record, "approve")
        policy = policy_from_variables(record.variables).model_dump(mode="json")
        return self._add(record, "approved", body=note or None, policy=policy)

    def _ready(self, record: RunRecord) -> ReviewState:
        state = review_state(record, self._studio.store.reviews.entries(record.id))
        if not state.versions:
            raise UserInputError("This set has no text yet; run or write a step before asking for review.")
        return state

    def _decidable(self, record: RunRecord, verb: str) -> ReviewState:
        state = self._ready(record)
        if state.status == "approved":
            raise UserInputError("These versions are already approved; an edit starts a new draft that needs approval again.")
        if self.personal:
            return state
        if state.status != "in_review" or state.submitted_by is None:
            raise UserInputError(f"Only a set submitted for review can be approved or sent back; ask its author to submit it (you wanted to {verb} it).")
        if state.submitted_by.actor == self._studio.viewer.owner:
            raise UserInputError(f"You submitted this set, so someone else must {verb} it.")
        return state

    def _add(self, record: RunRecord, action: str, **fields: Any) -> ReviewRecord:
        viewer = self._studio.viewer
        versions, digest = version_set(record), content_hash(record)
        entry = self._studio.store.reviews.add(
            record.id, action, actor=viewer.owner, actor_email=viewer.email, versions=versions, content_hash=digest, **fields
        )
        detail = {"version": digest[:8], "versions": versions, **({"step": fields["step"]} if fields.get("step") else {})}
        self._studio.record(action, record.id, detail=detail)
        return entry

    # --- the approved policy -------------------------------------------------------------------

    def policy(self, run_id: str) -> tuple[EscalationPolicy, ReviewState]:
        """The set's approved policy (the newest approval's); else the one its draft states."""
        state = self.state(run_id)
        if state.last_approval is not None and state.last_approval.policy is not None:
            return EscalationPolicy.model_validate(state.last_approval.policy), state
        return policy_from_variables(self._studio.run(run_id).variables), state

    def compare(self, first: int, second: int) -> list[PolicyChange]:
        """What changed in policy terms between two approvals (of one set, or of two sets the viewer sees)."""
        older, newer = (self._approval(first), self._approval(second))
        return policy_changes(EscalationPolicy.model_validate(older.policy), EscalationPolicy.model_validate(newer.policy))

    def _approval(self, review_id: int) -> ReviewRecord:
        entry = self._studio.store.reviews.get(review_id)
        if entry is not None:
            self._studio.run(entry.run_id)  # another's set reads as not found
        if entry is None or entry.action != "approved" or entry.policy is None:
            raise UserInputError(f"No approval {review_id}; `playbook review status RUN_ID` lists a set's approvals.")
        return entry
