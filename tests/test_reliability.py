"""Never lose a draft: a killed process keeps its partial text, resume skips finished
work, and no key reaches disk. These run the real CLI and the real OpenAI SDK
against a loopback server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from assistant.providers.loopback import LoopbackAnswer, LoopbackServer, Pace
from assistant.providers.base import DraftTask
from assistant.providers.offline import compose_from_checklist
from assistant.store import Store
from assistant.packs import Pack
from assistant.packs import dump_variables_yaml

SLOW = Pace(first_token=0.05, tokens_per_second=60, chunk_tokens=4)


def answerer(pack: Pack, variables: dict, slow_parts: set[str]):
    """Answer like a model would, from the prompt alone (no task travels over the wire)."""
    parts = {p.title: p.id for p in pack.fan_out_parts["runbooks"]}

    def answer(body: dict) -> LoopbackAnswer:
        prompt = "\n".join(m["content"] for m in body["messages"] if m["role"] == "user")
        part = next((pid for title, pid in parts.items() if f"write only the runbook for **{title}**" in prompt), None)
        step = "runbooks" if part else "training" if "Create escalation training and QA" in prompt else "playbook"
        text = compose_from_checklist(pack, DraftTask(pack=pack.name, step=step, part=part, variables=variables))
        return LoopbackAnswer(text * (4 if part in slow_parts else 1), pace=SLOW if part in slow_parts else None)

    return answer


def cli(*args: str, env: dict[str, str]) -> list[str]:
    return [sys.executable, "-m", "assistant", *args]


@pytest.fixture
def environment(tmp_path: Path, procedure: Pack) -> tuple[dict[str, str], Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAYBOOK_") and not k.endswith("_API_KEY")}
    env["PLAYBOOK_DATA_DIR"] = str(tmp_path / "data")
    vars_file = tmp_path / "vars.yaml"
    vars_file.write_text(dump_variables_yaml(procedure.example), encoding="utf-8")
    return env, vars_file


def _contents(path: Path) -> bytes:
    """A file's bytes; for zip-based formats (.docx) the bytes of every member."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    return path.read_bytes()


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def test_sigkill_mid_step_keeps_partial_text_and_resume_never_rerequests(
    environment, tmp_path: Path, procedure: Pack, atlasflow: dict
) -> None:
    env, vars_file = environment
    database = f"sqlite:///{tmp_path / 'data' / 'history.db'}"
    slow = {"escalation_owner", "incident_commander", "comms_lead"}
    with LoopbackServer(answerer(procedure, atlasflow, slow)) as server:
        args = ["run", "escalation-procedure", "--vars", str(vars_file), "--provider", "openai",
                "--base-url", server.base_url, "--model", server.model]
        process = subprocess.Popen(cli(*args, env=env), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            def partial_saved() -> bool:
                if not (tmp_path / "data" / "history.db").exists():
                    return False
                runs = Store(database).list_runs()
                steps = {s.key: s for s in runs[0].steps} if runs else {}
                owner = steps.get("runbooks:escalation_owner")
                return owner is not None and len(owner.text_or_partial) > 300 and "runbooks:sme_lead" in steps and steps["runbooks:sme_lead"].status == "done"

            _wait_for(partial_saved)
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        killed_at = len(server.requests)

        store = Store(database, stale_after=0.3)
        time.sleep(0.5)
        record = store.list_runs()[0]
        steps = {s.key: s for s in store.get_run(record.id).steps}
        assert steps["playbook"].effective_status == "done"
        assert steps["runbooks:sme_lead"].effective_status == "done"
        owner = steps["runbooks:escalation_owner"]
        assert owner.effective_status == "interrupted"
        assert owner.text_or_partial.startswith("# Escalation Owner")
        assert record.status == "interrupted"

        time.sleep(5)  # past the staleness window the CLI's history uses
        summary = json.loads(subprocess.run(cli("history", "--format", "json", env=env), env=env, capture_output=True, text=True, timeout=60).stdout)
        assert summary[0]["id"] == record.id and summary[0]["status"] == "interrupted"
        by_step = {s["id"]: s for s in summary[0]["steps"]}
        assert by_step["playbook"]["status"] == "done"
        assert by_step["runbooks"]["status"] == "interrupted" and by_step["runbooks"]["chars"] > 300

        server.answer = answerer(procedure, atlasflow, set())
        resumed = subprocess.run(  # as the README shows it: the run's own provider, model and URL are reused
            cli("run", "escalation-procedure", "--resume", record.id, env=env),
            env=env, capture_output=True, text=True, timeout=120,
        )
        assert resumed.returncode == 0, resumed.stderr
        assert f"Provider: openai · model: {server.model}" in resumed.stderr
        asked_again = [r.prompt for r in server.requests[killed_at:]]
        assert not any("I need you to create a comprehensive Escalation Procedure" in p for p in asked_again), "playbook was re-billed"
        assert not any("write only the runbook for **SME Lead**" in p for p in asked_again), "a finished part was re-billed"
        assert sum("write only the runbook for" in p for p in asked_again) == 3
        assert any("Create escalation training and QA" in p for p in asked_again)
        final = Store(database).get_run(record.id)
        assert final.status == "done"


def test_no_key_reaches_any_file_the_project_writes(environment, tmp_path: Path, procedure: Pack, atlasflow: dict) -> None:
    env, vars_file = environment
    secret = "sk-test-DO-NOT-LEAK-9f8e7d6c5b4a"
    env["OPENAI_API_KEY"] = secret
    out_dir = tmp_path / "out"
    with LoopbackServer(answerer(procedure, atlasflow, set())) as server:
        run = subprocess.run(
            cli("run", "escalation-procedure", "--vars", str(vars_file), "--provider", "openai", "--base-url",
                server.base_url, "--model", server.model, "--out", str(out_dir), "--cache", env=env),
            env=env, capture_output=True, text=True, timeout=120,
        )
        assert run.returncode == 0, run.stderr
    run_id = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))["run_id"]
    for fmt in ("md", "docx", "html"):
        exported = subprocess.run(
            cli("export", run_id, "--format", fmt, "--out", str(out_dir / f"export.{fmt}"), env=env),
            env=env, capture_output=True, text=True, timeout=60,
        )
        assert exported.returncode == 0, exported.stderr
    written = [p for p in (tmp_path / "data").rglob("*") if p.is_file()] + [p for p in out_dir.rglob("*") if p.is_file()]
    assert any(p.name == "history.db" for p in written)
    for path in written:
        assert secret.encode() not in _contents(path), path
    assert secret not in run.stdout + run.stderr


