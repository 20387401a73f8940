"""The `playbook` command."""

from assistant.cli.app import app, main

__all__ = ["app", "main"]
