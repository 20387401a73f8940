"""A pack's role vocabulary is data: items naming a role match its names, and a user extends it per
pack with a vocabulary.yaml in their own prompts folder, without copying the pack."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.errors import ManifestError
from assistant.packs import PackLibrary, builtin_prompts_dir
from assistant.validation import validate_step

ROLES = "## Roles and responsibilities\n\n- Duty Manager: owns the incident until it closes.\n"


def test_an_item_naming_a_role_matches_every_name_of_that_role(library: PackLibrary) -> None:
    raci = library.get("escalation-procedure").checklist_for("playbook").section("raci")
    commander = next(item for item in raci.items if item.role == "incident_commander")
    assert {"incident commander", "incident manager", "incident lead"} <= set(commander.match)


def test_a_users_vocabulary_file_extends_the_pack(tmp_path: Path) -> None:
    before = PackLibrary().get("escalation-procedure")
    assert "Incident Commander (for Level 3)" in validate_step(ROLES, before, "playbook").section("raci").missing_items
    extra = tmp_path / "escalation-procedure"
    extra.mkdir()
    (extra / "vocabulary.yaml").write_text("roles:\n  incident_commander: [duty manager]\n", encoding="utf-8")
    after = PackLibrary(tmp_path).get("escalation-procedure")
    assert "duty manager" in after.vocabulary.roles["incident_commander"]
    assert "incident manager" in after.vocabulary.roles["incident_commander"]  # the pack's own names stay
    assert "Incident Commander (for Level 3)" not in validate_step(ROLES, after, "playbook").section("raci").missing_items


def test_a_vocabulary_for_no_pack_is_refused_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "no-such-pack").mkdir()
    (tmp_path / "no-such-pack" / "vocabulary.yaml").write_text("roles: {ic: [boss]}\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="no pack named 'no-such-pack'"):
        PackLibrary(tmp_path)


def test_an_item_naming_an_unknown_role_is_a_manifest_error(tmp_path: Path) -> None:
    pack = tmp_path / "escalation-procedure"
    shutil.copytree(builtin_prompts_dir() / "escalation-procedure", pack)
    manifest = pack / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("role: sme_lead", "role: wizard"), encoding="utf-8")
    with pytest.raises(ManifestError, match="role 'wizard' is not under vocabulary.roles"):
        PackLibrary(tmp_path)
