"""The escalation policy model: validation, YAML, the table form, offline derivation, structured output."""

from __future__ import annotations

import json

import pytest

from assistant.analytics.policy import (
    Condition,
    EscalationPolicy,
    PolicyError,
    dump_policy_yaml,
    obtain_policy,
    parse_policy_answer,
    parse_policy_yaml,
    policy_from_rows,
    policy_from_variables,
    policy_json_schema,
    policy_request,
    policy_to_rows,
)
from assistant.providers.offline import OfflineProvider
from assistant.providers.scripted import ScriptedProvider, ScriptedReply


def conditions(policy: EscalationPolicy, level: int) -> list[str]:
    lv = policy.level(level)
    assert lv is not None
    return [t.describe() for t in lv.triggers]


def test_condition_operands_are_checked() -> None:
    assert Condition(column="arr", op=">", threshold=50000).describe() == "arr > 50000"
    assert Condition(column="priority", op="in", values=["P1"]).describe() == "priority in [P1]"
    with pytest.raises(ValueError, match="not numeric"):
        Condition(column="priority", op=">", threshold=1)
    with pytest.raises(ValueError, match="needs a non-empty 'values'"):
        Condition(column="category", op="in", values=[])
    with pytest.raises(ValueError, match="unknown column 'colour'"):
        Condition(column="colour", op="in", values=["red"])
    with pytest.raises(ValueError, match="yes/no field"):
        Condition(column="arr", op="is_true")
    with pytest.raises(ValueError, match="needs a finite 'threshold'"):
        Condition(column="arr", op=">")


def test_levels_are_unique_and_sorted() -> None:
    policy = policy_from_variables({})
    data = policy.model_dump()
    data["levels"].reverse()
    assert [lv.level for lv in EscalationPolicy.model_validate(data).levels] == [1, 2, 3, 4]
    data["levels"][1]["level"] = data["levels"][0]["level"]
    with pytest.raises(ValueError, match="each level may appear once"):
        EscalationPolicy.model_validate(data)


def test_atlasflow_variables_give_the_seed_triggers(atlasflow) -> None:
    policy = policy_from_variables(atlasflow)
    assert policy.title == "AtlasFlow escalation policy" and policy.source == "variables"
    assert "category in [billing] AND disputed_amount > 5000" in conditions(policy, 2)
    assert "priority in [P2] AND tier in [Enterprise] AND resolution_minutes > 120" in conditions(policy, 2)
    assert "priority in [P1] AND category in [outage]" in conditions(policy, 3)
    assert "category in [data loss]" in conditions(policy, 3)
    assert "churn_threat is true AND arr > 50000" in conditions(policy, 4)
    assert "category in [legal]" in conditions(policy, 4)
    assert "reopen_count >= 2" in conditions(policy, 1)
    # "Time-to-ack < 15 min (P1)" sets the incident levels' acknowledgement target
    assert policy.level(3).targets.ack_minutes == 15  # type: ignore[union-attr]


def test_an_empty_profile_gets_sensible_defaults_for_every_level() -> None:
    policy = policy_from_variables({})
    assert [lv.level for lv in policy.levels] == [1, 2, 3, 4]
    assert all(lv.triggers and lv.targets.ack_minutes > 0 for lv in policy.levels)


def test_other_wording_is_parsed_too() -> None:
    policy = policy_from_variables({
        "common_escalation_triggers": "refund dispute over $12k, VIP churn threat, Sev1 outage",
        "customer_segments": "VIP vs Standard",
        "target_metrics": ["P2 acknowledgement within 1 hour"],
    })
    assert "category in [billing] AND disputed_amount > 12000" in conditions(policy, 2)
    assert "churn_threat is true AND tier in [VIP]" in conditions(policy, 4)
    assert "priority in [P1] AND category in [outage]" in conditions(policy, 3)
    assert policy.level(2).targets.ack_minutes == 60  # type: ignore[union-attr]


def test_yaml_round_trip(atlasflow) -> None:
    policy = policy_from_variables(atlasflow)
    assert parse_policy_yaml(dump_policy_yaml(policy)) == policy


