"""``python -m assistant`` is the ``playbook`` command."""

from assistant.cli.app import main

main()
