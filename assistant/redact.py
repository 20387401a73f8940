"""Credentials removed from any text the project keeps or shows: errors, history, run.json, logs.

Servers echo what they were sent ("invalid key sk-...", "Authorization: Bearer ..."), and SDK
errors quote URLs with ``user:password@`` or ``?api-key=``. Known keys are removed literally;
anything shaped like a credential is removed by pattern, because the key a server echoes is not
always the one this process sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # credentials in a URL: scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@'\"<>]+:[^/\s@'\"<>]*@"), r"\1"),
    # HTTP authorisation schemes and header-style credentials
    (re.compile(r"(?i)\b(bearer|basic|digest|token)(\s+)[A-Za-z0-9._~+/=:-]{6,}"), rf"\1\2{MASK}"),
    (re.compile(r"(?i)\b(x-api-key|api-key|apikey|cookie|set-cookie)(\s*[:=]\s*)[^\s,;'\"]+"), rf"\1\2{MASK}"),
    # query-string and key=value credentials
    (re.compile(r"(?i)\b((?:api[_-]?key|key|token|access[_-]?token|secret|password|passwd|sig|signature)=)[^&\s'\"<>]+"), rf"\1{MASK}"),
    # provider key shapes (OpenAI, Anthropic and look-alikes)
    (re.compile(r"\bsk-[A-Za-z0-9_-]{12,}"), f"sk-{MASK}"),
]


def redact_secrets(text: str, known: Iterable[str | None] = ()) -> str:
    """``text`` without the ``known`` secrets and without anything shaped like a credential."""
    for secret in known:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
