"""A policy extracted from a playbook draft by a real model, as JSON that fits the policy's schema.

The only analytics code that calls a provider: the draft and the schema go out in one request,
and the answer is parsed and validated like any other policy. Offline, the policy is derived from
the organisation profile instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from assistant.analytics.policy.derive import policy_from_variables
from assistant.analytics.policy.errors import PolicyError, describe_validation
from assistant.analytics.policy.model import EscalationPolicy
from assistant.analytics.tickets.fields import CONDITION_COLUMNS

if TYPE_CHECKING:
    from assistant.providers.base import CompletionRequest, Provider


FIELD_GUIDE = {
    "priority": "text P1–P4 (P1 most urgent)",
    "tier": "customer tier / segment name, e.g. Free, Pro, Enterprise",
    "arr": "annual recurring revenue of the account in dollars",
    "channel": "email, chat, ticket portal, phone, social",
    "category": "e.g. outage, security, data loss, billing, bug, integration, legal, how-to",
    "reopen_count": "times the ticket was reopened",
    "csat": "satisfaction score 1–5",
    "sentiment": "customer sentiment from -1 (angry) to 1 (happy)",
    "first_response_minutes": "minutes to the first reply",
    "resolution_minutes": "minutes from creation to resolution",
    "escalate_minutes": "minutes from creation to escalation",
    "disputed_amount": "dollar amount in a billing dispute",
    "churn_threat": "yes/no: the customer threatened to leave",
    "escalated": "yes/no: the ticket was escalated",
    "escalation_reason": "why it was escalated",
    "escalated_at": "(timestamp; not for conditions)",
}


def policy_json_schema() -> dict[str, Any]:
    """The JSON schema a model's answer must fit (pydantic's, from :class:`EscalationPolicy`)."""
    return EscalationPolicy.model_json_schema()


def policy_request(playbook: str, *, model: str, max_tokens: int = 3000) -> CompletionRequest:
    """A structured-output request: the draft, the schema, the fields, and "JSON only"."""
    from assistant.providers.base import CompletionRequest

    fields = "\n".join(f"- {name}: {FIELD_GUIDE.get(name, '')}" for name in sorted(CONDITION_COLUMNS))
    prompt = (
        "Extract the escalation triggers and response targets of the escalation playbook below as data.\n\n"
        "Rules:\n"
        "- One entry per escalation level 1–4 (Level 0 is standard support and is left out).\n"
        "- Each trigger is a list of conditions on the ticket fields listed below; `match: all` means every "
        "condition must hold. Use numbers for thresholds (5000, not \"$5K\"); minutes for every time.\n"
        "- Use `in` with `values` for text fields, `is_true` for yes/no fields, and >, >=, <, <= with `threshold` "
        "for numbers.\n"
        "- targets: ack_minutes (first acknowledgement), update_minutes (customer update cadence), "
        "resolution_minutes (resolution target), as the playbook states them.\n\n"
        f"Ticket fields:\n{fields}\n\n"
        "Answer with ONE JSON object that validates against this JSON schema, and nothing else: no prose, "
        "no explanation.\n\n"
        f"JSON schema:\n```json\n{json.dumps(policy_json_schema(), indent=1)}\n```\n\n"
        f"The playbook:\n<<<PLAYBOOK\n{playbook.strip()}\nPLAYBOOK>>>\n"
    )
    return CompletionRequest(
        model=model,
        prompt=prompt,
        system="You convert operations documents into JSON data. You answer with JSON only.",
        max_tokens=max_tokens,
        temperature=0.0,
    )


_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)```", re.DOTALL)


def parse_policy_answer(text: str) -> EscalationPolicy:
    """The policy in a model's answer: a bare JSON object, or one inside a ```json fence.

    Raises :class:`PolicyError` saying what was wrong (no JSON, bad JSON at line/column, or which
    fields do not fit the schema).
    """
    fenced = _FENCE.search(text)
    candidate = fenced.group(1) if fenced else text
    start, end = candidate.find("{"), candidate.rfind("}")
    if start < 0 or end <= start:
        raise PolicyError(
            "The model's answer holds no JSON object. Ask again, or derive the policy from the organisation profile "
            "(offline) and edit it."
        )
    try:
        data = json.loads(candidate[start : end + 1])
    except json.JSONDecodeError as exc:
        raise PolicyError(f"The model's answer is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). Ask again.") from None
    if isinstance(data, dict):
        data.setdefault("source", "model")
    try:
        return EscalationPolicy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError("The model's JSON does not fit the policy schema: " + describe_validation(exc, "answer")) from None


def obtain_policy(provider: Provider, playbook: str, variables: Mapping[str, Any], *, model: str) -> EscalationPolicy:
    """The policy for a draft: from the model's structured output, or from the variables when offline."""
    from assistant.providers.base import collect

    if provider.name == "offline" or not playbook.strip():
        return policy_from_variables(variables)
    answer = collect(provider, policy_request(playbook, model=model))
    return parse_policy_answer(answer.text)
