"""The policy as a versioned document other tools read: JSON or YAML that names its JSON Schema.

A document is the policy's fields plus ``$schema`` (the schema's ``$id``) and ``version`` (the
schema version it was written against). The schema is pydantic's, from :class:`EscalationPolicy`,
with an ``$id`` and ``version`` of its own: a reader checks a document with any JSON Schema
(2020-12) validator before trusting it. A change that could break a reader raises the major version.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.analytics.policy.errors import PolicyError, describe_validation
from assistant.analytics.policy.model import EscalationPolicy

SCHEMA_VERSION = "1.0.0"
SCHEMA_ID = f"urn:escalation-playbook-studio:schema:escalation-policy:{SCHEMA_VERSION}"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def policy_schema() -> dict[str, Any]:
    """The JSON Schema of a policy document, with its ``$id`` and ``version``."""
    schema = EscalationPolicy.model_json_schema()
    schema["properties"] = {
        "$schema": {"const": SCHEMA_ID, "description": "the schema this document was written against"},
        "version": {"const": SCHEMA_VERSION, "description": "the schema version"},
        **schema["properties"],
    }
    schema["required"] = ["$schema", "version", *schema.get("required", [])]
    return {"$schema": _DIALECT, "$id": SCHEMA_ID, "version": SCHEMA_VERSION, **schema}


def policy_document(policy: EscalationPolicy) -> dict[str, Any]:
    """The policy as a document: its schema's id and version first, then its fields (unset ones left out)."""
    return {"$schema": SCHEMA_ID, "version": SCHEMA_VERSION, **policy.model_dump(mode="json", exclude_none=True)}


def dump_policy_document(policy: EscalationPolicy, fmt: str) -> str:
    """``json`` or ``yaml`` text of :func:`policy_document`."""
    data = policy_document(policy)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def read_policy_document(data: Any, source: str = "policy document") -> EscalationPolicy:
    """A policy from a document; a document written for another major version is refused by name."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: expected a JSON object with '$schema', 'version' and 'levels'.")
    fields = dict(data)
    version = str(fields.pop("version", SCHEMA_VERSION))
    named = fields.pop("$schema", SCHEMA_ID)
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0] or not str(named).startswith(SCHEMA_ID.rsplit(":", 1)[0]):
        raise PolicyError(f"{source}: written for schema {named} version {version}; this studio reads version {SCHEMA_VERSION}.")
    try:
        return EscalationPolicy.model_validate(fields)
    except ValidationError as exc:
        raise PolicyError(describe_validation(exc, source)) from None
