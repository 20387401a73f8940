"""Backoff: exponential, capped, and the server's retry-after honoured within reason."""

from __future__ import annotations

from assistant.chain import RunOptions
from assistant.chain.retry import backoff_delay, retry_delay
from assistant.errors import AuthError, ProviderUnavailableError, RateLimitError


def test_backoff_is_exponential_and_capped() -> None:
    assert [backoff_delay(n, None, 1.0, 5.0) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert backoff_delay(1, 12.0, 1.0, 5.0) == 12.0


def test_only_retryable_errors_within_the_limit_are_retried() -> None:
    options = RunOptions(max_retries=2, backoff_base=1.0, backoff_cap=5.0)
    assert retry_delay(AuthError("bad key"), 1, options) is None
    assert retry_delay(ProviderUnavailableError("503"), 2, options) == 2.0
    assert retry_delay(ProviderUnavailableError("503"), 3, options) is None
    assert retry_delay(RateLimitError("slow down", retry_after=7.0), 1, options) == 7.0
