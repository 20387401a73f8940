"""Hostile and odd input: scripts, huge answers, Unicode and RTL, arbitrary text."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.api import Studio
from assistant.bounded import MAX_ANSWER_CHARS
from assistant.chain import ChainRunner
from assistant.validation import validate_step
from assistant.errors import VariablesError
from assistant.export import ExportDocument, ExportStep, export, to_html, to_markdown
from assistant.providers.offline import OfflineProvider
from assistant.packs import prepare_variables, render_step
from assistant.store import Store
from assistant.packs import Pack

SCRIPT = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
WORLD = "شركة الأطلس ‏(Atlas) — Ünïcödé 漢字 🚀👩🏽‍💻"


def _document(text: str, provider: str = "openai") -> ExportDocument:
    return ExportDocument(
        title=f"Playbook {WORLD}", pack="escalation-procedure", provider=provider, model="m", created_at="2026-11-25",
        steps=[ExportStep(id="playbook", title="Playbook", status="done", text=text)],
    )


def test_html_in_variables_and_answers_is_never_markup_in_html_export() -> None:
    html = to_html(_document(f"# Title {SCRIPT}\n\nBody {SCRIPT}\n\n[link](javascript:alert(1))\n"))
    assert "<script>window" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_unicode_rtl_and_emoji_round_trip_render_store_and_every_export(procedure: Pack, tmp_path: Path) -> None:
    values = dict(procedure.example, company_name=WORLD)
    variables = prepare_variables(procedure, values)
    assert WORLD in render_step(procedure, procedure.step("playbook"), variables).user

    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    result = ChainRunner(procedure, OfflineProvider(), model="offline-draft", variables=variables, store=store).run(["playbook"])
    record = store.get_run(result.run_id)
    assert record.variables["company_name"] == WORLD
    assert WORLD in record.steps[0].text

    document = _document(result.steps["playbook"].text, provider="offline")
    assert WORLD in to_markdown(document)
    assert WORLD in to_html(document)
    path = export(document, "docx", tmp_path / "x.docx")
    assert any(WORLD in p.text for p in Document(str(path)).paragraphs)


def test_an_answer_at_the_size_limit_is_validated(procedure: Pack) -> None:
    section = "## {n}) Escalation Levels\n\n" + ("Level 1 owns the case and updates the customer every 30 minutes. " * 20 + "\n\n") * 10
    text = "".join(section.format(n=n) for n in range(1, 400))
    text = (text * (MAX_ANSWER_CHARS // len(text) + 1))[:MAX_ANSWER_CHARS]
    report = Studio().validate(text, "escalation-procedure/playbook")
    assert report.section("levels").status == "incomplete"  # found, but only Level 1 is named
    assert "routing" in report.missing


def test_an_answer_over_the_limit_is_refused_at_once_with_the_limit(tmp_path: Path, playbook_cli) -> None:
    answer = tmp_path / "huge.md"
    answer.write_text("## Escalation Levels\n\n" + "Level 1 owns the case. " * 1_000_000, encoding="utf-8")
    started = time.monotonic()
    code, _, err = playbook_cli("validate", str(answer), "--checklist", "escalation-procedure/playbook")
    assert code == 2 and "too large" in err and "2,000,000" in err and len(err.strip().splitlines()) == 1
    assert time.monotonic() - started < 5


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=3000))
def test_validate_never_crashes_on_arbitrary_text(procedure: Pack, text: str) -> None:
    report = validate_step(text, procedure, "playbook")
    assert set(report.missing) <= {s.id for s in procedure.checklist_for("playbook").sections}


MARKDOWNISH = st.lists(
    st.sampled_from(["# ", "## ", "**", "1) ", "- ", "| a | b |", "|---|---|", "```", "```markdown", "\n", "\n\n",
                     "Routing", "Metrics", "TBD", "===", "calm down", "[COMPANY_NAME]", "{{ x }}", "<script>", " "])
    | st.text(max_size=20),
    max_size=200,
).map("".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=MARKDOWNISH)
def test_validate_never_crashes_on_markdown_shaped_noise(procedure: Pack, text: str) -> None:
    for step_id in ("playbook", "runbooks", "training"):
        validate_step(text, procedure, step_id)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(max_size=500))
def test_render_never_crashes_and_keeps_values_literal(procedure: Pack, value: str) -> None:
    values = dict(procedure.example, company_name=value, risk_constraints=value)
    try:
        variables = prepare_variables(procedure, values)
    except VariablesError as error:
        assert set(error.problems) <= {"company_name", "risk_constraints"}
        return
    prompt = render_step(procedure, procedure.step("playbook"), variables).user
    assert variables["company_name"] in prompt


@settings(max_examples=30, deadline=None)
@given(text=st.text(max_size=2000))
def test_export_of_arbitrary_text_is_always_readable(text: str) -> None:
    document = _document(text)
    with tempfile.TemporaryDirectory() as folder:
        path = export(document, "docx", Path(folder) / "x.docx")
        Document(str(path))
    assert to_html(document).startswith("<!DOCTYPE html>")
    assert to_markdown(document).startswith("# Playbook")
