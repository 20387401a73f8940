"""Targeted repair: the prompt asks only for what is missing; merges keep checklist order."""

from __future__ import annotations

from assistant.chain import ChainRunner, RunOptions
from assistant.validation import validate_step
from assistant.providers.base import DraftTask
from assistant.providers.offline import compose_from_checklist
from assistant.providers.scripted import ScriptedProvider, ScriptedReply
from assistant.validation import build_repair_prompt, merge_repair, repair_plan
from assistant.packs import Pack


def full_playbook(pack: Pack, variables: dict) -> str:
    return compose_from_checklist(pack, DraftTask(pack=pack.name, step="playbook", variables=variables))


def cut(text: str, start: str, end: str) -> str:
    return text[: text.index(start)] + text[text.index(end) :]


def headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("## ")]


def test_prompt_names_only_missing_sections_with_items_facts_and_outline(procedure: Pack, atlasflow: dict) -> None:
    draft = cut(full_playbook(procedure, atlasflow), "## 4)", "## 5)")
    report = validate_step(draft, procedure, "playbook")
    prompt = build_repair_prompt(procedure, procedure.step("playbook"), draft, report, atlasflow)
    assert "### 4) Escalation Routing Rules" in prompt
    assert "- Time-to-ack SLAs per level and per customer segment" in prompt
    assert "### 1) Escalation Levels" not in prompt and "### 5)" not in prompt
    assert "- Company name: AtlasFlow" in prompt
    assert "  - 5) Customer Communication Standards" in prompt  # the outline of what exists


def test_a_missing_last_deliverable_goes_before_the_final_checklist(procedure: Pack, atlasflow: dict) -> None:
    full = full_playbook(procedure, atlasflow)
    draft = cut(full, "## 10)", "## Deliverable Checklist")
    addition = compose_from_checklist(procedure, DraftTask(pack=procedure.name, step="playbook", variables=atlasflow, sections=["metrics"]))
    merged = merge_repair(draft, addition, procedure.checklist_for("playbook"), ["metrics"])
    order = headings(merged)
    assert order.index(next(h for h in order if h.startswith("## 10)"))) < order.index(next(h for h in order if "Deliverable Checklist" in h))
    assert validate_step(merged, procedure, "playbook").ok


def test_an_empty_section_is_replaced_not_duplicated(procedure: Pack, atlasflow: dict) -> None:
    full = full_playbook(procedure, atlasflow)
    start, end = full.index("## 4)"), full.index("## 5)")
    draft = full[:start] + "## 4) Escalation Routing Rules\n\nTBD\n\n" + full[end:]
    addition = compose_from_checklist(procedure, DraftTask(pack=procedure.name, step="playbook", variables=atlasflow, sections=["routing"]))
    merged = merge_repair(draft, addition, procedure.checklist_for("playbook"), ["routing"])
    assert merged.count("## 4) Escalation Routing Rules") == 1 and "TBD" not in merged
    assert validate_step(merged, procedure, "playbook").ok


def test_an_off_target_repair_answer_changes_nothing_and_is_not_retried(procedure: Pack, atlasflow: dict) -> None:
    draft = cut(full_playbook(procedure, atlasflow), "## 4)", "## 5)")
    provider = ScriptedProvider([ScriptedReply.from_text(draft), ScriptedReply.from_text("Sorry, I cannot help with that request today.")])
    result = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=RunOptions(max_repair_rounds=3)).run(["playbook"])
    step = result.steps["playbook"]
    assert len(provider.requests) == 2, "no second round for the same sections"
    assert step.text == draft and step.report.missing == ["routing"]


def test_the_history_counts_repair_tokens_in_the_steps_usage(procedure: Pack, atlasflow: dict, tmp_path) -> None:
    from assistant.store import Store

    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    draft = cut(full_playbook(procedure, atlasflow), "## 4)", "## 5)")

    def reply(request):  # noqa: ANN001
        if request.task.sections is None:
            return ScriptedReply.from_text(draft)
        return ScriptedReply.from_text(compose_from_checklist(procedure, request.task))

    result = ChainRunner(procedure, ScriptedProvider(reply), model="m", variables=atlasflow, store=store).run(["playbook"])
    step = result.steps["playbook"]
    stored = next(s for s in store.get_run(result.run_id).steps if s.key == "playbook")
    assert step.repair_usage.output_tokens > 0
    assert stored.usage.output_tokens == step.usage.output_tokens + step.repair_usage.output_tokens
    assert [v.kind for v in stored.versions] == ["generated", "repaired"]


