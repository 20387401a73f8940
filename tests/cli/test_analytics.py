"""The analytics commands as scripts use them: files, JSON shapes, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml

from assistant.cli.checking import consistency_command
from assistant.cli.common import OutputFormat

from consistency_documents import PLAYBOOK, RUNBOOK_OK, TRAINING_OK




@pytest.fixture
def tickets(tmp_path: Path, playbook_cli) -> Path:
    path = tmp_path / "tickets.csv"
    code, _, err = playbook_cli("sample-tickets", "--rows", "4000", "--out", str(path))
    assert code == 0 and "Wrote 4,000 tickets" in err
    return path


def test_sample_then_calibrate_json(tickets: Path, playbook_cli) -> None:
    code, out, err = playbook_cli("calibrate", "--tickets", str(tickets), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert 0 <= data["escalation_rate"] <= 1
    assert [lv["level"] for lv in data["levels"]] == [1, 2, 3, 4]
    for level in data["levels"]:
        assert {"rate", "count", "target_band"} <= set(level)
        assert 0 <= level["rate"] <= 1 and isinstance(level["count"], int)
        assert 0 <= level["target_band"]["low"] <= level["target_band"]["high"] <= 1
    assert sum(lv["count"] for lv in data["levels"]) == data["escalated"]
    assert {b["id"] for b in data["bands"]} == {"overall", "level3plus"}


def test_calibrate_with_a_policy_file_apply_and_markdown(tickets: Path, tmp_path: Path, playbook_cli) -> None:
    policy = tmp_path / "policy.yaml"
    code, _, _ = playbook_cli("policy", "--out", str(policy))
    assert code == 0 and yaml.safe_load(policy.read_text())["levels"][0]["level"] == 1
    saved = tmp_path / "calibrated.yaml"
    code, out, _ = playbook_cli("calibrate", "--tickets", str(tickets), "--policy", str(policy), "--apply",
                        "--save-policy", str(saved), "--format", "markdown")
    assert code == 0 and out.startswith("## Calibration")
    saved_policy = yaml.safe_load(saved.read_text())
    assert saved_policy["levels"] and saved_policy["source"] in ("calibrated", "variables")
    code, out, _ = playbook_cli("calibrate", "--tickets", str(tickets), "--policy", str(saved), "--format", "json")
    data = json.loads(out)
    assert code == 0 and 0 <= data["escalation_rate"] <= 1
    assert {b["verdict"] for b in data["bands"]} <= {"within", "above", "below"}


def test_calibrate_text_and_column_overrides(tickets: Path, playbook_cli) -> None:
    code, out, _ = playbook_cli("calibrate", "--tickets", str(tickets), "--map", "disputed_amount=")
    assert code == 0 and "Escalated overall" in out and "disputed_amount" in out and "never true" in out
    code, _, err = playbook_cli("calibrate", "--tickets", str(tickets), "--map", "colour=x")
    assert code == 2 and "--map expects FIELD=COLUMN" in err


def test_bad_inputs_exit_2_with_the_file_named(tmp_path: Path, playbook_cli) -> None:
    code, _, err = playbook_cli("calibrate", "--tickets", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv: file not found" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("levels: [{level: 9}]\n", encoding="utf-8")
    path = tmp_path / "t.csv"
    path.write_text("created_at\n2025-01-01 10:00\n", encoding="utf-8")
    code, _, err = playbook_cli("calibrate", "--tickets", str(path), "--policy", str(bad))
    assert code == 2 and "bad.yaml line 1: levels[0].level" in err


def test_dashboard_writes_a_standalone_html_file(tickets: Path, tmp_path: Path, playbook_cli) -> None:
    out = tmp_path / "report.html"
    code, _, err = playbook_cli("dashboard", "--tickets", str(tickets), "--out", str(out))
    assert code == 0 and f"Wrote {out}" in err
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "Escalation reasons" in page
    assert "<script src" not in page
    code, text, _ = playbook_cli("dashboard", "--tickets", str(tickets), "--format", "json")
    assert code == 0 and json.loads(text)["tickets"] == 4000


def test_policy_schema_is_json(playbook_cli) -> None:
    code, out, _ = playbook_cli("policy", "--format", "schema")
    assert code == 0 and json.loads(out)["title"] == "EscalationPolicy"


def _run_with(documents: dict[str, str]) -> str:
    from assistant.api import Studio

    store = Studio().store
    run_id = store.create_run(pack="escalation-procedure", variables={}, provider="scripted", model="m", base_url=None, options={})
    for key, text in documents.items():
        store.start_step(run_id, key, prompt="p", system=None)
        store.finish_step(run_id, key, status="done", text=text)
    return run_id


def test_consistency_command_lists_conflicts_and_exits_1(capsys) -> None:
    run_id = _run_with({
        "playbook": PLAYBOOK,
        "runbooks:incident_commander": RUNBOOK_OK.replace("Level 3 every 30 minutes", "Level 3 every 60 minutes"),
        "training": TRAINING_OK,
    })
    with pytest.raises(typer.Exit) as caught:
        consistency_command(run_id, OutputFormat.json)
    assert caught.value.exit_code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["run_id"] == run_id and data["ok"] is False
    [conflict] = data["conflicts"]
    assert conflict["first"]["document"] == "playbook" and conflict["second"]["document"] == "runbooks"
    assert conflict["subject"] == "Level 3 update cadence"


def test_consistency_command_is_quiet_on_a_consistent_run(capsys) -> None:
    run_id = _run_with({"playbook": PLAYBOOK, "runbooks:incident_commander": RUNBOOK_OK, "training": TRAINING_OK})
    consistency_command(run_id, OutputFormat.text)
    out = capsys.readouterr().out
    assert f"Consistency of run {run_id}: OK" in out and "No conflicting" in out
