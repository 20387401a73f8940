"""How an escalation is run at each level: the roles it engages, the team that owns it, the war
room and the naming conventions a derived policy starts with.

These are the parts of the policy the ticketing and paging tools are configured from (a group or
on-call schedule per level, the roles to notify, the channel to open), so a derived policy states
them plainly and a person edits them in the policy YAML like any other field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.analytics.policy.model import Naming, Role, WarRoom

#: the playbook's roles (the runbooks step writes one runbook for each of the first four)
ROLES = [
    Role(name="Escalation Owner", duty="Owns the escalation end to end and is the customer's single point of contact."),
    Role(name="Incident Commander", duty="Runs the response: decides, delegates, keeps the timeline."),
    Role(name="Comms Lead", duty="Writes every customer and internal update on the agreed cadence."),
    Role(name="SME Lead", duty="Leads the technical investigation and brings in the engineers it needs."),
    Role(name="Executive Sponsor", duty="Speaks for the company to the customer's leadership; approves exceptions."),
]
LEVEL_ROLES = {
    1: ["Escalation Owner"],
    2: ["Escalation Owner", "SME Lead"],
    3: ["Incident Commander", "Escalation Owner", "Comms Lead", "SME Lead"],
    4: ["Executive Sponsor", "Incident Commander", "Escalation Owner", "Comms Lead", "SME Lead"],
}
#: the team that owns each level: a ticketing group and an on-call schedule of that name
LEVEL_ROUTING = {1: "Support Leads", 2: "Escalation Engineering", 3: "Incident Command", 4: "Executive Escalation"}


def war_room(variables: Mapping[str, Any]) -> WarRoom:
    """The war room in the chat tool the profile names (Slack by default), opened from Level 3."""
    systems = str(variables.get("systems_used") or "").casefold()
    if "teams" in systems and "slack" not in systems:
        return WarRoom(channel="esc-{ticket_id}", bridge="Microsoft Teams meeting in the channel")
    return WarRoom(channel="#esc-{ticket_id}", bridge="Slack huddle in the channel")


def naming() -> Naming:
    return Naming()


def roles() -> list[Role]:
    return list(ROLES)
