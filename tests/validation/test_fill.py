"""Drafting the gaps of a team's document: the request asks only for what is missing, in the
document's own terms, and the answer goes in without changing a byte of the team's text."""

from __future__ import annotations

from difflib import SequenceMatcher

from assistant.packs import Pack
from assistant.validation import document_facts, gap_prompt, insert_sections, repair_plan, validate_step

POLICY = (
    "# Acme incident policy\n\n"
    "## Severity\n\n| Level | Meaning |\n|---|---|\n"
    "| SEV-1 | Everything is down for every customer and nobody can work at all |\n"
    "| SEV-2 | A core feature is broken for many customers without a workaround |\n"
    "| SEV-3 | A minor feature misbehaves for a few customers with a workaround |\n\n"
    "## Incident review\n\nEvery SEV-1 gets a blameless review within 5 days: root cause, action items with an owner "
    "and due date, knowledge base updated, repeat issues at the monthly review.\n"
)
ADDITION = (
    "Here you go.\n\n## 3) Ownership Model (RACI)\n\n- The Incident Commander runs the call.\n\n"
    "## 5) Customer Communication Standards\n\nStatus page updates every 30 minutes.\n\n### Templates\n\nHi [Customer Name] …\n"
)


def _only_insertions(before: str, after: str) -> bool:
    return {op for op, *_ in SequenceMatcher(None, before, after, autojunk=False).get_opcodes()} <= {"equal", "insert"}


def test_the_request_asks_only_for_the_gaps_in_the_documents_own_terms(procedure: Pack) -> None:
    report = validate_step(POLICY, procedure, "playbook", finished=True)
    facts = document_facts(POLICY, report, procedure, organisation="Acme")
    assert "- Organisation: Acme" in facts and "- The document is titled: Acme incident policy" in facts
    assert any(f.startswith("- Levels it defines") and "SEV-1, SEV-2, SEV-3" in f for f in facts)
    prompt = gap_prompt(procedure, procedure.step("playbook"), POLICY, report, facts)
    assert "### 3) Ownership Model (RACI)" in prompt and "### 4) Escalation Routing Rules" in prompt
    assert "### 1) Escalation Levels" not in prompt and "Post-Escalation Review" not in prompt  # it has those
    assert "SEV-1, SEV-2, SEV-3" in prompt and "- Severity" in prompt  # its own levels and outline


def test_new_sections_go_in_order_in_the_documents_heading_style(procedure: Pack) -> None:
    report = validate_step(POLICY, procedure, "playbook", finished=True)
    plan = {sid: items for sid, items in repair_plan(report, procedure.checklist_for("playbook")).items() if sid in ("raci", "customer_comms")}
    filled = insert_sections(POLICY, ADDITION, procedure.checklist_for("playbook"), plan, procedure.vocabulary.roles)
    assert _only_insertions(POLICY, filled)
    lines = filled.splitlines()
    # before the review (later in the checklist), as `##` headings like the document's, numbering dropped
    assert lines.index("## Ownership Model (RACI)") < lines.index("## Customer Communication Standards") < lines.index("## Incident review")
    assert "### Templates" in lines and "Here you go." not in filled  # sub-headings kept, preambles dropped
    after = validate_step(filled, procedure, "playbook", finished=True)
    assert after.section("raci").status != "missing" and after.section("customer_comms").status != "missing"


def test_windows_line_endings_setext_headings_and_a_missing_last_newline_are_kept(procedure: Pack) -> None:
    text = "Acme policy\r\n===========\r\n\r\nIncident review\r\n---------------\r\n\r\nA blameless review of every outage, always"
    report = validate_step(text, procedure, "playbook", finished=True)
    plan = {"raci": repair_plan(report, procedure.checklist_for("playbook"))["raci"], "metrics": []}
    addition = ADDITION + "\n## 10) Metrics & Dashboards\n\nEscalation volume and time to acknowledge, weekly.\n"
    filled = insert_sections(text, addition, procedure.checklist_for("playbook"), plan, procedure.vocabulary.roles)
    assert _only_insertions(text, filled)
    assert "\r\n\r\nOwnership Model (RACI)\r\n----------------------\r\n" in filled  # the document's setext style
    # after the last line, which had no line break: that line is ended, then a blank line, then the section
    assert filled.endswith("every outage, always\r\n\r\nMetrics & Dashboards\r\n--------------------\r\n\r\n"
                           "Escalation volume and time to acknowledge, weekly.\r\n")
    assert "\n" not in filled.replace("\r\n", "")  # no bare line feed added


def test_points_a_present_section_lacks_go_at_its_end(procedure: Pack) -> None:
    text = "## Roles and responsibilities\n\nThe Incident Commander runs the call.\n\n## Incident review\n\nWithin 5 days.\n"
    addition = "## Ownership Model (RACI)\n\n- Comms Lead: sends every update.\n"
    filled = insert_sections(text, addition, procedure.checklist_for("playbook"), {"raci": ["Comms Lead"]}, {})
    assert _only_insertions(text, filled)
    assert filled.index("- Comms Lead: sends every update.") < filled.index("## Incident review")
    assert filled.count("Ownership Model") == 0  # points only, under the section the team already has


def test_an_answer_without_the_wanted_sections_changes_nothing(procedure: Pack) -> None:
    assert insert_sections(POLICY, "Sorry, I cannot help.", procedure.checklist_for("playbook"), {"raci": []}, {}) == POLICY
