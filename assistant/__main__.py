"""``python -m assistant`` is the ``playbook`` command."""

from assistant.cli import main

main()
