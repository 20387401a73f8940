"""Calibration speed on a large ticket history (the issue's bar: 1,000,000 tickets in under 10 s).

    .venv/bin/python benchmarks/calibration_bench.py [--rows 1000000] [--format parquet|csv|both] [--write-docs]

Generates the synthetic history once per size and format under ``.bench/`` (seeded, so the file
is the same every time), then times, for the AtlasFlow example policy:

- **load**: reading the file through DuckDB into the typed ``tickets`` table (column checks included);
- **calibrate**: per-level counts, the two bands, sensitivity of every numeric threshold at ±10% / ±25%
  and the quantile-based suggestions (what ``playbook calibrate`` does after loading);
- **total**: load + calibrate, i.e. the wall time of ``playbook calibrate`` less interpreter start-up;
- **dashboard**: every seed-002 figure on the same loaded table.

``--write-docs`` refreshes the calibration block of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.analytics.calibration import calibrate  # noqa: E402
from assistant.analytics.dashboard import build_dashboard  # noqa: E402
from assistant.analytics.policy import policy_from_variables  # noqa: E402
from assistant.packs import prepare_variables  # noqa: E402
from assistant.packs import PackLibrary  # noqa: E402
from assistant.analytics.tickets import load_tickets, write_sample  # noqa: E402

BENCH_DIR = ROOT / ".bench"
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- calibration-bench:start -->", "<!-- calibration-bench:end -->"


def measure(path: Path, repeats: int) -> dict[str, float]:
    pack = PackLibrary().get("escalation-procedure")
    policy = policy_from_variables(prepare_variables(pack, pack.example))
    best: dict[str, float] = {}
    for _ in range(repeats):
        started = time.perf_counter()
        table = load_tickets(path)
        loaded = time.perf_counter()
        report = calibrate(table, policy)
        calibrated = time.perf_counter()
        build_dashboard(table)
        dashboard = time.perf_counter()
        table.close()
        figures = {
            "load": loaded - started,
            "calibrate": calibrated - loaded,
            "total": calibrated - started,
            "dashboard": dashboard - calibrated,
            "escalation_rate": report.escalation_rate,
            "level3plus_rate": report.level3plus_rate,
            "conditions_probed": float(len(report.sensitivity)),
        }
        best = figures if not best or figures["total"] < best["total"] else best
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["parquet", "csv", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    BENCH_DIR.mkdir(exist_ok=True)
    formats = ["parquet", "csv"] if args.format == "both" else [args.format]
    results = {}
    for fmt in formats:
        path = BENCH_DIR / f"tickets_{args.rows}.{fmt}"
        if not path.exists():
            started = time.perf_counter()
            write_sample(path, args.rows)
            print(f"generated {path.name} in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
        results[fmt] = {**measure(path, args.repeats), "size_mb": path.stat().st_size / 1e6}
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        f"Calibration of {args.rows:,} synthetic tickets (`benchmarks/calibration_bench.py`, best of {args.repeats}; {machine}):",
        "",
        "| File | Size | Load | Calibrate | Load + calibrate | Dashboard |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for fmt, r in results.items():
        lines.append(
            f"| {fmt} | {r['size_mb']:.0f} MB | {r['load']:.2f} s | {r['calibrate']:.2f} s | **{r['total']:.2f} s** | {r['dashboard']:.2f} s |"
        )
    any_result = next(iter(results.values()))
    lines += [
        "",
        f"Policy: the AtlasFlow example, {int(any_result['conditions_probed'])} numeric thresholds probed at ±10% / ±25%; "
        f"it escalates {any_result['escalation_rate']:.1%} of tickets, {any_result['level3plus_rate']:.2%} at Level 3+.",
    ]
    block = "\n".join(lines)
    print(block)
    print(json.dumps(results, indent=2))
    if args.write_docs:
        text = DOCS.read_text(encoding="utf-8")
        if START in text:
            head, _, rest = text.partition(START)
            _, _, tail = rest.partition(END)
            text = f"{head}{START}\n{block}\n{END}{tail}"
        else:
            text = text.rstrip() + f"\n\n## Calibration\n\n{START}\n{block}\n{END}\n"
        DOCS.write_text(text, encoding="utf-8")
        print(f"updated {DOCS}", file=sys.stderr)


if __name__ == "__main__":
    main()
