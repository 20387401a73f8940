"""``playbook templates``, ``example`` and ``render``: what the packs offer and the prompts they fill."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.common import (
    ExpertOption,
    FormatOption,
    OutputFormat,
    VarOption,
    VarsOption,
    load_variables,
    read_text,
    studio,
)
from assistant.errors import UserInputError

if TYPE_CHECKING:
    from assistant.packs import Pack


def _pack_json(pack: Pack) -> dict:
    return {
        "name": pack.name,
        "title": pack.title,
        "description": pack.description,
        "steps": [
            {"id": s.id, "title": s.title, "needs": s.needs, "optional": s.optional, "fan_out": bool(s.fan_out)}
            for s in pack.steps
        ],
        "variables": [{"name": v.name, "label": v.label, "required": v.required, "type": v.type} for v in pack.variables],
        "system_prompt": bool(pack.system),
    }


def _pack_lines(pack: Pack) -> list[str]:
    lines = [f"{pack.name} — {pack.title}"]
    for step in pack.steps:
        flags = []
        if step.needs:
            flags.append("needs " + ", ".join(step.needs))
        if step.fan_out:
            flags.append(f"one request per {step.fan_out.as_}")
        if step.optional:
            flags.append("optional")
        extra = f" ({'; '.join(flags)})" if flags else ""
        lines.append(f"  step {pack.name}/{step.id}: {step.title}{extra}")
    names = [v.name + ("" if v.required else "?") for v in pack.variables]
    lines.append(f"  variables: {', '.join(names) or 'none'}")
    if pack.system:
        lines.append("  offers an expert system prompt for any pack (--expert)")
    return [*lines, ""]


def templates(fmt: FormatOption = OutputFormat.text) -> None:
    """List prompt packs, their steps and variables.

    Example: playbook templates --format json
    """
    chosen = studio()
    packs = [chosen.pack(name) for name in chosen.library.names]
    if fmt is OutputFormat.json:
        typer.echo(json.dumps([_pack_json(p) for p in packs], indent=2, ensure_ascii=False))
        return
    for pack in packs:
        typer.echo("\n".join(_pack_lines(pack)))


def example(pack: Annotated[str, typer.Argument(help="pack name, e.g. escalation-procedure")]) -> None:
    """Print a complete sample variables file (YAML) for a pack.

    Example: playbook example escalation-procedure > vars.yaml
    """
    from assistant.packs import dump_variables_yaml

    chosen = studio().pack(pack)
    if not chosen.example:
        raise UserInputError(f"Pack {pack!r} has no example; see `playbook templates` for its variables.")
    typer.echo(dump_variables_yaml(chosen.example), nl=False)


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

    chosen = studio()
    pack, step = chosen.library.resolve(ref)
    _, variables = load_variables(chosen, pack.name, vars_file, var)
    texts = {key: read_text(Path(path)) for key, path in parse_overrides(inputs).items()}
    for index, prompt in enumerate(chosen.render(pack, step, variables, texts, expert=expert)):
        if index:
            typer.echo("\n" + "=" * 72 + "\n")
        typer.echo(prompt.text, nl=False)


def register(app: typer.Typer) -> None:
    app.command()(templates)
    app.command()(example)
    app.command()(render)
