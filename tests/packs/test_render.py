"""Rendering: user values are data, missing values are named, lists become bullets."""

from __future__ import annotations

import pytest

from assistant.errors import TemplateRenderError, VariablesError
from assistant.packs import ListValue, prepare_variables, render_step
from assistant.packs import Pack

INJECTIONS = [
    "{{ 7*7 }}",
    "{% for x in range(3) %}loop{% endfor %}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ config }}{{ self }}",
    "{# comment #}",
    "${7*7} <%= 7*7 %>",
]


def test_playbook_prompt_contains_every_deliverable_and_sub_item(procedure: Pack, atlasflow: dict) -> None:
    prompt = render_step(procedure, procedure.step("playbook"), atlasflow).user
    checklist = procedure.checklist_for("playbook")
    for number, section in enumerate(checklist.listed, 1):
        assert f"✅ **{number}) {section.title}**" in prompt
        for item in section.items:
            expected = item.text.replace("[SYSTEMS_USED]", "Zendesk + Slack + Jira")
            assert f"- {expected}\n" in prompt
    assert "Finish with a ✅ Deliverable Checklist confirming all sections are present." in prompt


def test_playbook_prompt_keeps_the_seed_framework_and_rules(procedure: Pack, atlasflow: dict) -> None:
    prompt = render_step(procedure, procedure.step("playbook"), atlasflow).user
    for principle in ["**Speed with Structure** – fast response without chaos",
                      "**Single Owner per Escalation**", "**Clear Entry Criteria**", "**Tiered Routing**",
                      "**Transparent Communication**", "**Decision Rights & Guardrails**", "**Post-Escalation Learning**"]:
        assert principle in prompt
    assert "Write the output as a professional operations playbook with tables, decision trees, scripts" in prompt
    assert "tailored to 24/7 for Enterprise P1; Mon–Fri 8am–8pm for other tiers and Free / Pro / Enterprise" in prompt
    assert "💡 Pro Tip: Make escalation criteria strict and measurable." in prompt


@pytest.mark.parametrize("payload", INJECTIONS)
def test_template_injection_stays_literal_in_every_variable(procedure: Pack, payload: str) -> None:
    values = dict(procedure.example)
    for variable in procedure.variables:
        values[variable.name] = [payload] if variable.type == "list" else payload
    variables = prepare_variables(procedure, values)
    for step in procedure.steps:
        inputs = {n: payload for n in step.needs}
        part = procedure.fan_out_parts.get(step.id, [None])[0]
        prompt = render_step(procedure, step, variables, inputs, part=part).user
        assert payload in prompt, step.id
        assert "49" not in prompt.replace(payload, "")
        assert "looploop" not in prompt


def test_missing_required_variables_are_all_named_with_the_pack(procedure: Pack) -> None:
    values = dict(procedure.example)
    del values["company_name"]
    values["support_hours"] = "   "
    with pytest.raises(VariablesError) as caught:
        prepare_variables(procedure, values)
    message = str(caught.value)
    assert "escalation-procedure" in message
    assert "company_name" in message and "support_hours" in message
    assert caught.value.problems == {"company_name": "required", "support_hours": "required"}


def test_unknown_and_overlong_variables_are_rejected(procedure: Pack) -> None:
    values = dict(procedure.example, comapny_name="typo", risk_constraints="x" * 5000)
    with pytest.raises(VariablesError) as caught:
        prepare_variables(procedure, values, max_chars=4000)
    assert "comapny_name" in caught.value.problems
    assert "too long (5,000 characters; the limit is 4,000)" in caught.value.problems["risk_constraints"]


def test_list_variables_render_as_bullets(procedure: Pack, atlasflow: dict) -> None:
    prompt = render_step(procedure, procedure.step("playbook"), atlasflow).user
    assert "- **Support channels** (Channels):\n  - email\n  - chat\n" in prompt
    values = prepare_variables(procedure, dict(procedure.example, support_channels="email, chat, phone"))
    assert values["support_channels"] == ["email", "chat", "phone"]
    assert ListValue(["a", "b", "c"]).inline == "a, b and c"


def test_step_that_reads_an_earlier_step_needs_its_output(procedure: Pack, atlasflow: dict) -> None:
    with pytest.raises(VariablesError, match="reads the output of playbook"):
        render_step(procedure, procedure.step("runbooks"), atlasflow, {}, part=procedure.fan_out_parts["runbooks"][0])


def test_runbook_parts_name_their_role_and_carry_the_playbook(procedure: Pack, atlasflow: dict) -> None:
    step = procedure.step("runbooks")
    for part in procedure.fan_out_parts["runbooks"]:
        prompt = render_step(procedure, step, atlasflow, {"playbook": "THE PLAYBOOK"}, part=part).user
        assert f"write only the runbook for **{part.title}**" in prompt
        assert "THE PLAYBOOK" in prompt
        assert "Include checklists for first 15 minutes, first hour, and steady-state operations." in prompt


def test_expert_persona_works_as_any_packs_system_prompt(library, procedure: Pack, atlasflow: dict) -> None:
    expert = library.get("escalation-expert")
    prompt = render_step(procedure, procedure.step("playbook"), atlasflow, system_pack=expert)
    assert prompt.system and "Support Escalation Process Expert" in prompt.system


def test_template_syntax_errors_name_the_file(tmp_path) -> None:
    from assistant.packs import PackLibrary

    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "manifest.yaml").write_text(
        "title: Bad\nsteps:\n  - {id: one, title: One, template: one.md.j2}\ncheckl" "ists: {}\n", encoding="utf-8"
    )
    (folder / "one.md.j2").write_text("Hello {% if %}", encoding="utf-8")
    pack = PackLibrary(tmp_path).get("bad")
    with pytest.raises(TemplateRenderError, match=r"one\.md\.j2, line 1: template syntax error"):
        render_step(pack, pack.step("one"), {})