def test_yaml_errors_name_the_line_and_the_field(atlasflow) -> None:
    text = dump_policy_yaml(policy_from_variables(atlasflow)).replace("op: '>='", "op: '=>'", 1)
    with pytest.raises(PolicyError) as caught:
        parse_policy_yaml(text, "policy.yaml")
    message = caught.value.message
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "'=>'" in l)
    assert f"policy.yaml line {line}: levels[0].triggers[0].conditions[0].op" in message
    with pytest.raises(PolicyError, match=r"policy.yaml, line 2, column \d+: not valid YAML"):
        parse_policy_yaml("levels:\n  - [unclosed", "policy.yaml")
    with pytest.raises(PolicyError, match="expected a mapping with 'levels'"):
        parse_policy_yaml("- 1\n- 2\n", "policy.yaml")


def test_table_round_trip_and_row_errors(atlasflow) -> None:
    policy = policy_from_variables(atlasflow)
    rows, targets = policy_to_rows(policy)
    assert rows[0] == {"level": 1, "trigger": "Repeat contact (reopened twice or more)", "trigger_match": "all",
                       "column": "reopen_count", "op": ">=", "value": "2"}
    back = policy_from_rows(rows, targets, base=policy)
    assert back.model_dump(exclude={"source"}) == policy.model_dump(exclude={"source"}) and back.source == "edited"
    broken = [dict(r) for r in rows]
    assert broken[4]["column"] == "resolution_minutes"
    broken[4]["value"] = "lots"
    with pytest.raises(PolicyError, match="Conditions table row 5: value 'lots' is not a number"):
        policy_from_rows(broken, targets)
    broken = [dict(r) for r in rows]
    broken[0]["op"] = "in"
    with pytest.raises(PolicyError, match="Level 1 trigger 'Repeat contact.*condition 1: 'in' needs a text field"):
        policy_from_rows(broken, targets)
    with pytest.raises(PolicyError, match="level 4 has no row in the levels table"):
        policy_from_rows(rows, targets[:3])


def test_structured_output_request_carries_the_draft_and_the_schema() -> None:
    request = policy_request("# AtlasFlow playbook\n\nLevel 3 when P1.", model="gpt-x")
    assert "# AtlasFlow playbook" in request.prompt and "JSON only" in (request.system or "")
    assert json.dumps(policy_json_schema(), indent=1) in request.prompt
    assert "nothing else" in request.prompt and request.temperature == 0.0 and request.model == "gpt-x"
    assert policy_json_schema()["properties"]["levels"]["type"] == "array"


def test_answers_are_parsed_bare_fenced_or_with_prose(atlasflow) -> None:
    policy = policy_from_variables(atlasflow)
    body = policy.model_dump_json()
    assert parse_policy_answer(body).levels == policy.levels
    assert parse_policy_answer(f"Here you go:\n```json\n{body}\n```\nDone.").levels == policy.levels
    assert parse_policy_answer(f"Sure! {body} Hope that helps.").levels == policy.levels
    with pytest.raises(PolicyError, match="holds no JSON object"):
        parse_policy_answer("I cannot do that.")
    with pytest.raises(PolicyError, match=r"not valid JSON \(line 1, column"):
        parse_policy_answer('{"levels": [,]}')
    with pytest.raises(PolicyError, match=r"does not fit the policy schema: answer: levels\[0\]\.targets"):
        parse_policy_answer('{"levels": [{"level": 1, "name": "L1", "triggers": [{"name": "x", "conditions": [{"column": "arr", "op": ">", "threshold": 1}]}]}]}')


def test_obtain_policy_asks_a_real_model_and_derives_offline(atlasflow) -> None:
    policy = policy_from_variables({})
    provider = ScriptedProvider([ScriptedReply.from_text("```json\n" + policy.model_dump_json() + "\n```")])
    got = obtain_policy(provider, "# Playbook\n", atlasflow, model="m")
    assert got.levels == policy.levels and got.source == "variables"  # the answer's own source field is kept
    assert "# Playbook" in provider.requests[0].prompt
    assert obtain_policy(OfflineProvider(), "# Playbook\n", atlasflow, model="m") == policy_from_variables(atlasflow)
