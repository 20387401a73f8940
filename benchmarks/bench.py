"""The benchmark behind `make bench`: how close the chain runs to what the provider allows.

    .venv/bin/python benchmarks/bench.py [--ttft 0.5] [--tps 80] [--size 0.25] [--write-docs]

Prints every figure as a table and as JSON (also saved to .bench/results.json). With
--write-docs the table replaces the results block in docs/benchmarks.md. This is a script,
not a timed test: figures depend on the machine and are recorded with its description.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.chain import ChainRunner, RunOptions  # noqa: E402
from assistant.validation import validate_step  # noqa: E402
from assistant.providers.loopback import LoopbackAnswer, LoopbackServer, Pace  # noqa: E402
from assistant.providers.base import DraftTask  # noqa: E402
from assistant.providers.offline import compose_from_checklist  # noqa: E402
from assistant.providers.openai import OpenAIProvider  # noqa: E402
from assistant.providers.scripted import ScriptedProvider, ScriptedReply  # noqa: E402
from assistant.packs import prepare_variables  # noqa: E402
from assistant.store import Store  # noqa: E402
from assistant.packs import Pack, PackLibrary  # noqa: E402
from assistant.providers.tokens import CHARS_PER_TOKEN  # noqa: E402

PACK = "escalation-procedure"
FILLER = (
    "Owners confirm each action in the ticket with the time it was taken, and the escalation owner "
    "reviews the timeline at every update so that the customer hears one consistent story. "
)


def sized_answer(pack: Pack, variables: dict, step_id: str, part: str | None, tokens: int) -> str:
    """A valid answer for the step, padded to about ``tokens`` tokens like a real model's answer."""
    text = compose_from_checklist(pack, DraftTask(pack=pack.name, step=step_id, part=part, variables=variables))
    missing_chars = int(tokens * CHARS_PER_TOKEN) - len(text)
    if missing_chars > 0:
        text += "\n## Notes for the team\n\n" + FILLER * (missing_chars // len(FILLER) + 1) + "\n"
    return text


def classify(pack: Pack, prompt: str) -> tuple[str, str | None]:
    """Which step (and runbook part) a prompt is for, from the prompt text alone."""
    for part in pack.fan_out_parts["runbooks"]:
        if f"write only the runbook for **{part.title}**" in prompt:
            return "runbooks", part.id
    if "Create escalation training and QA" in prompt:
        return "training", None
    for step in pack.steps:
        if step.optional and f"refinement {_refinement_number(pack, step.id)}:" in prompt:
            return step.id, None
    return "playbook", None


def _refinement_number(pack: Pack, step_id: str) -> int:
    return [s.id for s in pack.steps if s.optional].index(step_id) + 1


def chain_speed(pack: Pack, variables: dict, ttft: float, tps: float, size: float) -> dict[str, Any]:
    """Full chain (3 steps + 6 refinements) against a paced loopback server, at concurrency 4 and 1."""
    answers: dict[tuple[str, str | None], str] = {}
    for step in pack.steps:
        for part in pack.fan_out_parts.get(step.id, [None]):
            key = (step.id, part.id if part else None)
            answers[key] = sized_answer(pack, variables, step.id, key[1], int(step.expected_tokens * size))
    timings: list[tuple[str, float, float]] = []

    def answer(body: dict) -> LoopbackAnswer:
        prompt = "\n".join(m["content"] for m in body["messages"] if m["role"] == "user")
        return LoopbackAnswer(answers[classify(pack, prompt)])

    pace = Pace(first_token=ttft, tokens_per_second=tps, chunk_tokens=4)
    results = {}
    for concurrency in (4, 1):
        with LoopbackServer(answer, pace) as server:
            provider = OpenAIProvider(base_url=server.base_url)
            runner = ChainRunner(
                pack, provider, model=server.model, variables=variables,
                options=RunOptions(concurrency=concurrency, max_repair_rounds=0),
            )
            started = time.monotonic()
            result = runner.run([s.id for s in pack.steps])
            wall = time.monotonic() - started
            assert result.status == "done", result.status
            results[concurrency] = (wall, result)
            if concurrency == 4:
                timings = [(classify(pack, r.prompt)[0], r.received_at, r.finished_at) for r in server.requests]
    expected = {
        key: ttft + len(text) / CHARS_PER_TOKEN / tps for key, text in answers.items()
    }
    levels = [["playbook"], ["runbooks", *[s.id for s in pack.steps if s.optional]], ["training"]]
    critical = sum(max(t for (step, _), t in expected.items() if step in level) for level in levels)
    sequential = sum(expected.values())
    measured = sum(end - start for _, start, end in timings if end is not None)
    wall4, result4 = results[4]
    wall1, _ = results[1]
    return {
        "requests": len(answers),
        "provider_seconds_sum": round(measured, 2),
        "critical_path_seconds": round(critical, 2),
        "wall_seconds_concurrency_4": round(wall4, 2),
        "wall_seconds_concurrency_1": round(wall1, 2),
        "wall_over_critical_path": round(wall4 / critical, 3),
        "speedup_vs_one_at_a_time": round(wall1 / wall4, 2),
        "speedup_bound_sequential_over_critical": round(sequential / critical, 2),
        "all_steps_valid": all(s.report and s.report.ok for s in result4.steps.values()),
    }


def runner_overhead(pack: Pack, variables: dict, rounds: int = 5) -> dict[str, Any]:
    """Per-step time the runner adds (render, validate, store, events) with an instant provider."""
    steps = [s.id for s in pack.steps]
    answers = {}
    for step in pack.steps:
        for part in pack.fan_out_parts.get(step.id, [None]):
            answers[(step.id, part.id if part else None)] = sized_answer(
                pack, variables, step.id, part.id if part else None, step.expected_tokens
            )

    def reply(request):  # noqa: ANN001
        return ScriptedReply(chunks=[answers[(request.task.step, request.task.part)]])

    per_step = []
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'bench.db'}")
        for _ in range(rounds):
            runner = ChainRunner(pack, ScriptedProvider(reply), model="scripted", variables=variables,
                                 options=RunOptions(max_repair_rounds=0), store=store)
            started = time.perf_counter()
            runner.run(steps)
            per_step.append((time.perf_counter() - started) / len(steps))
        without_store = []
        for _ in range(rounds):
            runner = ChainRunner(pack, ScriptedProvider(reply), model="scripted", variables=variables,
                                 options=RunOptions(max_repair_rounds=0))
            started = time.perf_counter()
            runner.run(steps)
            without_store.append((time.perf_counter() - started) / len(steps))
    return {
        "overhead_ms_per_step_with_history": round(statistics.median(per_step) * 1000, 1),
        "overhead_ms_per_step_without_history": round(statistics.median(without_store) * 1000, 1),
    }


