"""``playbook validate``: one answer against a step's checklist, or a run's documents against each other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from assistant.cli.common import FormatOption, OutputFormat, read_text, studio
from assistant.errors import UserInputError

if TYPE_CHECKING:
    from assistant.validation import SectionResult, ValidationReport


#: how each verdict reads in a terminal
_MARKS = {"present": "✓", "incomplete": "◐", "renamed": "↪", "missing": "✗"}


def report_text(report: ValidationReport) -> str:
    """The verdict and tally, one line per section (with what an incomplete one lacks), then the lints."""
    lines = [f"{report.checklist}: {'OK' if report.ok else 'NOT OK'} — {report.tally()}"]
    for section in report.sections:
        where = f" (line {section.line})" if section.line else ""
        lines.append(f"  {_MARKS[section.status]} {section.title}{where}{_verdict(section)}")
        lines += [f"      · {item}" for item in section.missing_items if section.status in ("incomplete", "renamed")]
        lines += [f"      > line {e.line}: {e.text}" for e in section.evidence[:6] if section.status == "renamed"]
    if report.lints:
        lines.append("Lints:")
        for lint in report.lints:
            lines.append(f"  {lint.severity}: line {lint.line}: {lint.code}: {lint.message}")
    return "\n".join(lines)


def _verdict(section: SectionResult) -> str:
    if section.status == "renamed" and section.found_as is not None:
        count = len(section.missing_items)
        could = f"; could add {count} item{'s' if count != 1 else ''}:" if count else ""
        return f" — found under another name: “{section.found_as.title}”{could}"
    if section.status == "incomplete":
        count = len(section.missing_items)
        return f" — incomplete, lacks {count} required item{'s' if count != 1 else ''}:"
    if section.status == "missing":
        return " — missing (only an empty heading)" if section.reason == "empty" else " — missing"
    return ""


def consistency_command(run_id: str, fmt: OutputFormat = OutputFormat.text) -> None:
    """``playbook validate --consistency RUN_ID``: compare a run's playbook, runbooks and training.

    Exit 0 when nothing conflicts, 1 when a response target or level conflicts, 2 on bad usage.
    """
    from assistant.validation import check_consistency, consistency_text, documents_from_steps

    record = studio().run(run_id)
    documents = documents_from_steps((step.key, step.text_or_partial) for step in record.steps)
    if not documents:
        raise UserInputError(f"Run {run_id} has no playbook, runbooks or training text to compare; run those steps first.")
    report = check_consistency(documents)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps({"run_id": run_id, **report.contract()}, indent=2, ensure_ascii=False))
    else:
        typer.echo(consistency_text(report, title=f"Consistency of run {run_id}"))
    if not report.ok:
        raise typer.Exit(1)


def validate(
    file: Annotated[
        Optional[Path], typer.Argument(help="the answer to check (.md or .txt, - for stdin) or a document (.html, .docx)")
    ] = None,
    checklist: Annotated[Optional[str], typer.Option(help="PACK/STEP, e.g. escalation-procedure/playbook")] = None,
    fmt: FormatOption = OutputFormat.text,
    consistency: Annotated[
        Optional[str],
        typer.Option("--consistency", metavar="RUN_ID", help="compare a run's playbook, runbooks and training instead"),
    ] = None,
) -> None:
    """Check an answer against a step's required-sections checklist and lints.

    Each section is present (every required item found), incomplete (there, but named items are
    missing) or missing (absent, or an empty heading). Exit 0 when every section is present and no
    lint is an error, 1 otherwise, 2 on bad usage.

    Example: playbook validate answer.md --checklist escalation-procedure/playbook --format json
    """
    if consistency is not None:
        consistency_command(consistency, fmt)
        return
    if file is None or checklist is None:
        raise UserInputError("Give FILE and --checklist PACK/STEP (or --consistency RUN_ID).")
    chosen = studio()
    chosen.library.resolve(checklist)
    if file.suffix.lower() in (".html", ".htm", ".docx"):
        # a Word file or a web page is someone's finished document, read by its format
        from assistant.cli.auditing import read_document

        report = chosen.check_document(read_document(chosen, file).text, checklist)
    else:
        report = chosen.validate(read_text(file), checklist)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(report.contract(), indent=2, ensure_ascii=False))
    else:
        typer.echo(report_text(report))
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(validate)
