"""A whole offline run of the escalation procedure, kept in a throwaway history and exported by the Studio."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.api import ExportDocument, Studio
from assistant.packs import Pack
from assistant.store import Store

STEPS = ("playbook", "runbooks", "training")


@pytest.fixture(scope="session")
def offline_studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    return Studio(store=Store(f"sqlite:///{tmp_path_factory.mktemp('export') / 'history.db'}"))


def offline_run(studio: Studio, pack: Pack) -> str:
    """The AtlasFlow example through playbook, runbooks and training, offline (about 75 KB of Markdown)."""
    from assistant.providers.offline import OfflineProvider

    variables = studio.variables(pack, pack.example)
    result = studio.runner(pack, variables, provider=OfflineProvider()).run(list(STEPS))
    assert all(result.steps[s].status == "done" for s in STEPS)
    assert result.run_id is not None
    return result.run_id


@pytest.fixture(scope="session")
def offline_run_id(offline_studio: Studio, procedure: Pack) -> str:
    """One run shared by the tests that only read it."""
    return offline_run(offline_studio, procedure)


@pytest.fixture
def own_run_id(offline_studio: Studio, procedure: Pack) -> str:
    """A run of the test's own, to change."""
    return offline_run(offline_studio, procedure)


@pytest.fixture
def offline_document(offline_studio: Studio, offline_run_id: str) -> ExportDocument:
    return offline_studio.run_document(offline_studio.run(offline_run_id))
