"""``playbook audit-document``: check the policy a team already has, and draft only what it lacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from assistant.bounded import MAX_DOCUMENT_BYTES
from assistant.cli.checking import report_text
from assistant.cli.common import FormatOption, OutputFormat, err, studio
from assistant.errors import UserInputError

if TYPE_CHECKING:
    from assistant.api import ImportedDocument, Studio

#: the formats a filled document can be written as, by the --out file's extension
_OUT_FORMATS = {".md": "md", ".markdown": "md", ".txt": "md", ".docx": "docx", ".html": "html", ".htm": "html"}


def read_document(chosen: Studio, file: Path) -> ImportedDocument:
    """A document file read by its extension (Word, HTML, Markdown or text), refused when too large."""
    try:
        if file.stat().st_size > MAX_DOCUMENT_BYTES:
            raise UserInputError(f"{file}: too large ({file.stat().st_size:,} bytes; the limit is {MAX_DOCUMENT_BYTES:,}).")
        data = file.read_bytes()
    except FileNotFoundError:
        raise UserInputError(f"{file}: file not found.") from None
    except OSError as exc:
        raise UserInputError(f"{file}: cannot be read ({exc}).") from None
    return chosen.read_document(file.name, data)


def audit_document(
    file: Annotated[Path, typer.Argument(help="the policy to audit: .md, .txt, .html or .docx")],
    checklist: Annotated[str, typer.Option(help="PACK/STEP, e.g. escalation-procedure/playbook")],
    fmt: FormatOption = OutputFormat.text,
    fill: Annotated[bool, typer.Option("--fill", help="draft the missing sections and write the document to --out")] = False,
    out: Annotated[Optional[Path], typer.Option(help="where the filled document goes (.md, .docx or .html)")] = None,
    provider: Annotated[Optional[str], typer.Option(help="offline, openai or anthropic (default: the configured one)")] = None,
    model: Annotated[Optional[str], typer.Option(help="model name for the provider")] = None,
    org: Annotated[str, typer.Option("--org", help="the organisation's name, for the drafted sections")] = "",
) -> None:
    """Check a team's own policy against a step's checklist: each section present, incomplete, found
    under another name (with the heading and line) or missing. With --fill, ask the provider only for
    what is missing, put it into the document in its own heading style (its text unchanged) and write
    it to --out. Exit 0 when the document as given covers everything, 1 when it does not, 2 on bad usage.

    Example: playbook audit-document policy.docx --checklist escalation-procedure/playbook --fill --out filled.docx
    """
    if fill and out is None:
        raise UserInputError("--fill writes the filled document: give --out FILE (.md, .docx or .html).")
    target = _OUT_FORMATS.get(out.suffix.lower()) if out is not None else None
    if out is not None and target is None:
        raise UserInputError(f"--out {out}: use a .md, .docx or .html file name.")
    chosen = studio(provider=provider, model=model)
    chosen.library.resolve(checklist)
    document = read_document(chosen, file)
    report = chosen.check_document(document.text, checklist)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps({"file": str(file), "format": document.kind, **report.contract()}, indent=2, ensure_ascii=False))
    else:
        typer.echo(report_text(report))
    for note in document.notes:
        err(f"{file.name}: {note}.")
    if fill and out is not None and target is not None:
        _write_filled(chosen, document, checklist, out, target, org)
    if not report.ok:
        raise typer.Exit(1)


def _write_filled(chosen: Studio, document: ImportedDocument, checklist: str, out: Path, target: str, org: str) -> None:
    filled = chosen.fill_gaps(document.text, checklist, organisation=org)
    title = document.title or out.stem
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(chosen.document_file(filled.text, title, target))  # type: ignore[arg-type]
    asked = ", ".join(filled.asked) or "nothing (the document covers every section)"
    err(f"Drafted with {filled.provider} ({filled.model}): {asked}. Now {filled.report.tally()}. Wrote {out}.")


def register(app: typer.Typer) -> None:
    app.command("audit-document")(audit_document)
