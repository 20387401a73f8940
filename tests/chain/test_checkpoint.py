"""Partial text is saved while it streams, and keeps being saved while a retry waits."""

from __future__ import annotations

import time
from pathlib import Path

from assistant.chain import ChainRunner, RunOptions
from assistant.errors import ProviderUnavailableError
from assistant.packs import Pack
from assistant.providers.base import DraftTask
from assistant.providers.offline import compose_from_checklist
from assistant.providers.scripted import ScriptedProvider, ScriptedReply
from assistant.store import Store


def test_checkpoints_save_partial_text_while_streaming(procedure: Pack, atlasflow: dict, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    seen: list[str] = []
    original = store.checkpoint

    def spy(run_id: str, key: str, partial_text: str) -> None:
        seen.append(partial_text)
        original(run_id, key, partial_text)

    store.checkpoint = spy  # type: ignore[method-assign]
    text = compose_from_checklist(procedure, DraftTask(pack=procedure.name, step="playbook", variables=atlasflow))
    provider = ScriptedProvider([ScriptedReply.from_text(text, size=len(text) // 20 + 1, delay=0.03)])
    options = RunOptions(backoff_base=0.0, backoff_cap=0.0, checkpoint_seconds=0.1)
    ChainRunner(procedure, provider, model="m", variables=atlasflow, options=options, store=store).run(["playbook"])
    assert len(set(seen)) >= 3
    assert all(len(a) <= len(b) for a, b in zip(seen, seen[1:]))
    assert text.startswith(seen[-1])


def test_heartbeat_continues_while_a_retry_waits(procedure: Pack, atlasflow: dict, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    seen: list[tuple[float, str]] = []
    original = store.checkpoint

    def spy(run_id: str, key: str, partial_text: str) -> None:
        seen.append((time.monotonic(), partial_text))
        original(run_id, key, partial_text)

    store.checkpoint = spy  # type: ignore[method-assign]
    text = compose_from_checklist(procedure, DraftTask(pack=procedure.name, step="playbook", variables=atlasflow))
    flaky = ScriptedReply.from_text("## 1) Escalation Levels\nLevel 0", size=12, fault=ProviderUnavailableError("503"), fault_after=2)
    provider = ScriptedProvider([flaky, ScriptedReply.from_text(text, size=2000)])
    options = RunOptions(backoff_base=0.5, backoff_cap=0.5, checkpoint_seconds=0.1)
    started = time.monotonic()
    result = ChainRunner(procedure, provider, model="m", variables=atlasflow, options=options, store=store).run(["playbook"])
    assert result.steps["playbook"].status == "done"
    during_wait = [t for t, partial in seen if partial == "## 1) Escalation Levels\n" and t - started > 0.2]
    assert len(during_wait) >= 2, "the partial text keeps being saved (and the heartbeat refreshed) during backoff"
