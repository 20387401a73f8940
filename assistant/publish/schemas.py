"""Every body is checked against the API description of its vendor before it is written or sent.

The descriptions (``schemas/zendesk.yaml``, ``schemas/pagerduty.yaml``) are OpenAPI 3.0 documents
of the operations the studio calls; a body is validated against its operation's request schema
with ``openapi-schema-validator`` (JSON Schema plus OpenAPI's ``nullable``), and every problem is
reported with the path of the field, so a broken body never reaches a vendor.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

from assistant.publish.model import Resource, Target

#: the request schema of each kind of resource, in its vendor's description
REQUEST_SCHEMAS: dict[str, tuple[Target, str]] = {
    "trigger_category": ("zendesk", "TriggerCategoryRequest"),
    "trigger": ("zendesk", "TriggerRequest"),
    "sla_policy": ("zendesk", "SLAPolicyRequest"),
    "escalation_policy": ("pagerduty", "EscalationPolicyRequest"),
    "service": ("pagerduty", "ServiceRequest"),
}


@cache
def api_description(target: Target) -> dict[str, Any]:
    """The OpenAPI description of the part of ``target``'s API the studio uses."""
    text = resources.files("assistant.publish").joinpath("schemas", f"{target}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def _validator(kind: str) -> OAS30Validator:
    target, name = REQUEST_SCHEMAS[kind]
    components = api_description(target)["components"]
    return OAS30Validator({"$ref": f"#/components/schemas/{name}", "components": components})


def body_problems(resource: Resource) -> list[str]:
    """What is wrong with a resource's body against its vendor's description (empty: it is valid)."""
    errors = sorted(_validator(resource.kind).iter_errors(resource.body), key=lambda e: list(e.absolute_path))
    return [f"{resource.name}: {'.'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors]
