"""The ``playbook`` command: thin typer commands over :class:`assistant.api.Studio`.

Exit codes: 0 ok; 1 the work ran but found problems (missing or incomplete sections,
failed steps); 2 bad usage or unreadable input. Every ``PlaybookError`` is
turned into a one-line message on stderr in one place (:func:`main`).
Heavy libraries (SDKs, SQLAlchemy, python-docx, DuckDB) load only inside the
commands that need them, so ``playbook --help`` starts fast.
"""

from __future__ import annotations

import sys

import typer

from assistant.cli import analytics, auditing, checking, history, packs, policy, publishing, running
from assistant.cli.common import err
from assistant.errors import PlaybookError

app = typer.Typer(
    name="playbook",
    help="Escalation Playbook Studio: draft, check and repair customer-escalation documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
for group in (packs, running, checking, auditing, history, policy, analytics, publishing):
    group.register(app)


def _usage_error(exc: Exception) -> int | None:
    """Usage errors from typer's bundled click: one line on stderr, their own exit code (2)."""
    if not (hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int)):
        return None
    command = getattr(getattr(exc, "ctx", None), "command_path", "playbook")
    err(f"Error: {exc.format_message()} (see `{command} --help`)")
    return int(exc.exit_code)  # type: ignore[attr-defined]


def main() -> None:
    """Console entry point: one place turns engine errors into messages and exit codes."""
    try:
        code = app(standalone_mode=False)
    except PlaybookError as exc:
        err(f"Error: {exc.message}")
        sys.exit(exc.exit_code)
    except typer.Abort:
        err("Aborted.")
        sys.exit(130)
    except KeyboardInterrupt:
        err("Interrupted: the text received so far is kept in the history (resume with --resume RUN_ID).")
        sys.exit(130)
    except Exception as exc:
        usage = _usage_error(exc)
        if usage is None:
            raise
        sys.exit(usage)
    sys.exit(code if isinstance(code, int) else 0)
