"""Every body also fits the vendors' own published OpenAPI documents (``make vendor-check``).

The vendors' documents are not part of this repository (PagerDuty's carries no licence; Zendesk's
is published under its developer terms): put ``zendesk-oas.yaml`` (Zendesk's Support API OpenAPI
document) and ``pagerduty-openapiv3.json`` (``reference/REST/openapiv3.json`` of PagerDuty's
api-schema repository) in a folder and point ``VENDOR_OPENAPI_DIR`` at it. docs/publishing.md
says where each comes from.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from openapi_schema_validator import OAS30Validator

from assistant.analytics.policy import EscalationPolicy
from assistant.publish import bundle

from policy_strategies import policies

pytestmark = pytest.mark.vendor
FILES = {"zendesk": "zendesk-oas.yaml", "pagerduty": "pagerduty-openapiv3.json"}
#: the vendor operation each kind is created with
OPERATIONS = {
    "trigger_category": ("zendesk", "/api/v2/trigger_categories"),
    "trigger": ("zendesk", "/api/v2/triggers"),
    "sla_policy": ("zendesk", "/api/v2/slas/policies"),
    "escalation_policy": ("pagerduty", "/escalation_policies"),
    "service": ("pagerduty", "/services"),
}


class _Loader(yaml.SafeLoader):
    """Zendesk's document uses YAML's ``=`` value tag in one example."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))  # type: ignore[arg-type]


def _document(target: str) -> dict[str, Any]:
    folder = os.environ.get("VENDOR_OPENAPI_DIR")
    if not folder:
        pytest.fail("Set VENDOR_OPENAPI_DIR to the folder holding the vendors' OpenAPI documents (see docs/publishing.md).")
    text = (Path(folder) / FILES[target]).read_text(encoding="utf-8")
    return json.loads(text) if FILES[target].endswith(".json") else yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader


def _validator(kind: str, documents: dict[str, dict[str, Any]]) -> OAS30Validator:
    target, path = OPERATIONS[kind]
    document = documents[target]
    request = document["paths"][path]["post"].get("requestBody")
    if request is not None:
        schema = request["content"]["application/json"]["schema"]
    else:  # Zendesk documents no request body for creating an SLA policy: its object is the body's content
        schema = {"type": "object", "required": ["sla_policy"], "properties": {"sla_policy": {"$ref": "#/components/schemas/SLAPolicyObject"}}}
    return OAS30Validator({**schema, "components": document["components"]})


@pytest.fixture(scope="module")
def validators() -> dict[str, OAS30Validator]:
    documents = {target: _document(target) for target in FILES}
    return {kind: _validator(kind, documents) for kind in OPERATIONS}


def _problems(policy: EscalationPolicy, validators: dict[str, OAS30Validator]) -> list[str]:
    found = []
    for target in ("zendesk", "pagerduty"):
        for resource in bundle(policy, target).resources:  # type: ignore[arg-type]
            found += [f"{resource.name}: {e.message}" for e in validators[resource.kind].iter_errors(resource.body)]
    return found


def test_the_example_company_fits_the_vendors_own_documents(policy: EscalationPolicy, validators) -> None:
    assert _problems(policy, validators) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(policy=policies())
def test_random_valid_policies_fit_the_vendors_own_documents(policy: EscalationPolicy, validators) -> None:
    assert _problems(policy, validators) == []


def test_a_body_that_breaks_the_vendors_rules_is_caught(policy: EscalationPolicy, validators) -> None:
    resource = next(r for r in bundle(policy, "pagerduty").resources if r.kind == "escalation_policy")
    broken = {"escalation_policy": {**resource.fields, "on_call_handoff_notifications": "sometimes"}}
    assert list(validators["escalation_policy"].iter_errors(broken))
