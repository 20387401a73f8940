"""The Markdown export: one ``#`` title, every step at ``##`` under it, the notes first, the appendix last."""

from __future__ import annotations

import re

from assistant.export import to_markdown


def test_one_title_then_every_step_opens_at_level_two_in_chain_order(offline_document) -> None:
    markdown = to_markdown(offline_document)
    top = [line for line in markdown.splitlines() if re.match(r"^# ", line)]
    assert top == [f"# {offline_document.title}"]
    openings = re.findall(r"<!-- step: (\w+) \(done\) -->\n\n(#+) (.+)", markdown)
    assert openings == [
        ("playbook", "##", "Escalation Playbook"),
        ("runbooks", "##", "Role Runbooks"),
        ("training", "##", "Training & QA Program"),
    ]
    runbook = markdown.index("\n### Escalation Owner / Customer Liaison runbook\n")
    assert markdown.index("\n#### First 15 minutes\n", runbook) < markdown.index("\n### Incident Commander runbook\n")
    assert "\n### 2) Escalation Intake & Triage (First 15–30 minutes)\n" in markdown
    assert markdown.index("> **Offline draft:** composed from your inputs") < markdown.index("<!-- step: playbook")
    assert markdown.rstrip().endswith("|") and "\n## Checklist appendix\n" in markdown
