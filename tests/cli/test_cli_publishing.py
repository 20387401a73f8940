"""From draft to practice on the command line: approve, export the policy, publish with a plan, apply, compare."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from assistant.analytics.policy import policy_schema
from assistant.analytics.policy.conventions import LEVEL_ROUTING

from fake_vendors import FakeVendor


@pytest.fixture
def zendesk() -> FakeVendor:
    vendor = FakeVendor("zendesk")
    for name in LEVEL_ROUTING.values():
        vendor.seed("group", name=name)
    yield vendor
    vendor.close()


def _run(playbook_cli, tmp_path: Path) -> str:
    code, out, _ = playbook_cli("example", "escalation-procedure")
    (tmp_path / "vars.yaml").write_text(out)
    code, _, err = playbook_cli("run", "escalation-procedure", "--vars", str(tmp_path / "vars.yaml"), "--steps", "playbook", "--provider", "offline")
    assert code == 0, err
    code, out, _ = playbook_cli("history", "--format", "json")
    return json.loads(out)[0]["id"]


def test_approve_then_publish_dry_run_then_apply_idempotently(playbook_cli, tmp_path: Path, zendesk: FakeVendor, monkeypatch) -> None:
    run_id = _run(playbook_cli, tmp_path)
    code, out, err = playbook_cli("publish", run_id, "--to", "zendesk", "--out", str(tmp_path / "zd"))
    assert code == 0 and "Not approved yet" in err and "Dry run: nothing was sent" in err
    assert out.startswith("Plan for zendesk: 15 to create. (No credentials set") and "+ trigger '[esc] L3 P1 outage'" in out
    files = sorted(p.name for p in (tmp_path / "zd").iterdir())
    assert len(files) == 16 and files[0] == "01-trigger-category-esc-escalation-playbook.json" and "notes.txt" in files
    code, _, err = playbook_cli("publish", run_id, "--to", "zendesk", "--apply")
    assert code == 2 and "Only an approved policy is applied" in err

    code, _, err = playbook_cli("review", "approve", run_id, "--note", "signed off at the ops review")
    assert code == 0 and "Approved by the local user on " in err and "(version " in err and "local:" not in err
    monkeypatch.setenv("ZENDESK_SUBDOMAIN", "atlasflow")
    monkeypatch.setenv("ZENDESK_EMAIL", "ops@atlasflow.example")
    monkeypatch.setenv("ZENDESK_API_TOKEN", "zd-token-abcdef")
    monkeypatch.setenv("ZENDESK_URL", zendesk.url)
    code, out, err = playbook_cli("publish", run_id, "--to", "zendesk", "--apply")
    assert code == 0 and out.startswith("Applied to zendesk: 15 created.") and "Publishing the policy of: Approved by" in err
    code, out, _ = playbook_cli("publish", run_id, "--to", "zendesk", "--apply", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["approved"] and {o["status"] for o in data["report"]["outcomes"]} == {"unchanged"}
    assert "zd-token-abcdef" not in out + err and zendesk.violations == []

    code, out, _ = playbook_cli("review", "status", run_id)
    assert code == 0 and out.startswith("Approved · version ") and "approved [approval " in out and "signed off at the ops review" in out
    code, out, _ = playbook_cli("policy", "export", "--run", run_id, "--format", "json")
    jsonschema.Draft202012Validator(policy_schema()).validate(json.loads(out))

    export = tmp_path / "sla.json"
    export.write_text(json.dumps({"sla_policies": list(zendesk.objects["sla_policy"].values()),
                                  "triggers": list(zendesk.objects["trigger"].values()), "groups": list(zendesk.objects["group"].values())}))
    code, out, _ = playbook_cli("import-config", str(export), "--from", "zendesk", "--compare", run_id)
    assert code == 0 and out.strip() == "The live configuration matches the policy."
    zendesk.named("sla_policy", "[esc] L2 Cross-functional (Engineering/Product/Billing)")["policy_metrics"][0]["target"] = 90
    export.write_text(json.dumps({"sla_policies": list(zendesk.objects["sla_policy"].values())}))
    code, out, _ = playbook_cli("import-config", str(export), "--from", "zendesk", "--compare", run_id)
    assert code == 1 and "✗ Level 2 time to acknowledge: 90 min -> 30 min (live -> policy)" in out


def test_import_config_prints_levels_and_lines_for_the_organisation_form(playbook_cli, tmp_path: Path) -> None:
    export = tmp_path / "ep.json"
    export.write_text(json.dumps({"escalation_policy": {"name": "Support", "escalation_rules": [
        {"escalation_delay_in_minutes": 20, "targets": [{"id": "P1", "type": "schedule_reference", "summary": "Tier 2"}]}]}}))
    code, out, _ = playbook_cli("import-config", str(export), "--from", "pagerduty", "--out", str(tmp_path / "policy.yaml"))
    assert code == 0 and "Level 1 Tier 2 (P3 · Tier 2): acknowledge within 20 min" in out
    assert "target_metrics: Time-to-ack < 20 min (P3, Level 1)" in out
    assert yaml.safe_load((tmp_path / "policy.yaml").read_text())["source"] == "imported"
    (tmp_path / "bad.json").write_text("{nope")
    code, _, err = playbook_cli("import-config", str(tmp_path / "bad.json"), "--from", "pagerduty")
    assert code == 2 and "not valid JSON (line 1, column 2" in err


def test_policy_still_prints_yaml_and_export_writes_a_versioned_document(playbook_cli, tmp_path: Path) -> None:
    code, out, _ = playbook_cli("policy", "--format", "yaml")
    assert code == 0 and yaml.safe_load(out)["levels"][2]["routing"] == "Incident Command"
    code, _, _ = playbook_cli("policy", "export", "--format", "yaml", "--out", str(tmp_path / "policy.yaml"))
    document = yaml.safe_load((tmp_path / "policy.yaml").read_text())
    assert code == 0 and document["version"] == "1.0.0" and document["$schema"].endswith(":1.0.0")
    code, out, _ = playbook_cli("policy", "export", "--format", "schema")
    assert code == 0 and json.loads(out)["$id"] == document["$schema"]
    code, out, _ = playbook_cli("calibrate", "--help")
    assert code == 0
