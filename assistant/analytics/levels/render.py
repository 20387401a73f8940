"""The diagram as files: SVG and PNG drawn by Graphviz's ``dot`` program (Debian's ``graphviz``).

The ``graphviz`` package runs ``dot``; when the program is not installed every call raises
:class:`DiagramUnavailable` with the command that fixes it, so a page can still show the DOT text.
"""

from __future__ import annotations

from typing import Literal

import graphviz

from assistant.errors import PlaybookError

ImageFormat = Literal["svg", "png"]
IMAGE_FORMATS: tuple[ImageFormat, ...] = ("svg", "png")
MEDIA_TYPES: dict[str, str] = {"svg": "image/svg+xml", "png": "image/png", "dot": "text/vnd.graphviz"}
#: PNG resolution: twice the screen's 72 dpi, sharp on a slide or a high-density display
PNG_DPI = 144


class DiagramUnavailable(PlaybookError):
    """Graphviz's ``dot`` is missing or refused the diagram; the message says what to do."""


def _with_dpi(dot: str, dpi: int) -> str:
    """``dot`` with the graph's resolution set (the last graph attribute wins, so it is appended)."""
    head, _, _ = dot.rstrip().rpartition("}")
    return f"{head}  graph [dpi={dpi}];\n}}\n"


def render_diagram(dot: str, fmt: ImageFormat) -> bytes:
    """``dot`` drawn as an SVG document or a PNG image (at :data:`PNG_DPI`)."""
    source = _with_dpi(dot, PNG_DPI) if fmt == "png" else dot
    try:
        return graphviz.Source(source).pipe(format=fmt, encoding=None, quiet=True)
    except graphviz.ExecutableNotFound as error:
        raise DiagramUnavailable(
            "Graphviz's dot program is not installed, so the diagram cannot be saved as SVG or PNG. "
            "Install it (Debian/Ubuntu: apt-get install graphviz, or make system-deps) and reload; "
            "the DOT source works in any Graphviz tool meanwhile."
        ) from error
    except graphviz.CalledProcessError as error:
        detail = (error.stderr or b"").decode("utf-8", "replace").strip().splitlines()[:1]
        raise DiagramUnavailable(f"Graphviz could not draw the diagram: {' '.join(detail) or error}") from error

