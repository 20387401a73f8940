"""One run is one document set: versions with provenance, staleness, resume and one set of figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.api import Studio
from assistant.errors import AuthError, UserInputError
from assistant.packs import Pack
from assistant.providers.offline import OfflineProvider
from assistant.providers.scripted import ScriptedProvider, ScriptedReply
from assistant.settings import Settings


@pytest.fixture
def studio(tmp_path: Path) -> Studio:
    return Studio(Settings(database_url=f"sqlite:///{tmp_path / 'history.db'}"))


def _offline_run(studio: Studio, pack: Pack, variables: dict, steps: list[str], run_id: str | None = None, fresh=()) -> str:
    result = studio.runner(pack, variables, provider=OfflineProvider()).run(steps, run_id=run_id, fresh=fresh)
    assert result.status in ("done", "incomplete"), result
    return result.run_id


def _states(studio: Studio, run_id: str) -> dict:
    return {s.id: s for s in studio.document_set(studio.run(run_id))}


def test_re_running_a_step_adds_a_version_to_the_same_set_and_its_readers_go_out_of_date(studio, procedure, atlasflow) -> None:
    run_id = _offline_run(studio, procedure, atlasflow, ["playbook", "runbooks"])
    states = _states(studio, run_id)
    assert (states["playbook"].current.number, states["runbooks"].current.number) == (1, 1)
    assert states["runbooks"].current.inputs["steps"] == {"playbook": 1}
    assert states["runbooks"].made == "offline draft, from Generate the Full Escalation Playbook v1"
    assert states["runbooks"].stale == []

    again = _offline_run(studio, procedure, atlasflow, ["playbook"], run_id=run_id, fresh=["playbook"])
    assert again == run_id and len(studio.runs()) == 1  # one run is one document set
    states = _states(studio, run_id)
    assert [v.number for v in states["playbook"].versions] == [1, 2]
    assert states["runbooks"].stale == ["written from Generate the Full Escalation Playbook v1; it is now v2"]


def test_an_edit_or_a_new_profile_puts_the_readers_out_of_date_and_says_what_changed(studio, procedure, atlasflow) -> None:
    run_id = _offline_run(studio, procedure, atlasflow, ["playbook", "runbooks"])
    studio.record_edit(run_id, "playbook", "# Our playbook, edited", None)
    renamed = {**atlasflow, "company_name": "Northwind"}
    states = {s.id: s for s in studio.document_set(studio.run(run_id), renamed)}
    assert states["playbook"].made == "edited by hand"
    assert "written for Company name “AtlasFlow”" in states["playbook"].stale
    runbooks = states["runbooks"].stale
    assert "written from Generate the Full Escalation Playbook v1; it is now v2" in runbooks
    assert "written for Company name “AtlasFlow”" in runbooks


def test_a_failed_re_run_keeps_the_last_good_version_current_and_says_why(studio, procedure, atlasflow) -> None:
    run_id = _offline_run(studio, procedure, atlasflow, ["playbook"])
    good = studio.run(run_id).steps[0].text
    failing = ScriptedProvider([ScriptedReply(chunks=["# half"], fault=AuthError("The key was refused (401)."), fault_after=1)])
    result = studio.runner(procedure, atlasflow, provider=failing).run(["playbook"], run_id=run_id, fresh=["playbook"])
    assert result.steps["playbook"].status == "failed" and result.steps["playbook"].version == 1
    (state,) = studio.document_set(studio.run(run_id))
    assert (state.status, state.text, state.current.number) == ("failed", good, 1)
    assert state.error == "The key was refused (401)."
    assert [v.number for v in state.versions] == [1]


def test_resume_runs_only_unfinished_or_failed_steps_and_keeps_every_version(studio, procedure, atlasflow) -> None:
    run_id = _offline_run(studio, procedure, atlasflow, ["playbook"])
    failing = ScriptedProvider([], default=ScriptedReply(chunks=["x"], fault=AuthError("no"), fault_after=0))
    studio.runner(procedure, atlasflow, provider=failing).run(["playbook", "runbooks"], run_id=run_id, fresh=["runbooks"])
    plan = studio.resumption(run_id)
    assert plan.unfinished == ["runbooks", "training"] and plan.steps == ["playbook", "runbooks", "training"]
    scripted = ScriptedProvider([], default=ScriptedReply.from_text("## A draft\n\nText."))
    studio.runner(procedure, plan.variables, provider=scripted).run(plan.steps, run_id=run_id)
    # the finished playbook was reused, never requested again
    assert all(r.task.step != "playbook" for r in scripted.requests)
    states = _states(studio, run_id)
    assert [v.number for v in states["playbook"].versions] == [1]
    assert states["runbooks"].current.number == 1 and states["training"].current.number == 1


def test_resume_accepts_the_runs_own_variables_and_names_the_ones_that_differ(studio, procedure, atlasflow) -> None:
    run_id = _offline_run(studio, procedure, atlasflow, ["playbook"])
    assert studio.resumption(run_id, variables=dict(procedure.example)).run_id == run_id
    with pytest.raises(UserInputError, match=r"other values for: Company name, Risk constraints\."):
        studio.resumption(run_id, variables={**procedure.example, "company_name": "X", "risk_constraints": "none"})


def test_one_set_of_figures_step_totals_add_every_attempt_and_the_run_adds_its_steps(studio, procedure, atlasflow) -> None:
    from assistant.providers.base import Usage

    priced = Settings(database_url=studio.settings.database_url, model="gpt-4.1-mini")
    studio = Studio(priced, library=studio.library)
    replies = [
        ScriptedReply.from_text("## Levels\n\nL1.", usage=Usage(input_tokens=1000, output_tokens=200)),
        ScriptedReply(chunks=["x"], fault=AuthError("no"), fault_after=1, usage=Usage(input_tokens=1000, output_tokens=10)),
    ]
    runner = studio.runner(procedure, atlasflow, provider=ScriptedProvider(replies), max_repair_rounds=0)
    run_id = runner.run(["playbook"]).run_id
    studio.runner(procedure, atlasflow, provider=ScriptedProvider(replies[1:]), max_repair_rounds=0).run(
        ["playbook"], run_id=run_id, fresh=["playbook"]
    )
    record = studio.run(run_id)
    (state,) = studio.document_set(record)
    version = state.current
    assert (version.usage.input_tokens, version.usage.output_tokens) == (1000, 200)
    assert (state.usage.input_tokens, state.usage.output_tokens) == (1000, 200)
    assert (record.usage.input_tokens, record.usage.output_tokens) == (state.usage.input_tokens, state.usage.output_tokens)
    assert record.cost == state.cost and state.cost == pytest.approx(version.cost)
    summary = studio.set_summary(record)
    assert summary["usage"]["input_tokens"] == 1000 and summary["document"][0]["cost"] == state.cost


def test_a_reader_re_run_with_its_input_waits_for_the_inputs_new_version(studio, procedure, atlasflow) -> None:
    run_id = _offline_run(studio, procedure, atlasflow, ["playbook", "runbooks", "training"])
    studio.record_edit(run_id, "playbook", studio.run(run_id).steps[0].text + "\n\nAn edit.\n", None)
    _offline_run(studio, procedure, atlasflow, ["runbooks", "training"], run_id=run_id, fresh=["runbooks", "training"])
    states = _states(studio, run_id)
    assert states["training"].current.inputs["steps"] == {"playbook": 2, "runbooks": 2}
    assert [s.stale for s in states.values()] == [[], [], []]