def repair_ratio(pack: Pack, variables: dict) -> dict[str, Any]:
    """Tokens of a targeted repair of two missing sections against a full regeneration."""
    step = pack.step("playbook")
    full = sized_answer(pack, variables, "playbook", None, step.expected_tokens)
    start, end = full.index("## 4)"), full.index("## 5)")
    start2, end2 = full.index("## 8)"), full.index("## 9)")
    draft = full[:start] + full[end:start2] + full[end2:]

    def reply(request):  # noqa: ANN001
        if request.task.sections is None:
            return ScriptedReply(chunks=[draft])
        return ScriptedReply(chunks=[compose_from_checklist(pack, request.task)])

    result = ChainRunner(pack, ScriptedProvider(reply), model="gpt-4.1-mini", variables=variables,
                         options=RunOptions(max_repair_rounds=2)).run(["playbook"])
    outcome = result.steps["playbook"]
    spent = outcome.repair_usage.input_tokens + outcome.repair_usage.output_tokens
    return {
        "repair_tokens": spent,
        "regeneration_tokens": outcome.regeneration_tokens,
        "repair_over_regeneration": round(spent / outcome.regeneration_tokens, 3),
        "repaired_ok": bool(outcome.report and outcome.report.ok),
    }


def validator_speed(pack: Pack) -> dict[str, Any]:
    corpus = sorted((ROOT / "tests" / "data" / "answers").glob("pb_*.md"))
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in corpus)
    document = (text + "\n\n") * (1_000_000 // len(text) + 1)
    document = document[:1_000_000]
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        validate_step(document, pack, "playbook")
        samples.append(time.perf_counter() - started)
    single = corpus[0].read_text(encoding="utf-8")
    typical = []
    for _ in range(20):
        started = time.perf_counter()
        validate_step(single, pack, "playbook")
        typical.append(time.perf_counter() - started)
    return {
        "validator_ms_per_mb": round(statistics.median(samples) * 1000, 1),
        "validator_ms_typical_answer": round(statistics.median(typical) * 1000, 2),
        "typical_answer_kb": round(len(single) / 1024, 1),
    }


def cold_start(runs: int = 10) -> dict[str, Any]:
    python = sys.executable

    def timed(args: list[str]) -> float:
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(args, capture_output=True, check=True)
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    bare = timed([python, "-c", "pass"])
    help_ = timed([python, "-m", "assistant", "--help"])
    return {"python_pass_seconds": round(bare, 3), "playbook_help_seconds": round(help_, 3)}


def app_timings() -> dict[str, Any]:
    """First render of the app (AppTest) and the streaming bridge's added latency."""
    try:
        from benchmarks.ui_timings import measure
    except ImportError:
        return {"app": "ui timings not available"}
    return measure()


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


TARGETS = {
    "wall_over_critical_path": ("≤ 1.05", lambda v: v <= 1.05),
    "speedup_vs_one_at_a_time": ("≥ 2.5", lambda v: v >= 2.5),
    "overhead_ms_per_step_with_history": ("< 20", lambda v: v < 20),
    "repair_over_regeneration": ("≤ 0.30", lambda v: v <= 0.30),
    "validator_ms_per_mb": ("≤ 100", lambda v: v <= 100),
    "playbook_help_seconds": ("≤ 0.3", lambda v: v <= 0.3),
    "first_token_added_ms": ("≤ 100", lambda v: v <= 100),
}


def table(results: dict[str, Any]) -> str:
    rows = ["| figure | value | target | met |", "|---|---|---|---|"]
    for section in results.values():
        if not isinstance(section, dict):
            continue
        for key, value in section.items():
            target, check = TARGETS.get(key, ("", None))
            met = "" if check is None or not isinstance(value, (int, float)) else ("yes" if check(value) else "no")
            rows.append(f"| {key} | {value} | {target} | {met} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ttft", type=float, default=0.5, help="loopback time to first token (s)")
    parser.add_argument("--tps", type=float, default=80.0, help="loopback output speed (tokens/s)")
    parser.add_argument("--size", type=float, default=0.25, help="answer size as a share of real answers")
    parser.add_argument("--write-docs", action="store_true", help="update the results block in docs/benchmarks.md")
    args = parser.parse_args()

    library = PackLibrary()
    pack = library.get(PACK)
    variables = prepare_variables(pack, pack.example)
    results: dict[str, Any] = {"machine": machine()}
    results["chain"] = chain_speed(pack, variables, args.ttft, args.tps, args.size)
    results["chain"].update({"ttft_seconds": args.ttft, "tokens_per_second": args.tps, "answer_size_share": args.size})
    results["runner"] = runner_overhead(pack, variables)
    results["repair"] = repair_ratio(pack, variables)
    results["validator"] = validator_speed(pack)
    results["cli"] = cold_start()
    results["app"] = app_timings()
    rendered = table(results)
    print(rendered)
    print(json.dumps(results, indent=2))
    out = ROOT / ".bench"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.write_docs:
        docs = ROOT / "docs" / "benchmarks.md"
        text = docs.read_text(encoding="utf-8")
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        block = f"{start}\n\nMachine: {json.dumps(results['machine'])}\n\n{rendered}\n\n{end}"
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        docs.write_text(head + block + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
