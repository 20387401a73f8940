"""Prompt packs: every seed is a pack, manifests are strict, user packs fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ManifestError, UnknownPackError
from assistant.packs import prepare_variables, render_all_parts
from assistant.packs import PackLibrary

CANONICAL = {
    "playbook": ["levels", "intake_triage", "raci", "routing", "customer_comms", "internal_comms",
                 "resolution_closure", "service_recovery", "post_review", "metrics", "final_checklist"],
    "runbooks": ["escalation_owner", "incident_commander", "comms_lead", "sme_lead", "first_15_minutes",
                 "first_hour", "steady_state", "message_templates"],
    "training": ["onboarding", "roleplay_scenarios", "qa_scorecard", "calibration_examples",
                 "coaching_templates", "monthly_review"],
}


def test_every_seed_has_a_pack(library: PackLibrary) -> None:
    assert {"escalation-procedure", "customer-escalation-procedures", "escalation-management", "escalation-expert"} <= set(
        library.names
    )


def test_escalation_procedure_uses_the_canonical_checklist_ids(library: PackLibrary) -> None:
    pack = library.get("escalation-procedure")
    for step_id, ids in CANONICAL.items():
        assert [s.id for s in pack.checklist_for(step_id).sections] == ids


def test_escalation_procedure_chain_shape(library: PackLibrary) -> None:
    pack = library.get("escalation-procedure")
    assert [s.id for s in pack.default_steps] == ["playbook", "runbooks", "training"]
    assert pack.step("runbooks").needs == ["playbook"]
    assert pack.step("training").needs == ["playbook", "runbooks"]
    assert pack.step("runbooks").fan_out.items == ["escalation_owner", "incident_commander", "comms_lead", "sme_lead"]
    refinements = [s.id for s in pack.steps if s.optional]
    assert refinements == ["trigger_calibration", "oncall_coverage", "customer_narrative", "commercial_guardrails",
                           "executive_brief", "per_action_tracker"]
    assert len([v for v in pack.variables if v.required]) == 10


def test_example_is_complete_atlasflow(library: PackLibrary) -> None:
    pack = library.get("escalation-procedure")
    assert pack.example["company_name"] == "AtlasFlow"
    for variable in pack.variables:
        if variable.required:
            assert pack.example.get(variable.name), variable.name


def test_every_step_of_every_pack_renders_with_its_example(library: PackLibrary) -> None:
    for name in library.names:
        pack = library.get(name)
        variables = prepare_variables(pack, pack.example)
        for step in pack.steps:
            inputs = {n: f"(output of {n})" for n in step.needs}
            prompts = render_all_parts(pack, step, variables, inputs)
            assert prompts, (name, step.id)
            for _, prompt in prompts:
                assert len(prompt.user) > 200, (name, step.id)
                assert "[COMPANY_NAME]" not in prompt.user


def test_every_step_has_a_checklist_with_items_or_aliases(library: PackLibrary) -> None:
    for name in library.names:
        pack = library.get(name)
        for step in pack.steps:
            checklist = pack.checklist_for(step.id)
            assert checklist is not None and checklist.sections, (name, step.id)


def test_every_required_item_is_found_in_its_own_wording(library: PackLibrary) -> None:
    """A draft that writes out the checklist's items (as the offline composer does) is complete."""
    from assistant.validation.textmatch import contains_phrase, normalise

    unmatched = [
        (name, step.id, section.id, item.text)
        for name in library.names
        for step in library.get(name).steps
        for section in library.get(name).checklist_for(step.id).sections  # every step has one (above)
        for item in section.items
        if not any(contains_phrase(normalise(item.text), normalise(phrase)) for phrase in item.phrases)
    ]
    assert unmatched == []


def test_section_and_step_titles_need_no_symbol_font(library: PackLibrary) -> None:
    """Titles are drawn by the app and the exports; a pictograph such as ✅ is an empty box without an emoji font."""
    import unicodedata

    titles = [
        title
        for name in library.names
        for step in library.get(name).steps
        for title in [step.title, *(s.title for s in library.get(name).checklist_for(step.id).sections)]
    ]
    assert [t for t in titles if any(unicodedata.category(c) == "So" for c in t)] == []


def test_unknown_pack_lists_the_available_ones(library: PackLibrary) -> None:
    with pytest.raises(UnknownPackError, match="escalation-procedure"):
        library.get("nope")


def _write_pack(root: Path, manifest: str, templates: dict[str, str] | None = None) -> Path:
    folder = root / "my-pack"
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text(manifest, encoding="utf-8")
    for name, text in (templates or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return root


def test_user_pack_folder_is_loaded(tmp_path: Path) -> None:
    root = _write_pack(
        tmp_path,
        "title: Mine\nvariables:\n  - {name: team, label: Team}\nsteps:\n  - {id: one, title: One, template: one.md.j2}\n"
        "checklists:\n  one:\n    sections:\n      - {id: intro, title: Intro}\nexample: {team: Blue}\n",
        {"one.md.j2": "Write for {{ team }}."},
    )
    library = PackLibrary(root)
    assert "my-pack" in library.names and "escalation-procedure" in library.names


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        ("title: X\nsteps: []\n", r"manifest.yaml: steps: List should have at least 1 item"),
        ("title: X\nsteps:\n  - {id: one, title: One, template: missing.md.j2}\n", r"missing.md.j2.*does not exist"),
        ("title: X\nsteps:\n  - {id: one, title: One, template: t.md.j2, colour: red}\n", r"steps\.0\.colour: Extra inputs"),
        ("title: X\nsteps:\n  - {id: one, title: One, template: t.md.j2, needs: [zero]}\n", r"steps\.one\.needs: 'zero'"),
        ("title: [unclosed\n", r"manifest.yaml, line 2, column 1: not valid YAML"),
        ("- just\n- a list\n", r"expected a mapping"),
    ],
)
def test_broken_user_pack_names_file_and_field(tmp_path: Path, manifest: str, expected: str) -> None:
    root = _write_pack(tmp_path, manifest, {"t.md.j2": "x"})
    with pytest.raises(ManifestError, match=expected) as caught:
        PackLibrary(root)
    assert str(root / "my-pack" / "manifest.yaml") in str(caught.value)


def test_prompts_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PLAYBOOK_PROMPTS_DIR", str(tmp_path / "absent"))
    with pytest.raises(ManifestError, match="PLAYBOOK_PROMPTS_DIR is not a folder"):
        PackLibrary()
