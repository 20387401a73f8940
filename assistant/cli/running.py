"""``playbook run``: run a pack's chain (or finish a stored run) and write the drafts."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from assistant.cli.common import ExpertOption, VarOption, VarsOption, err, load_variables, studio
from assistant.cli.progress import Progress
from assistant.errors import UserInputError
from assistant.settings import USER_PROVIDERS

if TYPE_CHECKING:
    from assistant.api import RunResult, Studio
    from assistant.packs import Pack

#: ``--provider`` choices: the providers a person may pick (settings name them once)
ProviderOption = Enum("ProviderOption", {name.value: name.value for name in USER_PROVIDERS}, type=str)  # type: ignore[misc]


def _prepared(
    pack_name: str, resume: str | None, vars_file: Path | None, var: list[str], provider: str | None, model: str | None, base_url: str | None, cache: bool, owner: str | None = None
) -> tuple[Studio, Pack, dict, list[str] | None]:
    """The Studio, pack, variables and steps of a new run, or of a stored run being finished.

    A resumed run finishes with the variables, provider, model and base URL it started with,
    unless the command line names another provider, model or base URL; variables given with
    ``--resume`` must be the run's own (the command first ran, with ``--resume`` appended).
    """
    if resume is None:
        chosen = studio(owner, provider=provider, model=model, base_url=base_url, cache=cache or None)
        pack, variables = load_variables(chosen, pack_name, vars_file, var)
        return chosen, pack, variables, None
    from assistant.packs import load_variables_file, parse_overrides

    given = load_variables_file(vars_file) if vars_file else None
    plan = studio().resumption(resume, pack_name, variables=given, overrides=parse_overrides(var))
    chosen = studio(
        owner,
        provider=provider or (plan.provider if plan.provider in USER_PROVIDERS else None),
        model=model or plan.model,
        base_url=base_url if base_url is not None else plan.base_url,
        cache=cache or None,
    )
    return chosen, plan.pack, plan.variables, plan.steps


def _summary(chosen: Studio, result: RunResult, pack: Pack, out: Path | None) -> None:
    written, problem = chosen.write_drafts(result, pack, out)
    if written:
        err(f"Wrote {', '.join(str(p) for p in written)}")
    if result.history_error:
        where = f"the drafts are in {written[0].parent}" if written else f"the drafts could not be written either ({problem})"
        err(f"The history could not keep this run ({result.history_error}); {where}.")
    elif problem:
        err(f"Could not write the drafts: {problem}")
    err(f"Run {result.run_id or '(not recorded)'}: {result.status} in {result.elapsed:.1f} s — {_figures(result.usage, result.cost)}")
    if result.run_id and not result.history_error:
        record = chosen.run(result.run_id)
        spent = (result.usage.input_tokens, result.usage.output_tokens)
        if record.usage is not None and (record.usage.input_tokens, record.usage.output_tokens) != spent:
            err(f"The document set so far: {_figures(record.usage, record.cost)}")
    if result.run_id and out is None and not result.history_error:
        err(f"Export it with: playbook export {result.run_id} --format docx --out playbook.docx")


def _figures(usage: object, cost: float | None) -> str:
    """Tokens and cost the way every view says them."""
    estimated = " (estimated)" if getattr(usage, "estimated", False) else ""
    price = "" if cost is None else f", cost ${cost:.4f}"
    return f"{usage.input_tokens:,} in / {usage.output_tokens:,} out tokens{estimated}{price}"  # type: ignore[attr-defined]


def run(
    pack: Annotated[str, typer.Argument(help="pack name, e.g. escalation-procedure")],
    vars_file: VarsOption = None,
    var: VarOption = [],  # noqa: B006 - typer needs a literal default
    provider: Annotated[Optional[ProviderOption], typer.Option(help="offline, openai or anthropic (env PLAYBOOK_PROVIDER)")] = None,
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
    owner: Annotated[Optional[str], typer.Option(help="name recorded as the new run's owner (default: your login name)")] = None,
) -> None:
    """Run a pack's prompt chain and write the drafts.

    Example: playbook run escalation-procedure --vars vars.yaml --out out/
    """
    if resume and not history:
        raise UserInputError("--resume needs the run history; drop --no-history.")
    name = provider.value if provider else None
    chosen, chosen_pack, variables, planned = _prepared(pack, resume, vars_file, var, name, model, base_url, cache, owner)
    step_ids = [s.strip() for s in steps.split(",") if s.strip()] if steps else planned
    runner = chosen.runner(
        chosen_pack, variables, expert=expert, history=history, concurrency=concurrency, max_tokens=max_tokens, max_repair_rounds=repair_rounds
    )
    offline = " (offline drafts: no model is called)" if runner.provider.name == "offline" else ""
    err(f"Provider: {runner.provider.name} · model: {runner.model}{offline}")
    if resume is None:
        estimate = chosen.estimate(chosen_pack, variables, step_ids, expert=expert, model=runner.model, max_tokens=max_tokens)
        cost = "price unknown" if estimate.cost is None else f"≈ ${estimate.cost:.4f}"
        err(f"Estimate: ~{estimate.input_tokens:,} input + ~{estimate.output_tokens:,} output tokens, {cost}")
    try:
        result = runner.run(step_ids, run_id=resume, on_event=Progress())
    except KeyboardInterrupt:
        runner.cancel.set()
        raise
    _summary(chosen, result, chosen_pack, out)
    failed = [s for s in result.steps.values() if s.status not in ("done", "truncated")]
    not_ok = [s for s in result.steps.values() if s.report is None or not s.report.ok]
    if failed or result.history_error or (strict and not_ok):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(run)
