"""The `playbook` command as scripts use it: output, files, JSON shapes, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml


PLAYBOOK_ANSWERS = Path(__file__).parents[1] / "data" / "answers"


def playbook(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console script (as users and CI do)."""
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], input=stdin, capture_output=True, text=True, timeout=120, env=env
    )




@pytest.fixture
def vars_file(tmp_path: Path, playbook_cli) -> Path:
    code, out, _ = playbook_cli("example", "escalation-procedure")
    assert code == 0
    path = tmp_path / "vars.yaml"
    path.write_text(out, encoding="utf-8")
    return path


def test_example_is_a_yaml_mapping_of_every_variable(vars_file: Path, library) -> None:
    data = yaml.safe_load(vars_file.read_text(encoding="utf-8"))
    pack = library.get("escalation-procedure")
    assert data["company_name"] == "AtlasFlow"
    assert {v.name for v in pack.variables if v.required} <= set(data)


def test_templates_lists_every_pack_and_step(playbook_cli) -> None:
    code, out, _ = playbook_cli("templates")
    assert code == 0
    assert "escalation-procedure/runbooks" in out and "customer-escalation-procedures/procedures" in out
    code, out, _ = playbook_cli("templates", "--format", "json")
    packs = {p["name"]: p for p in json.loads(out)}
    assert [s["id"] for s in packs["escalation-procedure"]["steps"]][:3] == ["playbook", "runbooks", "training"]


def test_render_fills_the_prompt_and_overrides_win(vars_file: Path, playbook_cli) -> None:
    code, out, _ = playbook_cli(
        "render", "escalation-procedure/playbook", "--vars", str(vars_file),
        "--var", "company_name=Acme {{ 7*7 }}",
    )
    assert code == 0
    assert "**Company name** (Your organization): Acme {{ 7*7 }}" in out
    assert "✅ **10) Metrics & Dashboards**" in out


def test_render_errors_are_one_line_with_exit_2(vars_file: Path, tmp_path: Path, playbook_cli) -> None:
    code, _, err = playbook_cli("render", "nope/playbook", "--vars", str(vars_file))
    assert code == 2 and "Unknown pack 'nope'" in err and "escalation-procedure" in err
    assert len(err.strip().splitlines()) == 1
    empty = tmp_path / "empty.yaml"
    empty.write_text("company_name: Acme\n", encoding="utf-8")
    code, _, err = playbook_cli("render", "escalation-procedure/playbook", "--vars", str(empty))
    assert code == 2 and "missing required variable(s): industry_type" in err
    broken = tmp_path / "broken.yaml"
    broken.write_text("company_name: [Acme\n", encoding="utf-8")
    code, _, err = playbook_cli("render", "escalation-procedure/playbook", "--vars", str(broken))
    assert code == 2 and "broken.yaml, line" in err and "not valid YAML" in err
    code, _, err = playbook_cli("render", "escalation-procedure/playbook", "--vars", str(tmp_path / "absent.yaml"))
    assert code == 2 and "file not found" in err


def test_run_offline_writes_three_valid_drafts_and_run_json(vars_file: Path, tmp_path: Path, playbook_cli) -> None:
    out_dir = tmp_path / "out"
    code, _, err = playbook_cli("run", "escalation-procedure", "--vars", str(vars_file), "--out", str(out_dir))
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["playbook.md", "run.json", "runbooks.md", "training.md"]
    summary = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    assert summary["provider"] == "offline" and summary["offline"] is True and summary["status"] == "done"
    for step_id in ("playbook", "runbooks", "training"):
        step = summary["steps"][step_id]
        assert step["report"]["ok"] is True and step["report"]["missing"] == []
        assert step["usage"]["output_tokens"] > 0 and step["file"] == f"{step_id}.md"
        assert "Offline draft" in (out_dir / f"{step_id}.md").read_text(encoding="utf-8")
    assert "▶ playbook: started" in err and "✓ training: checklist: all 6 required sections present" in err
    assert "Estimate:" in err


def test_run_needs_the_inputs_of_the_steps_it_runs(vars_file: Path, playbook_cli) -> None:
    code, _, err = playbook_cli("run", "escalation-procedure", "--vars", str(vars_file), "--steps", "training")
    assert code == 2 and "--steps playbook,runbooks,training" in err


