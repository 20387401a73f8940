"""Page scripts hold no bare expression statements: Streamlit's "magic" would write each one to the page.

In a browser Streamlit re-parses such a statement (``a if ok else b``, a name, a comparison) and
writes its value with ``st.write``; AppTest does not, so only this check and the browser tests see it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "ui").rglob("*.py"))
NOT_WRITTEN = (ast.Call, ast.Yield, ast.YieldFrom, ast.Await)


def _is_docstring(statement: ast.stmt, parent: ast.AST, index: int) -> bool:
    return (
        index == 0
        and isinstance(parent, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _bare_expressions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for parent in ast.walk(tree):
        for body in (getattr(parent, name, None) for name in ("body", "orelse", "finalbody")):
            if not isinstance(body, list):
                continue
            for index, statement in enumerate(body):
                if not isinstance(statement, ast.Expr) or isinstance(statement.value, NOT_WRITTEN):
                    continue
                if not _is_docstring(statement, parent, index):
                    found.append(f"line {statement.lineno}: {ast.unparse(statement)[:80]}")
    return found


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_bare_expression_statements(path: Path) -> None:
    assert not _bare_expressions(path), f"use an if statement or `_ = ...` instead: {_bare_expressions(path)}"