def without_items(text: str, *items: str) -> str:
    """``text`` without the lines that write the given checklist items."""
    return "\n".join(line for line in text.split("\n") if not any(item in line for item in items))


COMMS_GAPS = ("First acknowledgement scripts by channel", "How to communicate uncertainty honestly")


def test_an_incomplete_section_is_asked_only_for_its_missing_points(procedure: Pack, atlasflow: dict) -> None:
    draft = without_items(cut(full_playbook(procedure, atlasflow), "## 4)", "## 5)"), *COMMS_GAPS)
    report = validate_step(draft, procedure, "playbook")
    assert report.missing == ["routing"] and report.incomplete == ["customer_comms"]
    prompt = build_repair_prompt(procedure, procedure.step("playbook"), draft, report, atlasflow)
    assert "is missing 1 required section and lacks required points in 1 section" in prompt
    points = prompt[prompt.index("Points to add") : prompt.index("Facts about the organisation")]
    assert "### 5) Customer Communication Standards" in points
    assert [line[2:] for line in points.splitlines() if line.startswith("- ")] == list(COMMS_GAPS)
    sections = prompt[prompt.index("Sections to write") : prompt.index("Points to add")]
    assert "### 4) Escalation Routing Rules" in sections and "### 5)" not in sections


def test_new_points_go_at_the_end_of_their_section_and_keep_what_was_there(procedure: Pack, atlasflow: dict) -> None:
    full = full_playbook(procedure, atlasflow)
    draft = without_items(full, *COMMS_GAPS).replace("## 6)", "---\n\n## 6)")
    task = DraftTask(pack=procedure.name, step="playbook", variables=atlasflow, sections=["customer_comms"],
                     items={"customer_comms": list(COMMS_GAPS)})
    addition = compose_from_checklist(procedure, task)
    merged = merge_repair(draft, addition, procedure.checklist_for("playbook"), ["customer_comms"])
    assert merged.count("## 5) Customer Communication Standards") == 1
    section = merged[merged.index("## 5)") : merged.index("## 6)")]
    kept = draft[draft.index("## 5)") : draft.index("---\n\n## 6)")].strip()
    assert section.startswith(kept)  # what the section said stays, in place
    assert all(item in section for item in COMMS_GAPS) and section.rstrip().endswith("---")
    assert validate_step(merged, procedure, "playbook").ok


def test_a_runbook_window_no_role_has_is_added_inside_every_role(procedure: Pack, atlasflow: dict) -> None:
    roles = procedure.checklist_for("runbooks").sections[:4]
    parts = [compose_from_checklist(procedure, DraftTask(pack=procedure.name, step="runbooks", part=r.id, variables=atlasflow)) for r in roles]
    draft = "\n".join(cut(part, "## First hour", "## Steady state") for part in parts)
    report = validate_step(draft, procedure, "runbooks")
    assert report.missing == ["first_hour"] and len(report.incomplete) == 4
    plan = repair_plan(report, procedure.checklist_for("runbooks"))
    assert plan == {role.id: ["First hour"] for role in roles}  # not a fifth, role-less "First hour" section

    def reply(request):  # noqa: ANN001
        return ScriptedReply.from_text(draft if request.task.sections is None else compose_from_checklist(procedure, request.task))

    provider = ScriptedProvider(reply)
    runner = ChainRunner(procedure, provider, model="m", variables=atlasflow)
    step = runner.repair("runbooks", draft, inputs={"playbook": "PLAYBOOK"})
    assert provider.requests[-1].task.items == plan
    assert step.report.ok, step.report.gaps
    owner = step.text[: step.text.index("# Incident Commander")]
    assert "First hour" in owner and owner.count("# Escalation Owner") == 1


def test_the_offline_provider_repairs_an_incomplete_section_with_just_its_points(library, procedure: Pack, atlasflow: dict) -> None:
    from assistant.providers.base import CompletionRequest
    from assistant.providers.offline import OfflineProvider

    task = DraftTask(pack=procedure.name, step="playbook", variables=atlasflow, sections=["routing", "customer_comms"],
                     items={"customer_comms": list(COMMS_GAPS)})
    text = OfflineProvider(library).compose(CompletionRequest(model="m", prompt="repair", task=task))
    comms = text[text.index("Customer Communication Standards") :]
    assert all(item in comms for item in COMMS_GAPS)
    assert "Update cadence" not in comms  # a point the section already has is not written again
    assert "Escalation Routing Rules" in text[: text.index("Customer Communication Standards")]
