"""What the parts of one runner share: pack, provider and model, variables, options, store, Stop and events.

The scheduler, the request streamer and the repair rounds all act for the
same runner; one frozen bundle keeps them from drifting apart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from assistant.chain.events import ChainEvent, RunOptions, RunStore
from assistant.chain.provenance import Provenance
from assistant.packs import Pack
from assistant.providers.base import Provider


@dataclass(frozen=True)
class RunnerContext:
    """One runner's fixed inputs and hooks, as its scheduler, streamer and repair rounds see them."""

    pack: Pack
    provider: Provider
    model: str
    variables: Mapping[str, str | list[str]]
    options: RunOptions
    store: RunStore | None
    #: set by Stop; every wait and stream checks it
    cancel: threading.Event
    #: hands one event at a time to the caller's callback
    emit: Callable[[ChainEvent], None]
    #: the versions this run reads and writes, recorded with every new version
    provenance: Provenance
