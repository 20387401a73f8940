"""Make every page run inside the entry point, even when Streamlit runs the page file alone.

Streamlit treats a folder called ``pages/`` next to the entry point as a v1
multipage app until it has seen ``st.navigation`` in this process: on the
first run after the server starts (say, a bookmarked ``/chain`` link) and on
every ``AppTest`` run after the first, it executes the page file by itself and
skips ``app.py`` — no session defaults, no sidebar, no engine set-up. So each
page hands its body to :func:`page`: inside ``app.py`` the body runs at once;
otherwise ``app.py`` is run, which draws the sidebar and runs the page through
``st.navigation`` (calling :func:`page` again, this time inside).
"""

from __future__ import annotations

import runpy
import threading
from collections.abc import Callable
from pathlib import Path

ENTRY_POINT = Path(__file__).resolve().parent / "app.py"
_local = threading.local()


def inside_entry_point() -> bool:
    return bool(getattr(_local, "inside", False))


def entry(run: Callable[[], None]) -> None:
    """Called by ``app.py`` to run the current page."""
    _local.inside = True
    try:
        run()
    finally:
        _local.inside = False


def page(body: Callable[[], None]) -> None:
    """Called by each page file with its body."""
    if inside_entry_point():
        body()
    else:
        runpy.run_path(str(ENTRY_POINT), run_name="__main__")
