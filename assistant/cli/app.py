"""The ``playbook`` command: thin typer commands over :class:`assistant.api.Studio`.

Exit codes: 0 ok; 1 the work ran but found problems (missing sections,
failed steps); 2 bad usage or unreadable input. Every ``PlaybookError`` is
turned into a one-line message on stderr in one place (:func:`main`).
Heavy libraries (SDKs, SQLAlchemy, python-docx) load only inside the
commands that need them, so ``playbook --help`` starts fast.
"""

from __future__ import annotations

import json
import sys
import time
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from assistant.errors import PlaybookError, UserInputError

if TYPE_CHECKING:
    from assistant.api import Studio
    from assistant.chain import ChainEvent
    from assistant.validation import ValidationReport

app = typer.Typer(
    name="playbook",
    help="Escalation Playbook Studio: draft, check and repair customer-escalation documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


class ExportFormat(str, Enum):
    md = "md"
    docx = "docx"
    html = "html"


class ProviderChoice(str, Enum):
    offline = "offline"
    openai = "openai"
    anthropic = "anthropic"


def _studio(**overrides: Any) -> Studio:
    from assistant.api import Studio
    from assistant.settings import Settings

    return Studio(Settings(**{k: v for k, v in overrides.items() if v is not None}))


def _err(message: str) -> None:
    typer.echo(message, err=True)


# --- packs -----------------------------------------------------------------------


@app.command()
def templates(fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = OutputFormat.text) -> None:
    """List prompt packs, their steps and variables.

    Example: playbook templates --format json
    """
    studio = _studio()
    packs = [studio.pack(name) for name in studio.library.names]
    if fmt is OutputFormat.json:
        data = [
            {
                "name": p.name,
                "title": p.title,
                "description": p.description,
                "steps": [
                    {"id": s.id, "title": s.title, "needs": s.needs, "optional": s.optional, "fan_out": bool(s.fan_out)}
                    for s in p.steps
                ],
                "variables": [{"name": v.name, "label": v.label, "required": v.required, "type": v.type} for v in p.variables],
                "system_prompt": bool(p.system),
            }
            for p in packs
        ]
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for pack in packs:
        typer.echo(f"{pack.name} — {pack.title}")
        for step in pack.steps:
            flags = []
            if step.needs:
                flags.append("needs " + ", ".join(step.needs))
            if step.fan_out:
                flags.append(f"one request per {step.fan_out.as_}")
            if step.optional:
                flags.append("optional")
            extra = f" ({'; '.join(flags)})" if flags else ""
            typer.echo(f"  step {pack.name}/{step.id}: {step.title}{extra}")
        names = [v.name + ("" if v.required else "?") for v in pack.variables]
        typer.echo(f"  variables: {', '.join(names) or 'none'}")
        if pack.system:
            typer.echo("  offers an expert system prompt for any pack (--expert)")
        typer.echo("")


@app.command()
def example(pack: Annotated[str, typer.Argument(help="pack name, e.g. escalation-procedure")]) -> None:
    """Print a complete sample variables file (YAML) for a pack.

    Example: playbook example escalation-procedure > vars.yaml
    """
    from assistant.packs import dump_variables_yaml

    chosen = _studio().pack(pack)
    if not chosen.example:
        raise UserInputError(f"Pack {pack!r} has no example; see `playbook templates` for its variables.")
    typer.echo(dump_variables_yaml(chosen.example), nl=False)


def _load_variables(studio: Studio, pack_name: str, vars_file: Path | None, overrides: list[str]) -> tuple[Any, dict]:
    from assistant.packs import load_variables_file, parse_overrides

    pack = studio.pack(pack_name)
    values = load_variables_file(vars_file) if vars_file else {}
    values.update(parse_overrides(overrides))
    return pack, studio.variables(pack, values)


VarsOption = Annotated[Optional[Path], typer.Option("--vars", help="YAML file of variable values")]
VarOption = Annotated[list[str], typer.Option("--var", help="KEY=VALUE, overrides the file (repeatable)")]
ExpertOption = Annotated[bool, typer.Option("--expert", help="use the escalation expert persona as the system prompt")]


@app.command()
def render(
    ref: Annotated[str, typer.Argument(help="PACK/STEP, e.g. escalation-procedure/playbook")],
    vars_file: VarsOption = None,
    var: VarOption = [],  # noqa: B006 - typer needs a literal default
    inputs: Annotated[list[str], typer.Option("--input", help="STEP=FILE: output of an earlier step (repeatable)")] = [],  # noqa: B006
    expert: ExpertOption = False,
) -> None:
    """Print the filled prompt of one step, ready to paste into any chat tool.

    Example: playbook render escalation-procedure/playbook --vars vars.yaml --var company_name=Acme
    """
    from assistant.packs import parse_overrides

    studio = _studio()
    pack, step = studio.library.resolve(ref)
    _, variables = _load_variables(studio, pack.name, vars_file, var)
    texts = {}
    for key, path in parse_overrides(inputs).items():
        texts[key] = _read_text(Path(path))
    for index, prompt in enumerate(studio.render(pack, step, variables, texts, expert=expert)):
        if index:
            typer.echo("\n" + "=" * 72 + "\n")
        typer.echo(prompt.text, nl=False)


def _read_text(path: Path) -> str:
    try:
        return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserInputError(f"{path}: file not found.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(f"{path}: cannot be read ({exc}).") from None


# --- running ---------------------------------------------------------------------


class _Progress:
    """Live progress on stderr: one line per event that matters, throttled token counts."""

    def __init__(self, interval: float = 2.0) -> None:
        self.interval = interval
        self.started: dict[str, float] = {}
        self.chars: dict[str, int] = {}
        self.last_print: dict[str, float] = {}

    def __call__(self, event: ChainEvent) -> None:
        key = event.step
        now = time.monotonic()
        if event.kind == "started":
            self.started[key] = now
            self.chars[key] = 0
            _err(f"▶ {key}: started")
        elif event.kind == "delta":
            self.chars[key] = self.chars.get(key, 0) + len(event.text)
            if now - self.last_print.get(key, 0.0) >= self.interval:
                self.last_print[key] = now
                _err(f"  {key}: ~{self.chars[key] // 4:,} tokens, {now - self.started.get(key, now):.1f} s")
        elif event.kind == "finished" and event.usage is not None:
            estimated = " (estimated)" if event.usage.estimated else ""
            _err(
                f"  {key}: received {event.usage.output_tokens:,} tokens{estimated} in {event.elapsed:.1f} s"
            )
        elif event.kind in ("validated", "repaired") and event.report is not None:
            report = event.report
            present = sum(1 for s in report.sections if s.status == "present")
            verdict = "✓" if report.ok else "✗"
            gaps = f" — missing: {', '.join(report.missing)}" if report.missing else ""
            errors = f" — {len(report.errors)} lint error(s)" if report.errors else ""
            label = "after repair" if event.kind == "repaired" else "checklist"
            _err(f"{verdict} {key}: {label} {present}/{len(report.sections)} sections{gaps}{errors}")
        elif event.kind in ("retried", "repairing", "cached", "skipped"):
            if event.kind in ("repairing", "retried"):
                self.chars[key] = 0
                self.started[key] = now
            _err(f"  {key}: {event.message}")
        elif event.kind == "failed":
            _err(f"✗ {key}: {event.message}")


@app.command()
def run(
    pack: Annotated[str, typer.Argument(help="pack name, e.g. escalation-procedure")],
    vars_file: VarsOption = None,
    var: VarOption = [],  # noqa: B006
    provider: Annotated[Optional[ProviderChoice], typer.Option(help="offline, openai or anthropic (env PLAYBOOK_PROVIDER)")] = None,
    model: Annotated[Optional[str], typer.Option(help="model name (env PLAYBOOK_MODEL)")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible server or API proxy (env PLAYBOOK_BASE_URL)")] = None,
    steps: Annotated[Optional[str], typer.Option(help="comma-separated step ids (default: every non-optional step)")] = None,
    concurrency: Annotated[Optional[int], typer.Option(min=1, help="requests in flight at once (default 4)")] = None,
    max_tokens: Annotated[Optional[int], typer.Option("--max-tokens", min=16, help="answer size limit per request")] = None,
    repair_rounds: Annotated[Optional[int], typer.Option("--repair-rounds", min=0, help="targeted repair rounds (default 2)")] = None,
    out: Annotated[Optional[Path], typer.Option(help="folder for one Markdown file per step and run.json")] = None,
    resume: Annotated[Optional[str], typer.Option(help="RUN_ID: re-run only the unfinished steps of that run")] = None,
    expert: ExpertOption = False,
    cache: Annotated[bool, typer.Option("--cache", help="reuse stored answers for identical requests")] = False,
    history: Annotated[bool, typer.Option("--history/--no-history", help="record the run in the history database")] = True,
    strict: Annotated[bool, typer.Option("--strict", help="exit 1 when any checklist is not satisfied")] = False,
) -> None:
    """Run a pack's prompt chain and write the drafts.

    Example: playbook run escalation-procedure --vars vars.yaml --out out/
    """
    from assistant.chain import ChainRunner
    from assistant.export import write_run_folder

    if resume and not history:
        raise UserInputError("--resume needs the run history; drop --no-history.")
    previous = _studio().store.get_run(resume) if resume else None
    if previous is not None:
        # a resumed run finishes with what it started with, unless told otherwise
        if previous.pack != pack:
            raise UserInputError(f"Run {resume} is for pack {previous.pack!r}, not {pack!r}.")
        if vars_file or var:
            raise UserInputError(
                f"Run {resume} keeps the variables it started with; drop --vars/--var, or start a new run."
            )
        if provider is None and previous.provider in ProviderChoice.__members__:
            provider = ProviderChoice(previous.provider)
        model = model or previous.model
        if base_url is None and previous.base_url and "REDACTED" not in previous.base_url:
            base_url = previous.base_url
    studio = _studio(
        provider=provider.value if provider else None,
        model=model,
        base_url=base_url,
        cache=cache or None,
    )
    if previous is not None:
        chosen = studio.pack(pack)
        variables = studio.variables(chosen, previous.variables)
    else:
        chosen, variables = _load_variables(studio, pack, vars_file, var)
    step_ids = [s.strip() for s in steps.split(",") if s.strip()] if steps else None
    if step_ids is None and previous is not None:
        step_ids = list(previous.options.get("steps") or []) or None
    runner: ChainRunner = studio.runner(
        chosen,
        variables,
        expert=expert,
        history=history,
        concurrency=concurrency,
        max_tokens=max_tokens,
        max_repair_rounds=repair_rounds,
    )
    _err(f"Provider: {runner.provider.name} · model: {runner.model}" + (" (offline drafts: no model is called)" if runner.provider.name == "offline" else ""))
    if resume is None:
        estimate = studio.estimate(chosen, variables, step_ids, expert=expert, model=runner.model, max_tokens=max_tokens)
        cost = "price unknown" if estimate.cost is None else f"≈ ${estimate.cost:.4f}"
        _err(f"Estimate: ~{estimate.input_tokens:,} input + ~{estimate.output_tokens:,} output tokens, {cost}")
    try:
        result = runner.run(step_ids, run_id=resume, on_event=_Progress())
    except KeyboardInterrupt:
        runner.cancel.set()
        raise
    titles = {s.id: s.title for s in chosen.steps}
    if out is not None:
        written = write_run_folder(result, titles, out)
        _err(f"Wrote {', '.join(str(p) for p in written)}")
    cost = "" if result.cost is None else f", cost ${result.cost:.4f}"
    estimated = " (estimated)" if result.usage.estimated else ""
    _err(
        f"Run {result.run_id or '(not recorded)'}: {result.status} in {result.elapsed:.1f} s — "
        f"{result.usage.input_tokens:,} in / {result.usage.output_tokens:,} out tokens{estimated}{cost}"
    )
    if result.run_id and out is None:
        _err(f"Export it with: playbook export {result.run_id} --format docx --out playbook.docx")
    failed = [s for s in result.steps.values() if s.status not in ("done", "truncated")]
    not_ok = [s for s in result.steps.values() if s.report is None or not s.report.ok]
    if failed or (strict and not_ok):
        raise typer.Exit(1)


# --- validating --------------------------------------------------------------------


def _report_text(report: ValidationReport) -> str:
    lines = [f"{report.checklist}: {'OK' if report.ok else 'NOT OK'}"]
    for section in report.sections:
        mark = "✓" if section.status == "present" else "✗"
        where = f" (line {section.line})" if section.line else ""
        status = "" if section.status == "present" else f" — {section.status}"
        lines.append(f"  {mark} {section.title}{where}{status}")
        for item in section.missing_items if section.status == "present" else []:
            lines.append(f"      · missing item: {item}")
    if report.lints:
        lines.append("Lints:")
        for lint in report.lints:
            lines.append(f"  {lint.severity}: line {lint.line}: {lint.code}: {lint.message}")
    return "\n".join(lines)


@app.command()
def validate(
    file: Annotated[Optional[Path], typer.Argument(help="Markdown answer to check, or - for stdin")] = None,
    checklist: Annotated[Optional[str], typer.Option(help="PACK/STEP, e.g. escalation-procedure/playbook")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = OutputFormat.text,
    consistency: Annotated[
        Optional[str],
        typer.Option("--consistency", metavar="RUN_ID", help="compare a run's playbook, runbooks and training instead"),
    ] = None,
) -> None:
    """Check an answer against a step's required-sections checklist and lints.

    Exit 0 when every section is present and no lint is an error, 1 otherwise, 2 on bad usage.

    Example: playbook validate answer.md --checklist escalation-procedure/playbook --format json
    """
    if consistency is not None:
        from assistant.cli.analytics import consistency_command

        consistency_command(consistency, fmt)
        return
    if file is None or checklist is None:
        raise UserInputError("Give FILE and --checklist PACK/STEP (or --consistency RUN_ID).")
    studio = _studio()
    studio.library.resolve(checklist)
    report = studio.validate(_read_text(file), checklist)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(report.contract(), indent=2, ensure_ascii=False))
    else:
        typer.echo(_report_text(report))
    if not report.ok:
        raise typer.Exit(1)


# --- history ------------------------------------------------------------------------


@app.command()
def history(
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = OutputFormat.text,
    limit: Annotated[int, typer.Option(min=1, help="how many runs, newest first")] = 50,
) -> None:
    """List recorded runs, newest first.

    Example: playbook history --format json
    """
    runs = _studio().store.list_runs(limit=limit)
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


@app.command()
def export(
    run_id: Annotated[str, typer.Argument(help="a run id from `playbook history`")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="md, docx or html")],
    out: Annotated[Path, typer.Option(help="file to write")],
) -> None:
    """Export a recorded run as one Markdown file, a Word document or an HTML page.

    Example: playbook export 3f2a... --format docx --out playbook.docx
    """
    from assistant.export import default_title, document_from_record, organisation_name
    from assistant.export import export as write

    studio = _studio()
    record = studio.store.get_run(run_id)
    pack = studio.library.packs.get(record.pack)
    titles = {s.id: s.title for s in pack.steps} if pack else {}
    title = default_title(pack.title if pack else record.pack, organisation_name(record.variables))
    document = document_from_record(record, titles, title)
    path = write(document, fmt.value, out)
    _err(f"Wrote {path}")


from assistant.cli import analytics  # noqa: E402,F401  (registers sample-tickets, policy, calibrate, dashboard)


def main() -> None:
    """Console entry point: one place turns engine errors into messages and exit codes."""
    try:
        code = app(standalone_mode=False)
    except PlaybookError as exc:
        _err(f"Error: {exc.message}")
        sys.exit(exc.exit_code)
    except typer.Abort:
        _err("Aborted.")
        sys.exit(130)
    except KeyboardInterrupt:
        _err("Interrupted: the text received so far is kept in the history (resume with --resume RUN_ID).")
        sys.exit(130)
    except Exception as exc:
        # usage errors from typer's bundled click: one line, their own exit code (2)
        if hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int):
            command = getattr(getattr(exc, "ctx", None), "command_path", "playbook")
            _err(f"Error: {exc.format_message()} (see `{command} --help`)")
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)
