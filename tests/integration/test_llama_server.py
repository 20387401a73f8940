"""The engine against a real model: llama.cpp's OpenAI-compatible server with SmolLM2-135M.

The model's prose is poor and that is fine: these tests prove the OpenAI
adapter, streaming, usage accounting (estimated, because this server streams
no usage), validation and the targeted repair loop against a real server,
not the quality of the draft. Token limits are small so the module stays
within a few minutes: the playbook prompt alone is ~2k tokens (~20 s of prompt
processing on two cores).
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.providers.base import CompletionRequest, Final, TextDelta
from assistant.providers.openai import OpenAIProvider
from assistant.packs import PackLibrary

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

PACK = "escalation-procedure"
STEP = "playbook"
RUN_MAX_TOKENS = 200
RUN_TIMEOUT = 420.0
PLAYBOOK_SECTIONS = [
    "levels", "intake_triage", "raci", "routing", "customer_comms", "internal_comms",
    "resolution_closure", "service_recovery", "post_review", "metrics", "final_checklist",
]


@dataclass(frozen=True)
class CliRun:
    process: subprocess.CompletedProcess[str]
    out: Path
    env: dict[str, str]
    seconds: float

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.out / "run.json").read_text(encoding="utf-8"))

    @property
    def step(self) -> dict[str, Any]:
        return self.summary["steps"][STEP]

    def explain(self) -> str:
        return f"exit {self.process.returncode}\n--- stderr ---\n{self.process.stderr[-4000:]}"


def _cli(command: list[str], env: dict[str, str], timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False)


@pytest.fixture(scope="session")
def server_streams_usage(llama_server: Any) -> bool:
    """Does this server put usage in a stream when asked (``stream_options.include_usage``)?

    Probed on the raw wire, so the adapter's ``estimated`` flag can be checked
    against the truth rather than against an assumption about the server version.
    """
    body = {
        "model": llama_server.model,
        "messages": [{"role": "user", "content": "Say OK."}],
        "max_tokens": 4,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    seen = False
    with httpx.stream("POST", f"{llama_server.base_url}/chat/completions", json=body, timeout=120.0) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if not line.startswith("data:") or line.strip() == "data: [DONE]":
                continue
            chunk = json.loads(line[len("data:"):])
            seen = seen or bool(chunk.get("usage"))
    print(f"\nserver streams usage: {seen}")
    return seen


@pytest.fixture(scope="module")
def cli_run(llama_server: Any, cli_env: dict[str, str], playbook: list[str], tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """One ``playbook run`` of the playbook step against the server, shared by the tests that read its results."""
    work = tmp_path_factory.mktemp("cli-run")
    example = _cli([*playbook, "example", PACK], cli_env)
    assert example.returncode == 0, example.stderr
    vars_file = work / "vars.yaml"
    vars_file.write_text(example.stdout, encoding="utf-8")
    out = work / "out"
    command = [
        *playbook, "run", PACK,
        "--vars", str(vars_file),
        "--steps", STEP,
        "--provider", "openai",
        "--base-url", llama_server.base_url,
        "--model", llama_server.model,
        "--max-tokens", str(RUN_MAX_TOKENS),
        "--repair-rounds", "1",
        "--concurrency", "1",
        "--out", str(out),
    ]
    started = time.monotonic()
    try:
        process = _cli(command, cli_env, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"playbook run took over {RUN_TIMEOUT:g} s.\n--- server log ---\n{llama_server.log_tail()}\n"
                    f"--- stderr ---\n{exc.stderr}", pytrace=False)
    run = CliRun(process=process, out=out, env=cli_env, seconds=time.monotonic() - started)
    print(f"\nplaybook run: {run.seconds:.1f} s\n{process.stderr}")
    return run


# --- (a) the CLI end to end ---------------------------------------------------------


def test_run_streams_a_draft_and_exits_zero(cli_run: CliRun) -> None:
    # cli.run exits 1 only when a step is neither "done" nor "truncated" (a failed or incomplete
    # provider call); missing sections alone exit 0 unless --strict.
    assert cli_run.process.returncode == 0, cli_run.explain()
    draft = (cli_run.out / "playbook.md").read_text(encoding="utf-8")
    assert draft.strip(), cli_run.explain()
    step = cli_run.step
    assert step["status"] in ("done", "truncated"), step
    assert step["error"] is None
    assert step["chars"] in (len(draft), len(draft) - 1), (step["chars"], len(draft))  # the file gains a final newline
    # streamed, not delivered in one piece: the first text came well before the answer ended
    timings = step["timings"]
    assert timings["first_token"] is not None and timings["latency"] is not None, timings
    assert 0 < timings["first_token"] < timings["latency"], timings
    summary = cli_run.summary
    assert summary["provider"] == "openai" and summary["model"] == "smollm2-135m-instruct"
    assert summary["offline"] is False
    assert summary["status"] == ("incomplete" if step["status"] == "truncated" else "done"), summary["status"]


def test_run_records_estimated_usage(cli_run: CliRun, server_streams_usage: bool) -> None:
    step = cli_run.step
    usage = step["usage"]
    assert usage["input_tokens"] > 500, usage  # the playbook prompt is ~2k tokens
    assert 0 < usage["output_tokens"] <= RUN_MAX_TOKENS * 2, usage  # estimates are approximate, never wild
    assert usage["estimated"] is (not server_streams_usage), usage
    total = cli_run.summary["usage"]
    assert total["output_tokens"] >= usage["output_tokens"]
    assert total["estimated"] is (not server_streams_usage)
    if not server_streams_usage:
        assert "(estimated)" in cli_run.process.stderr
    latency = step["timings"]["latency"] - step["timings"]["first_token"]
    if latency > 0:
        print(f"\nplaybook draft: {usage['output_tokens']} tokens in {latency:.1f} s after the first token "
              f"(~{usage['output_tokens'] / latency:.1f} tokens/s); first token after {step['timings']['first_token']:.1f} s")


def test_run_produces_a_validation_report(cli_run: CliRun, playbook: list[str]) -> None:
    expected = [s.id for s in PackLibrary().get(PACK).checklist_for(STEP).sections]
    assert expected == PLAYBOOK_SECTIONS  # the canonical ids of DESIGN.md
    report = cli_run.step["report"]
    assert report is not None, cli_run.explain()
    assert report["checklist"] == f"{PACK}/{STEP}"
    assert [s["id"] for s in report["sections"]] == expected
    assert all(s["status"] in ("present", "incomplete", "renamed", "missing") for s in report["sections"])
    for state in ("missing", "incomplete", "renamed"):
        assert report[state] == [s["id"] for s in report["sections"] if s["status"] == state]
    errors = any(lint["severity"] == "error" for lint in report["lints"])
    lacking = [s for s in report["sections"] if s["status"] == "renamed" and s["missing_items"]]
    assert report["ok"] is (not report["missing"] and not report["incomplete"] and not lacking and not errors)
    # the file written is the text that was validated: `playbook validate` agrees
    checked = _cli([*playbook, "validate", str(cli_run.out / "playbook.md"), "--checklist", f"{PACK}/{STEP}", "--format", "json"], cli_run.env)
    assert checked.returncode == (0 if report["ok"] else 1), checked.stderr
    again = json.loads(checked.stdout)
    assert [(s["id"], s["status"]) for s in again["sections"]] == [(s["id"], s["status"]) for s in report["sections"]]


def test_run_repairs_missing_sections(cli_run: CliRun, server_streams_usage: bool) -> None:
    # a 200-token answer cannot hold eleven sections, so the first draft always lacks some and one
    # targeted repair round is requested; its tokens are accounted separately, and only when the
    # repair answer arrived in full (a failed repair keeps the draft and records no repair usage)
    repair = cli_run.step["repair_usage"]
    assert repair["input_tokens"] > 0 and repair["output_tokens"] > 0, (repair, cli_run.explain())
    assert repair["estimated"] is (not server_streams_usage), repair
    assert cli_run.step["attempts"] >= 2  # the draft and the repair request
    assert cli_run.step["repair_ratio"] is not None
    summary_usage = cli_run.summary["usage"]
    assert summary_usage["output_tokens"] == cli_run.step["usage"]["output_tokens"] + repair["output_tokens"]


# --- (c) the run is in the history ----------------------------------------------------


def test_history_lists_the_run(cli_run: CliRun, playbook: list[str]) -> None:
    listed = _cli([*playbook, "history", "--format", "json"], cli_run.env)
    assert listed.returncode == 0, listed.stderr
    runs = json.loads(listed.stdout)
    run_id = cli_run.summary["run_id"]
    assert run_id, cli_run.summary
    entry = next((r for r in runs if r["id"] == run_id), None)
    assert entry is not None, runs
    assert entry["pack"] == PACK
    assert entry["provider"] == "openai" and entry["model"] == "smollm2-135m-instruct"
    assert entry["status"] == cli_run.summary["status"]
    steps = {s["id"]: s for s in entry["steps"]}
    assert STEP in steps, entry
    assert steps[STEP]["status"] == cli_run.step["status"]
    assert steps[STEP]["chars"] > 0


# --- (b) the adapter directly -----------------------------------------------------------


def test_adapter_streams_deltas_and_flags_truncation(llama_server: Any, server_streams_usage: bool) -> None:
    provider = OpenAIProvider(base_url=llama_server.base_url, api_key=None, timeout=120.0)
    request = CompletionRequest(
        model=llama_server.model,
        prompt="Count from one to twenty in words, separated by commas.",
        max_tokens=8,
        temperature=0.0,
        timeout=120.0,
    )
    events = list(provider.stream(request))
    deltas = [e for e in events if isinstance(e, TextDelta)]
    finals = [e for e in events if isinstance(e, Final)]
    assert len(finals) == 1 and events[-1] is finals[0], events
    final = finals[0]
    assert len(deltas) > 1, events  # streamed piece by piece
    assert "".join(d.text for d in deltas).strip()
    assert final.finish_reason == "length", final  # a cut-off answer is flagged, not passed off as complete
    assert final.usage.output_tokens > 0 and final.usage.input_tokens > 0, final.usage
    assert final.usage.estimated is (not server_streams_usage), final.usage
    assert final.first_token_latency is not None and 0 < final.first_token_latency <= final.latency
    print(f"\nadapter: {len(deltas)} deltas, first after {final.first_token_latency:.2f} s, all in {final.latency:.2f} s")


def test_adapter_check_lists_the_served_model(llama_server: Any) -> None:
    provider = OpenAIProvider(base_url=llama_server.base_url, api_key=None, timeout=30.0)
    message = provider.check(llama_server.model)
    assert f"including {llama_server.model!r}" in message, message


def test_adapter_measures_generation_speed(llama_server: Any) -> None:
    """A longer answer with a short prompt: reports tokens/s so slow machines show up in the CI log."""
    provider = OpenAIProvider(base_url=llama_server.base_url, api_key=None, timeout=120.0)
    request = CompletionRequest(
        model=llama_server.model,
        prompt="Write a short list of five tips for answering an angry customer email.",
        max_tokens=96,
        temperature=0.0,
        timeout=120.0,
    )
    events = list(provider.stream(request))
    final = events[-1]
    assert isinstance(final, Final), events
    assert final.finish_reason in ("stop", "length"), final
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text.strip()
    generating = final.latency - (final.first_token_latency or 0.0)
    # the server reports the true count in non-streamed answers; compare with the streamed estimate
    exact = httpx.post(
        f"{llama_server.base_url}/chat/completions",
        json={"model": llama_server.model, "messages": [{"role": "user", "content": request.prompt}],
              "max_tokens": 96, "temperature": 0.0},
        timeout=120.0,
    ).json()["usage"]
    print(f"\ngeneration: ~{final.usage.output_tokens} tokens (estimated; server count for the same request "
          f"{exact['completion_tokens']}) in {generating:.2f} s after the first token, finish {final.finish_reason}; "
          f"~{exact['completion_tokens'] / max(generating, 1e-6):.1f} tokens/s")
