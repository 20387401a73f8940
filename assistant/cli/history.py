"""``playbook history`` and ``export``: recorded runs, and a run as one document."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.common import FormatOption, OutputFormat, err, studio
from assistant.errors import UserInputError


class ExportFormat(str, Enum):
    md = "md"
    docx = "docx"
    html = "html"
    pdf = "pdf"


def _set_lines(summary: dict) -> list[str]:
    """A document set as a few lines: name, status and figures, then each step's current version."""
    usage = summary.get("usage") or {}
    figures = f"{usage.get('input_tokens', 0):,} in / {usage.get('output_tokens', 0):,} out tokens" if usage else "no tokens"
    cost = "" if summary.get("cost") is None else f", ${summary['cost']:.4f}"
    labels = f"  [{', '.join(summary['labels'])}]" if summary.get("labels") else ""
    owner = f" · by {summary['owner']}" if summary.get("owner") else ""
    shared = f" · shared with {summary['shared_with']}" if summary.get("shared_with") else ""
    lines = [f"{summary['id']}  {summary['created_at'][:16]}  {summary['title']}{owner}{shared}  {summary['status']} · {figures}{cost}{labels}"]
    for step in summary["document"]:
        version = f"v{step['version']}" if step["version"] else "no version"
        stale = f" — OUT OF DATE: {'; '.join(step['stale'])}" if step["stale"] else ""
        lines.append(f"    {step['title']}: {version} ({step['made']}) · {step['status']}{stale}")
    return lines


def history(
    fmt: FormatOption = OutputFormat.text,
    limit: Annotated[int, typer.Option(min=1, help="how many runs, newest first")] = 50,
    search: Annotated[str, typer.Option(help="only sets whose name, organisation, labels or pack contain these words")] = "",
) -> None:
    """List recorded runs, newest first.

    Example: playbook history --format json
    """
    chosen = studio()
    runs = [chosen.run(r.id) for r in chosen.runs(limit=limit, search=search)]  # with every version's provenance
    if fmt is OutputFormat.json:
        typer.echo(json.dumps([chosen.set_summary(r) for r in runs], indent=2, ensure_ascii=False))
        return
    if not runs:
        typer.echo("No runs yet. Start one with: playbook run escalation-procedure --vars vars.yaml" if not search else "No document set matches.")
        return
    for record in runs:
        typer.echo("\n".join(_set_lines(chosen.set_summary(record))))


def export(
    run_id: Annotated[str, typer.Argument(help="a run id from `playbook history`")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="md, docx, html or pdf")],
    out: Annotated[Path, typer.Option(help="file to write")],
) -> None:
    """Export a recorded run as one Markdown file, a Word document, an HTML page or a PDF.

    Example: playbook export 3f2a... --format docx --out playbook.docx
    """
    from assistant.export import export as write

    chosen = studio()
    record = chosen.run(run_id)
    document = chosen.run_document(record)
    if document is None:
        raise UserInputError(f"Run {run_id} has no text yet; nothing to export.")
    path = write(document, fmt.value, out)
    chosen.record("exported", run_id, detail={"format": fmt.value})
    stale = chosen.stale_steps(record)
    if stale:
        err(f"Note: out of date in this export: {', '.join(s.title for s in chosen.document_set(record) if s.id in stale)}.")
    err(f"Wrote {path}")


def audit(
    fmt: FormatOption = OutputFormat.text,
    limit: Annotated[int, typer.Option(min=1, help="how many entries, newest first")] = 200,
) -> None:
    """Who created, ran, edited, repaired, exported, shared and deleted what, and when.

    Example: playbook audit --format json
    """
    entries = studio().audit(limit)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps([e.model_dump(mode="json") for e in entries], indent=2, ensure_ascii=False))
        return
    for entry in entries:
        cost = "" if entry.cost is None else f" ${entry.cost:.4f}"
        where = f" {entry.run_id}" + (f"/{entry.step}" if entry.step else "") if entry.run_id else ""
        typer.echo(f"{entry.at:%Y-%m-%d %H:%M:%S}  {entry.actor_email or entry.actor}  {entry.action}{where}{cost}")


def register(app: typer.Typer) -> None:
    app.command()(history)
    app.command()(export)
    app.command()(audit)
