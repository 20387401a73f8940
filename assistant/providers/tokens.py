"""Token counting for estimates and for servers that report no usage.

tiktoken is used when its encoding is available on this machine; it fetches
encodings over the network the first time, so a machine without access falls
back to a character-based estimate. Either way the count is an estimate.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

CHARS_PER_TOKEN = 4.0


@lru_cache(maxsize=8)
def _encoding(model: str) -> Any | None:
    try:
        import tiktoken

        try:
            return tiktoken.encoding_for_model(model)
        except KeyError:
            return tiktoken.get_encoding("o200k_base")
    except Exception:  # no cached encoding and no network, or tiktoken missing
        return None


def count_tokens(text: str, model: str = "gpt-4o") -> int:
    """Approximate tokens in ``text`` for ``model``."""
    if not text:
        return 0
    encoding = _encoding(model) if model.startswith(("gpt", "o1", "o3", "o4", "text-")) else None
    if encoding is not None:
        return len(encoding.encode(text, disallowed_special=()))
    return max(1, round(len(text) / CHARS_PER_TOKEN))
