"""The Studio audits a team's own document and fills its gaps with the chosen provider, keeping the
team's text byte for byte, and hands it back as Markdown, Word or HTML."""

from __future__ import annotations

import io
from difflib import SequenceMatcher
from pathlib import Path

from docx import Document

from assistant.api import Studio
from assistant.providers.scripted import ScriptedProvider
from assistant.settings import Settings

REAL = Path(__file__).parents[1] / "data" / "real"
PLAYBOOK = "escalation-procedure/playbook"


def _inserted_only(before: str, after: str) -> bool:
    return {op for op, *_ in SequenceMatcher(None, before, after, autojunk=False).get_opcodes()} <= {"equal", "insert"}


def test_a_word_policy_is_audited_and_filled_offline_without_touching_its_text() -> None:
    studio = Studio(Settings(provider="offline"))
    document = studio.read_document("playbook.docx", (REAL / "dfe_incident_playbook.docx").read_bytes())
    before = studio.check_document(document.text, PLAYBOOK)
    assert before.missing and not before.errors
    filled = studio.fill_gaps(document.text, PLAYBOOK, organisation="Teacher Services")
    assert filled.provider == "offline" and filled.report.ok, filled.report.tally()
    assert _inserted_only(document.text, filled.text)
    assert "Teacher Services" in filled.text and "[SYSTEMS_USED]" not in filled.text
    assert set(filled.asked) == {s.title for s in before.sections if s.id in before.gaps}


def test_the_request_goes_to_the_chosen_provider_with_only_the_gaps() -> None:
    answer = "## 3) Ownership Model (RACI)\n\n- The incident lead owns the call; the comms lead owns every update.\n"
    provider = ScriptedProvider([answer])
    studio = Studio(Settings(provider="offline"))
    text = "# Policy\n\n## Incident review\n\nBlameless review within 5 days, with root cause and action items with owners.\n"
    filled = studio.fill_gaps(text, PLAYBOOK, provider=provider)
    prompt = provider.requests[0].prompt
    whole, _, points = prompt.partition("Points to add")
    assert "### 3) Ownership Model (RACI)" in whole and "Post-Escalation Review" not in whole
    assert "- 5-Whys or RCA template" not in points  # the review it has names its root cause: only what it lacks
    assert provider.requests[0].task.sections and "raci" in provider.requests[0].task.sections
    assert filled.text.index("## Ownership Model (RACI)") < filled.text.index("## Incident review")
    assert _inserted_only(text, filled.text)


def test_a_document_goes_back_out_in_three_formats() -> None:
    text = "# Our policy\n\nCall the [on-call engineer](https://example.com/rota).\n\n<script>alert(1)</script>\n"
    studio = Studio(Settings(provider="offline"))
    assert studio.document_file(text, "Our policy", "md") == text.encode("utf-8")
    page = studio.document_file(text, "Our policy", "html").decode()
    assert "default-src 'none'" in page and "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    word = Document(io.BytesIO(studio.document_file(text, "Our policy", "docx")))
    assert word.core_properties.title == "Our policy"
    assert "Call the on-call engineer (https://example.com/rota)." in [p.text for p in word.paragraphs]
