"""``playbook history`` and ``export``: recorded runs, and a run as one document."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.common import FormatOption, OutputFormat, err, studio


class ExportFormat(str, Enum):
    md = "md"
    docx = "docx"
    html = "html"
    pdf = "pdf"


def history(
    fmt: FormatOption = OutputFormat.text,
    limit: Annotated[int, typer.Option(min=1, help="how many runs, newest first")] = 50,
) -> None:
    """List recorded runs, newest first.

    Example: playbook history --format json
    """
    runs = studio().runs(limit=limit)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps([r.to_summary() for r in runs], indent=2, ensure_ascii=False))
        return
    if not runs:
        typer.echo("No runs yet. Start one with: playbook run escalation-procedure --vars vars.yaml")
        return
    for record in runs:
        summary = record.to_summary()
        steps = ", ".join(f"{s['id']}={s['status']}" for s in summary["steps"])
        cost = "" if summary.get("cost") is None else f" ${summary['cost']:.4f}"
        typer.echo(f"{summary['id']}  {summary['created_at']}  {summary['pack']}  {summary['status']}{cost}  [{steps}]")


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
    path = write(chosen.run_document(chosen.run(run_id)), fmt.value, out)
    err(f"Wrote {path}")


def register(app: typer.Typer) -> None:
    app.command()(history)
    app.command()(export)