def test_run_with_a_hosted_provider_and_no_key_says_what_to_do(vars_file: Path, playbook_cli) -> None:
    code, _, err = playbook_cli("run", "escalation-procedure", "--vars", str(vars_file), "--provider", "openai")
    assert code == 2 and "OPENAI_API_KEY" in err and "--provider offline" in err


GAPS = (
    "# Playbook\n\n## 1) Escalation Levels\n\nLevel 0 is standard support for every customer.\n\n"
    "## 8) Service Recovery & Commercial Decisions\n\nTBD\n"
)
LEVEL_ITEMS = [
    "Level 1: Support Lead / Specialist",
    "Level 2: Cross-functional (Engineering/Product/Billing)",
    "Level 3: Incident Command (major incident, security, widespread outage)",
    "Level 4: Executive Escalation (VIP churn, PR crisis, legal/regulatory)",
]


def test_validate_json_contract_and_exit_codes(tmp_path: Path, playbook_cli) -> None:
    answer = PLAYBOOK_ANSWERS / "pb_atlasflow_complete.md"
    code, out, _ = playbook_cli("validate", str(answer), "--checklist", "escalation-procedure/playbook", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["missing"] == [] and data["incomplete"] == []
    assert list(data) == ["checklist", "ok", "sections", "missing", "incomplete", "renamed", "lints", "truncated"]
    assert data["checklist"] == "escalation-procedure/playbook"
    assert {s["status"] for s in data["sections"]} == {"present"}
    assert set(data["sections"][0]) == {"id", "title", "status", "line", "missing_items", "reason", "found_as", "evidence"}

    gap = tmp_path / "gap.md"
    gap.write_text(GAPS, encoding="utf-8")
    code, out, _ = playbook_cli("validate", str(gap), "--checklist", "escalation-procedure/playbook", "--format", "json")
    data = json.loads(out)
    sections = {s["id"]: s for s in data["sections"]}
    assert code == 1 and data["ok"] is False
    assert data["incomplete"] == ["levels"] and "levels" not in data["missing"]
    assert {"routing", "service_recovery"} <= set(data["missing"]) and len(data["missing"]) == 10
    assert sections["levels"] == {
        "id": "levels", "title": "Escalation Levels & Definitions", "status": "incomplete", "line": 3,
        "missing_items": LEVEL_ITEMS, "reason": None, "found_as": None, "evidence": [],
    }
    assert sections["routing"] == {
        "id": "routing", "title": "Escalation Routing Rules", "status": "missing", "line": None, "missing_items": [],
        "reason": "absent", "found_as": None, "evidence": [],
    }
    assert (sections["service_recovery"]["status"], sections["service_recovery"]["reason"]) == ("missing", "empty")

    code, _, err = playbook_cli("validate", str(gap), "--checklist", "escalation-procedure/nope")
    assert code == 2 and "no step 'nope'" in err
    code, _, err = playbook_cli("validate", str(tmp_path / "absent.md"), "--checklist", "escalation-procedure/playbook")
    assert code == 2


def test_validate_text_names_each_state_and_what_an_incomplete_section_lacks(tmp_path: Path, playbook_cli) -> None:
    gap = tmp_path / "gap.md"
    gap.write_text(GAPS, encoding="utf-8")
    code, out, _ = playbook_cli("validate", str(gap), "--checklist", "escalation-procedure/playbook")
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == "escalation-procedure/playbook: NOT OK — 0 of 11 sections present, 1 incomplete, 10 missing"
    levels = lines.index("  ◐ Escalation Levels & Definitions (line 3) — incomplete, lacks 4 required items:")
    assert lines[levels + 1 : levels + 5] == [f"      · {item}" for item in LEVEL_ITEMS]
    assert "  ✗ Escalation Routing Rules — missing" in lines
    assert "  ✗ Service Recovery & Commercial Decisions (line 7) — missing (only an empty heading)" in lines


def test_validate_reads_stdin_and_prints_a_readable_checklist() -> None:
    text = (PLAYBOOK_ANSWERS / "pb_atlasflow_complete.md").read_text(encoding="utf-8")
    broken = text + "\nPlease calm down, we are working on it.\n"
    result = playbook("validate", "-", "--checklist", "escalation-procedure/playbook", stdin=broken)
    assert result.returncode == 1
    assert "NOT OK — all 11 required sections present" in result.stdout  # the lint is what fails it
    assert "✓ Escalation Levels & Definitions" in result.stdout
    assert "banned_phrase" in result.stdout and "calm down" in result.stdout


def test_history_and_export_of_a_recorded_run(vars_file: Path, tmp_path: Path, playbook_cli) -> None:
    code, _, _ = playbook_cli("run", "escalation-procedure", "--vars", str(vars_file), "--steps", "playbook")
    assert code == 0
    code, out, _ = playbook_cli("history", "--format", "json")
    runs = json.loads(out)
    assert code == 0 and len(runs) == 1
    run = runs[0]
    assert {"id", "pack", "status", "created_at", "steps"} <= set(run)
    assert run["pack"] == "escalation-procedure" and run["status"] == "done"
    assert run["steps"][0]["id"] == "playbook" and run["steps"][0]["status"] == "done" and run["steps"][0]["chars"] > 1000

    for fmt in ("md", "html", "docx", "pdf"):
        target = tmp_path / f"export.{fmt}"
        code, _, err = playbook_cli("export", run["id"], "--format", fmt, "--out", str(target))
        assert code == 0, err
        assert target.stat().st_size > 1000
    assert "Offline draft" in (tmp_path / "export.md").read_text(encoding="utf-8")
    assert (tmp_path / "export.pdf").read_bytes().startswith(b"%PDF-")
    from docx import Document

    headings = [p.text for p in Document(str(tmp_path / "export.docx")).paragraphs if p.style.name.startswith("Heading")]
    assert any("Escalation Levels" in h for h in headings) and "Checklist appendix" in headings

    code, _, err = playbook_cli("export", "0" * 32, "--format", "md", "--out", str(tmp_path / "x.md"))
    assert code == 2 and "playbook history" in err


def test_a_pdf_without_pango_says_what_to_install(vars_file: Path, tmp_path: Path, playbook_cli, monkeypatch) -> None:
    from assistant.export import pdf

    playbook_cli("run", "escalation-procedure", "--vars", str(vars_file), "--steps", "playbook")
    run_id = json.loads(playbook_cli("history", "--format", "json")[1])[0]["id"]
    monkeypatch.setattr(pdf, "pdf_unavailable", lambda: pdf.INSTALL_HINT + " (OSError: cannot load library 'pango-1.0-0')")
    code, _, err = playbook_cli("export", run_id, "--format", "pdf", "--out", str(tmp_path / "x.pdf"))
    assert code == 2 and "apt-get install libpango-1.0-0" in err and not (tmp_path / "x.pdf").exists()


def test_help_is_fast_to_import() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "assistant", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "Usage" in result.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "typer" in imported and "assistant.cli" in imported
    for heavy in ("openai", "anthropic", "sqlalchemy", "docx", "streamlit", "markdown_it", "weasyprint"):
        assert heavy not in imported, f"{heavy} is imported by `playbook --help`"


@pytest.mark.parametrize(
    "args",
    [
        ("bogus",),
        ("run", "escalation-procedure", "--resume"),
        ("validate", "x.md", "--checklist", "escalation-procedure/playbook", "--format", "xml"),
        ("run", "escalation-procedure", "--provider", "foo"),
    ],
)
def test_bad_usage_is_one_line_on_stderr_with_exit_2(playbook_cli, args: tuple[str, ...]) -> None:
    code, out, err = playbook_cli(*args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("Error: ") and "--help" in err


def test_resume_keeps_the_runs_own_variables(vars_file: Path, playbook_cli) -> None:
    code, _, _ = playbook_cli("run", "escalation-procedure", "--vars", str(vars_file), "--steps", "playbook")
    run_id = json.loads(playbook_cli("history", "--format", "json")[1])[0]["id"]
    code, _, err = playbook_cli("run", "escalation-procedure", "--resume", run_id, "--var", "company_name=Other")
    assert code == 2 and "was made with other values for: Company name." in err
    code, _, err = playbook_cli("run", "escalation-procedure", "--vars", str(vars_file), "--var", "risk_constraints=none", "--resume", run_id)
    assert code == 2 and "other values for: Risk" in err and "Company" not in err
    # the command first run, with --resume appended, finishes the run
    code, _, err = playbook_cli("run", "escalation-procedure", "--vars", str(vars_file), "--resume", run_id, "--steps", "playbook,runbooks")
    assert code == 0 and "Provider: offline" in err
    record = json.loads(playbook_cli("history", "--format", "json")[1])[0]
    assert record["id"] == run_id and [s["id"] for s in record["document"]] == ["playbook", "runbooks"]
    # the finished playbook was reused, not written again
    assert record["document"][0]["version"] == 1 and record["document"][1]["version"] == 1