def test_two_resumes_of_one_run_race_and_only_one_calls_the_provider(environment, tmp_path: Path, procedure: Pack, atlasflow: dict) -> None:
    env, vars_file = environment
    database = f"sqlite:///{tmp_path / 'data' / 'history.db'}"
    with LoopbackServer(answerer(procedure, atlasflow, {"escalation_owner", "incident_commander", "comms_lead", "sme_lead"})) as server:
        first = subprocess.Popen(
            cli("run", "escalation-procedure", "--vars", str(vars_file), "--provider", "openai", "--base-url", server.base_url,
                "--model", server.model, "--steps", "playbook,runbooks", env=env),
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        try:
            _wait_for(lambda: len(server.requests) >= 3)
            run_id = Store(database).list_runs()[0].id
            # resuming a run that is still running is refused at once, naming the live runner
            live = subprocess.run(cli("run", "escalation-procedure", "--resume", run_id, env=env), env=env, capture_output=True, text=True, timeout=60)
            assert live.returncode == 1 and f"Run {run_id} is being run by" in live.stderr and "pid" in live.stderr, live.stderr
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        killed_at = len(server.requests)
        parts_done = sum(s.key.startswith("runbooks:") and s.status == "done" for s in Store(database).get_run(run_id).steps)
        time.sleep(5.5)  # the dead runner's lease goes stale
        server.answer = answerer(procedure, atlasflow, {"escalation_owner", "incident_commander", "comms_lead", "sme_lead"})
        racers = [
            subprocess.Popen(cli("run", "escalation-procedure", "--resume", run_id, env=env), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outcomes = [(p.wait(timeout=120), p.stderr.read()) for p in racers]
    codes = sorted(code for code, _ in outcomes)
    assert codes == [0, 1], outcomes
    refused = next(err for code, err in outcomes if code == 1)
    assert "is being run by" in refused and "Traceback" not in refused
    again = [r.prompt for r in server.requests[killed_at:]]
    # only the winner called the provider: each unfinished part once, nothing finished again
    assert sum("write only the runbook for" in p for p in again) == 4 - parts_done, (parts_done, len(again))
    assert not any("I need you to create a comprehensive Escalation Procedure" in p for p in again)
    final = Store(database).get_run(run_id)
    assert final.status == "done" and final.lease_owner is None
    versions = [len(s.versions or []) for s in final.steps if s.key.startswith("runbooks")]
    assert versions and all(v == 1 for v in versions), versions
