"""Put the project root on ``sys.path`` so ``import ui`` and ``import assistant`` work.

Streamlit runs ``ui/app.py`` (and, on its own, sometimes a page file) with only
the ``ui/`` folder on ``sys.path``; every script under ``ui/`` imports this
module first (as a top-level module from that folder).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
