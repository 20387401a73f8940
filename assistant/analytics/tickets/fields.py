"""The ticket fields calibration and the dashboard know, named once with the header names that mean them.

Every other part of the ticket work (column detection, the loader, policy conditions) reads this
catalogue, so a new field or synonym is added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["id", "timestamp", "text", "number", "boolean", "priority", "level"]


@dataclass(frozen=True)
class TicketField:
    """One thing calibration or the dashboard needs to know about a ticket."""

    name: str
    label: str
    kind: FieldKind
    #: header names that mean this field (normalised: lower case, words split on punctuation)
    synonyms: tuple[str, ...]
    required: bool = False


FIELDS: tuple[TicketField, ...] = (
    TicketField("ticket_id", "Ticket id", "id", ("ticket id", "id", "ticket", "ticket number", "case id", "case number", "issue key", "key", "number")),
    TicketField(
        "created_at", "Created time", "timestamp",
        ("created at", "created", "created time", "creation time", "opened at", "opened", "open time", "date created", "submitted at", "submitted", "created date", "date opened"),
        required=True,
    ),
    TicketField("resolved_at", "Resolved time", "timestamp", ("resolved at", "resolved", "resolved time", "closed at", "closed", "solved at", "solved", "date resolved", "date closed", "resolution time", "close time")),
    TicketField("priority", "Priority / severity", "priority", ("priority", "severity", "sev", "urgency", "prio", "priority level", "severity level")),
    TicketField("tier", "Customer tier", "text", ("customer tier", "tier", "plan", "segment", "customer segment", "account tier", "support tier", "sla tier")),
    TicketField("arr", "ARR ($)", "number", ("arr", "annual recurring revenue", "account arr", "contract value", "acv", "account value", "annual contract value")),
    TicketField("channel", "Channel", "text", ("channel", "source", "via", "contact channel", "medium", "origin")),
    TicketField("category", "Category", "text", ("category", "issue type", "type", "topic", "ticket type", "product area", "issue category", "problem type")),
    TicketField("reopen_count", "Reopen count", "number", ("reopen count", "reopens", "reopened", "times reopened", "reopen", "reopened count", "number of reopens")),
    TicketField("csat", "CSAT (1–5)", "number", ("csat", "csat score", "satisfaction", "satisfaction score", "satisfaction rating", "rating", "survey score")),
    TicketField("sentiment", "Sentiment (−1…1)", "number", ("sentiment", "sentiment score", "tone", "customer sentiment")),
    TicketField(
        "first_response_minutes", "First-response time (minutes)", "number",
        ("first response", "first response time", "time to first response", "frt", "first reply time", "first reply", "time to first reply", "first response mins"),
    ),
    TicketField("escalated", "Escalated (yes/no)", "boolean", ("escalated", "is escalated", "was escalated", "escalation", "escalated flag")),
    TicketField("escalation_level", "Escalation level", "level", ("escalation level", "escalated to", "level", "esc level", "escalation tier", "tier escalated", "escalated level", "highest level")),
    TicketField("escalated_at", "Escalated time", "timestamp", ("escalated at", "escalation time", "escalated time", "escalation date", "escalated on", "date escalated")),
    TicketField("escalation_reason", "Escalation reason", "text", ("escalation reason", "reason for escalation", "escalation cause", "escalation type", "reason")),
    TicketField("disputed_amount", "Disputed amount ($)", "number", ("disputed amount", "dispute amount", "amount disputed", "billing amount", "amount", "refund amount", "dispute value")),
    TicketField("churn_threat", "Churn threat (yes/no)", "boolean", ("churn threat", "churn risk", "intent to cancel", "cancellation threat", "churn", "threatened to churn", "at risk")),
)
FIELD_BY_NAME: dict[str, TicketField] = {f.name: f for f in FIELDS}

#: columns computed from the mapped ones; usable in policy conditions and the dashboard
DERIVED: dict[str, str] = {
    "resolution_minutes": "minutes from created to resolved",
    "escalate_minutes": "minutes from created to escalated",
}
NUMERIC_COLUMNS = frozenset({f.name for f in FIELDS if f.kind == "number"} | set(DERIVED))
TEXT_COLUMNS = frozenset({f.name for f in FIELDS if f.kind in ("text", "priority", "id")})
BOOLEAN_COLUMNS = frozenset({f.name for f in FIELDS if f.kind == "boolean"})
#: every column a policy condition may name
CONDITION_COLUMNS = frozenset((NUMERIC_COLUMNS | TEXT_COLUMNS | BOOLEAN_COLUMNS) - {"ticket_id"})
