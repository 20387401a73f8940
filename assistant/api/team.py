"""What a shared studio keeps about people: the audit trail and each person's daily budget.

Every change to a document set is appended to the audit trail with its author. A run or repair
paid with the operator's key also records its cost there, which is how a person's spending today
is known; ``PLAYBOOK_USER_DAILY_BUDGET_USD`` caps it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from assistant.api.access import Viewer
from assistant.errors import PlaybookError, UserInputError
from assistant.store import AuditRecord, Store


class BudgetError(UserInputError):
    """A run would take a person past their daily budget on the operator's key."""

    exit_code = 1


def record(store: Store, viewer: Viewer, action: str, run_id: str | None = None, **fields: Any) -> None:
    """Append to the audit trail; a trail that cannot be written never stops the work itself."""
    try:
        store.audit.record(viewer.owner, action, actor_email=viewer.email, run_id=run_id, **fields)
    except PlaybookError:
        pass


def record_sign_in(store: Store, viewer: Viewer, signed_in_at: str | None) -> None:
    """One ``signed_in`` entry per sign-in with the identity provider (``signed_in_at``: when it issued
    the identity), however many app sessions (page loads, tabs) that sign-in opens."""
    try:
        latest = store.audit.entries(1, actor=viewer.owner, action="signed_in")
    except PlaybookError:
        latest = []
    if signed_in_at is not None and latest and (latest[0].detail or {}).get("provider_sign_in") == signed_in_at:
        return
    record(store, viewer, "signed_in", detail={"provider_sign_in": signed_in_at} if signed_in_at else None)


def spent_today(store: Store, viewer: Viewer) -> float:
    midnight = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
    return store.audit.spent_since(viewer.owner, midnight)


def budget_left(store: Store, viewer: Viewer, budget: float | None) -> float | None:
    """What ``viewer`` may still spend today on the operator's key (None: no budget)."""
    if budget is None:
        return None
    return max(0.0, round(budget - spent_today(store, viewer), 6))


def check_budget(store: Store, viewer: Viewer, budget: float | None, estimated: float | None) -> None:
    """Refuse a run whose estimate does not fit in what is left of today's budget."""
    left = budget_left(store, viewer, budget)
    if left is None:
        return
    if estimated is None:
        raise BudgetError(
            "This model's price is unknown, so it cannot be checked against your daily budget; choose a priced model, "
            "or use your own key."
        )
    if estimated > left:
        raise BudgetError(
            f"This run is estimated at ${estimated:.4f}, and ${left:.4f} of your ${budget:.2f} daily budget is left. "
            "Run fewer steps, choose a cheaper model, or use your own key (then no budget applies)."
        )


def audit_entries(store: Store, viewer: Viewer, limit: int = 200) -> list[AuditRecord]:
    if not viewer.admin:
        raise UserInputError("Only admins see the audit trail.")
    return store.audit.entries(limit)
