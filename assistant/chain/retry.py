"""Whether a failed request is worth asking again, and how long to wait first.

Rate limits, 5xx, timeouts and cut streams heal with time; auth and bad
requests do not, so they are never retried.
"""

from __future__ import annotations

from assistant.chain.events import RunOptions
from assistant.errors import ProviderError, RateLimitError

#: a server's retry-after is honoured up to this many times the backoff cap (a day-long hint would hang a run)
RETRY_AFTER_CAP_FACTOR = 10


def backoff_delay(attempt: int, retry_after: float | None, base: float, cap: float) -> float:
    """Capped exponential backoff; the server's retry-after wins when it asks for longer (within reason)."""
    delay = min(cap, base * (2 ** (attempt - 1)))
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap * RETRY_AFTER_CAP_FACTOR))
    return delay


def retry_delay(error: ProviderError, attempt: int, options: RunOptions) -> float | None:
    """The wait before trying again after ``attempt`` failed with ``error``; ``None`` when not to retry."""
    if not error.retryable or attempt > options.max_retries:
        return None
    retry_after = error.retry_after if isinstance(error, RateLimitError) else None
    return backoff_delay(attempt, retry_after, options.backoff_base, options.backoff_cap)
