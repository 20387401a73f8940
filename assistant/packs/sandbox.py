"""The Jinja2 environment templates run in: sandboxed, and kept inside its pack's folder.

A user's pack is code written by someone else. The loader serves only regular files under
the pack folder (no symbolic links, nothing that resolves outside it, nothing huge), and the
sandbox caps what an expression may allocate (``range`` is capped by Jinja itself; string
and list repetition and powers are capped here), so a template cannot read the system's
files or exhaust memory.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

#: a prompt template is a few KB
MAX_TEMPLATE_BYTES = 1_000_000
#: the longest string or list one expression may build
MAX_BUILT_ITEMS = 1_000_000
MAX_EXPONENT = 1000


class PackLoader(jinja2.FileSystemLoader):
    """Templates from one pack folder: regular files only, never through a link or out of the folder."""

    def __init__(self, directory: Path) -> None:
        super().__init__(str(directory))
        self.root = directory.resolve()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        path = self.root.joinpath(*pieces)
        for part in [self.root.joinpath(*pieces[: i + 1]) for i in range(len(pieces))]:
            if part.is_symlink():
                raise jinja2.exceptions.SecurityError(f"{template!r} is a link; templates must be files inside the pack folder")
        if not path.resolve().is_relative_to(self.root):
            raise jinja2.exceptions.SecurityError(f"{template!r} leaves the pack folder")
        if path.is_file() and path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise jinja2.exceptions.SecurityError(f"{template!r} is larger than {MAX_TEMPLATE_BYTES:,} bytes")
        return super().get_source(environment, template)


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, with repetition and powers capped so one expression cannot exhaust memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise jinja2.exceptions.SecurityError(f"powers above {MAX_EXPONENT} are blocked")
            return operator.pow(left, right)
        for sequence, count in ((left, right), (right, left)):
            size = _size(sequence)
            if size is not None and isinstance(count, int) and size * count > MAX_BUILT_ITEMS:
                raise jinja2.exceptions.SecurityError(f"repeating a value to more than {MAX_BUILT_ITEMS:,} items is blocked")
        return operator.mul(left, right)


@lru_cache(maxsize=32)
def environment(directory: Path, filters: tuple[tuple[str, Callable[..., Any]], ...] = ()) -> SandboxedEnvironment:
    """The (cached) environment of one pack folder."""
    env = BoundedSandbox(
        loader=PackLoader(directory),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(dict(filters))
    return env
