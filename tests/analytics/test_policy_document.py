"""The policy as a versioned document other tools read: its JSON Schema, round trips, and what it refuses."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given, settings

from assistant.analytics.policy import (
    SCHEMA_ID,
    SCHEMA_VERSION,
    EscalationPolicy,
    PolicyError,
    dump_policy_document,
    parse_policy_yaml,
    policy_document,
    policy_from_variables,
    policy_schema,
    read_policy_document,
)

from policy_strategies import policies

VALIDATOR = jsonschema.Draft202012Validator(policy_schema())


def test_the_schema_names_its_id_and_version_and_is_a_valid_2020_12_schema() -> None:
    schema = policy_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SCHEMA_ID and schema["version"] == SCHEMA_VERSION
    assert SCHEMA_VERSION in SCHEMA_ID
    assert {"$schema", "version", "levels"} <= set(schema["required"])


def test_the_example_company_document_validates_and_states_every_part_of_the_policy(atlasflow) -> None:
    document = policy_document(policy_from_variables(atlasflow))
    VALIDATOR.validate(document)
    assert document["$schema"] == SCHEMA_ID and document["version"] == SCHEMA_VERSION
    level3 = document["levels"][2]
    assert level3["severity"] == "P1" and level3["routing"] == "Incident Command"
    assert level3["roles"][0] == "Incident Commander" and level3["criteria"].startswith("Any of: ")
    assert {r["name"] for r in document["roles"]} >= {"Escalation Owner", "Incident Commander", "Comms Lead", "SME Lead"}
    assert document["war_room"]["channel"] == "#esc-{ticket_id}" and "Slack" in document["war_room"]["bridge"]
    assert document["naming"]["tag_prefix"] == "esc"


@settings(max_examples=60, deadline=None)
@given(policies())
def test_random_valid_policies_validate_and_read_back_unchanged(policy: EscalationPolicy) -> None:
    document = policy_document(policy)
    VALIDATOR.validate(json.loads(json.dumps(document)))
    assert read_policy_document(document) == policy
    assert parse_policy_yaml(dump_policy_document(policy, "yaml"), "policy.yaml") == policy


def test_a_document_with_an_unknown_field_or_a_missing_level_fails_the_schema(atlasflow) -> None:
    document = policy_document(policy_from_variables(atlasflow))
    with pytest.raises(jsonschema.ValidationError, match="owner"):
        VALIDATOR.validate({**document, "owner": "ops"})
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate({**document, "levels": []})


def test_a_document_for_another_major_version_is_refused_by_name(atlasflow) -> None:
    document = policy_document(policy_from_variables(atlasflow))
    with pytest.raises(PolicyError, match="version 2.0.0; this studio reads version 1.0.0"):
        read_policy_document({**document, "version": "2.0.0"}, "policy.json")
    assert read_policy_document({**document, "version": "1.4.0"}) == policy_from_variables(atlasflow)


def test_a_level_that_engages_a_role_the_policy_does_not_define_is_refused(atlasflow) -> None:
    data = policy_from_variables(atlasflow).model_dump()
    data["levels"][2]["roles"] = ["Incident Manager"]
    with pytest.raises(ValueError, match="level 3 engages 'Incident Manager', which the policy's roles do not define"):
        EscalationPolicy.model_validate(data)
