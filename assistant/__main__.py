"""``python -m assistant`` is the ``playbook`` command."""

from .cli import main

main()
