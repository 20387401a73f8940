"""`playbook audit-document` and `playbook validate FILE` read Word, HTML and Markdown by extension."""

from __future__ import annotations

import io
import json
from pathlib import Path

from docx import Document

REAL = Path(__file__).parents[1] / "data" / "real"
PLAYBOOK = "escalation-procedure/playbook"


def test_an_html_policy_is_audited_with_the_fourth_verdict_in_json(playbook_cli) -> None:
    code, out, err = playbook_cli("audit-document", str(REAL / "pd_severity_levels.md"), "--checklist", PLAYBOOK, "--format", "json")
    assert code == 1, err  # a page of severity levels lacks the rest of a playbook
    report = json.loads(out)
    assert report["format"] == "markdown" and report["renamed"] == ["levels"]
    levels = report["sections"][0]
    assert levels["status"] == "renamed" and levels["found_as"] == {"title": "SEV-1 … SEV-5", "line": 23}
    assert levels["evidence"][0] == {"line": 23, "text": "SEV-1 → Level 4: Executive Escalation (VIP churn, PR crisis, legal/regulatory)"}
    assert report["lints"] == [] and "intake_triage" in report["missing"]


def test_fill_writes_the_policy_back_as_word_with_the_missing_sections(playbook_cli, tmp_path: Path) -> None:
    out_file = tmp_path / "filled.docx"
    code, out, err = playbook_cli(
        "audit-document", str(REAL / "gds_incident_management.html"), "--checklist", PLAYBOOK,
        "--fill", "--out", str(out_file), "--provider", "offline", "--org", "GDS",
    )
    assert code == 1  # the document as given still lacks sections
    assert "Drafted with offline" in err and "Now all 10 required sections present" in err and str(out_file) in err
    headings = [p.text for p in Document(io.BytesIO(out_file.read_bytes())).paragraphs if p.style.name.startswith("Heading")]
    assert "Define incident priority" in headings and "Escalation Routing Rules" in headings


def test_validate_reads_a_word_file_as_a_finished_document(playbook_cli) -> None:
    code, out, _ = playbook_cli("validate", str(REAL / "paas_roles_and_responsibilities.docx"), "--checklist", PLAYBOOK)
    assert code == 1 and "Ownership Model (RACI) (line 1) — incomplete" in out and "truncated" not in out


def test_bad_usage_exits_2_with_what_to_do(playbook_cli, tmp_path: Path) -> None:
    policy = tmp_path / "policy.md"
    policy.write_text("# Policy\n\n## Incident review\n\nWithin five days.\n", encoding="utf-8")
    code, _, err = playbook_cli("audit-document", str(policy), "--checklist", PLAYBOOK, "--fill")
    assert code == 2 and "give --out FILE" in err
    code, _, err = playbook_cli("audit-document", str(policy), "--checklist", PLAYBOOK, "--fill", "--out", str(tmp_path / "x.pdf"))
    assert code == 2 and "use a .md, .docx or .html file name" in err
    (tmp_path / "policy.pdf").write_bytes(b"%PDF")
    code, _, err = playbook_cli("audit-document", str(tmp_path / "policy.pdf"), "--checklist", PLAYBOOK)
    assert code == 2 and "cannot read .pdf" in err


def test_a_markdown_fill_is_the_same_bytes_plus_the_new_sections(playbook_cli, tmp_path: Path) -> None:
    source = REAL / "paas_comms_lead_role.md"
    out_file = tmp_path / "filled.md"
    code, _, err = playbook_cli("audit-document", str(source), "--checklist", PLAYBOOK, "--fill", "--out", str(out_file))
    assert code == 1, err
    original, filled = source.read_text(encoding="utf-8"), out_file.read_text(encoding="utf-8")
    kept = iter(filled.splitlines(keepends=True))
    assert all(any(line == other for other in kept) for line in original.splitlines(keepends=True))  # in order
