"""The response cache: answers kept by request hash."""

from __future__ import annotations

from datetime import UTC

import pytest
from store_fixtures import SHA, USAGE

from assistant.store import CachedAnswer, Store, TokenUsage


def test_cache_get_and_put(store: Store) -> None:
    assert store.cache_get(SHA) is None
    store.cache_put(SHA, provider="openai", model="gpt-4.1-mini", text="answer", usage=USAGE)
    hit = store.cache_get(SHA)
    assert isinstance(hit, CachedAnswer)
    assert (hit.key, hit.provider, hit.model, hit.text) == (SHA, "openai", "gpt-4.1-mini", "answer")
    assert hit.usage == TokenUsage(**USAGE)
    assert hit.created_at.tzinfo == UTC
    store.cache_put(SHA, provider="anthropic", model="claude-sonnet-4-5", text="newer", usage={})
    replaced = store.cache_get(SHA)
    assert replaced is not None
    assert (replaced.provider, replaced.model, replaced.text) == ("anthropic", "claude-sonnet-4-5", "newer")
    assert replaced.usage == TokenUsage()
    with pytest.raises(ValueError, match="sha256"):
        store.cache_put("not-a-hash", provider="openai", model="m", text="t", usage={})
