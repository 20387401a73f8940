"""Run one analytics page the way app.py runs pages (inside the shell), whether or not app.py lists it yet."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import runpy, sys
for entry in ({root!r}, {ui!r}):
    if entry not in sys.path:
        sys.path.insert(0, entry)
from ui import shell, state
state.init_session()
state.apply_pending_widget_values()
for kind, text in state.pop_flashes():
    import streamlit as st
    {{"success": st.success, "error": st.error}}.get(kind, st.info)(text)
shell.entry(lambda: runpy.run_path({page!r}, run_name="__page__"))
"""


def page_test(tmp_path: Path, page: str) -> AppTest:
    script = tmp_path / f"run_{page}.py"
    script.write_text(
        SCRIPT.format(root=str(ROOT), ui=str(ROOT / "ui"), page=str(ROOT / "ui" / "pages" / f"{page}.py")),
        encoding="utf-8",
    )
    return AppTest.from_file(str(script), default_timeout=60)


def texts(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "title", "header", "subheader"):
        parts += [str(element.value) for element in getattr(at, kind)]
    return "\n".join(parts)
