"""Keeping secrets out of the history: free-form options that look like keys or headers are
refused, and credentials in URLs (a base URL, URLs quoted in error messages) are dropped.

The store writes only what passes through here, so a key pasted into the wrong field, or an
SDK error that echoes a URL with ``?api-key=...``, never reaches the disk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from assistant.redact import redact_secrets

_SECRET_NAME = re.compile(
    r"(^|_)(api_?key|key|secret|password|passwd|token|authorization|auth|headers?|cookies?|credentials?)$"
)
_URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>]+")


def refuse_secrets(value: object, path: str = "options") -> None:
    """Options are free-form JSON, so refuse anything named like a key or a header."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            where = f"{path}.{name}"
            if _SECRET_NAME.search(str(name).lower().replace("-", "_")):
                raise ValueError(f"{where} looks like a secret or a header; the history never stores those")
            refuse_secrets(item, where)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            refuse_secrets(item, f"{path}[{index}]")


def redact_text(text: str | None) -> str | None:
    """Error messages quote URLs and servers echo headers: drop every credential before it is stored."""
    if not text:
        return text
    return redact_secrets(_URL_IN_TEXT.sub(lambda match: redact_url(match.group(0)) or "", text))


def redact_url(url: str | None) -> str | None:
    """Drop credentials a base URL may carry (``user:key@host``, ``?api-key=...``)."""
    if not url:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    query = urlencode(
        [
            (name, "REDACTED" if _SECRET_NAME.search(name.lower().replace("-", "_")) else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
