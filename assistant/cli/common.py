"""What every ``playbook`` command shares: output formats, option types, messages and the Studio."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from assistant.bounded import MAX_ANSWER_CHARS, check_size, read_text_file

if TYPE_CHECKING:
    from assistant.api import Studio
    from assistant.packs import Pack


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


VarsOption = Annotated[Optional[Path], typer.Option("--vars", help="YAML file of variable values")]
VarOption = Annotated[list[str], typer.Option("--var", help="KEY=VALUE, overrides the file (repeatable)")]
ExpertOption = Annotated[bool, typer.Option("--expert", help="use the escalation expert persona as the system prompt")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="text or json")]


def studio(owner: str | None = None, **overrides: Any) -> Studio:
    """A Studio on the environment's settings, with the command line's choices (``None`` keeps a setting).

    The command line acts for the local user (``--owner NAME`` records another name on new runs).
    """
    from assistant.api import Studio, Viewer
    from assistant.settings import Settings

    return Studio(Settings(**{k: v for k, v in overrides.items() if v is not None}), viewer=Viewer.local(owner))


def err(message: str) -> None:
    """Progress and messages go to stderr, so stdout stays the command's output."""
    typer.echo(message, err=True)


def write_output(text: str, out: Path | None, done: str | None = None) -> None:
    """A command's output to ``out`` (saying so on stderr, with ``done`` if given), else to stdout."""
    from assistant.errors import UserInputError

    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"{out}: cannot be written ({exc.strerror or exc}).") from None
    err(done or f"Wrote {out}")


def read_text(path: Path, limit: int = MAX_ANSWER_CHARS) -> str:
    """A file's text (``-`` reads stdin), refused over ``limit`` characters; a missing or
    unreadable file is a usage error."""
    if str(path) != "-":
        return read_text_file(path, limit)
    text = sys.stdin.read(limit + 1)
    check_size(text, limit, "standard input")
    return text


def load_variables(chosen: Studio, pack_name: str, vars_file: Path | None, overrides: list[str]) -> tuple[Pack, dict]:
    """The pack and its checked variables from ``--vars`` and ``--var`` (the latter win)."""
    from assistant.packs import load_variables_file, parse_overrides

    pack = chosen.pack(pack_name)
    values = load_variables_file(vars_file) if vars_file else {}
    values.update(parse_overrides(overrides))
    return pack, chosen.variables(pack, values)
