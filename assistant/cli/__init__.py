"""The `playbook` command: one module per command group, each with `register(app)`."""

from assistant.cli.main import app, main

__all__ = ["app", "main"]
