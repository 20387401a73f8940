"""Analytics commands of ``playbook``: sample tickets, calibration, dashboard.

DuckDB and Altair load only inside the commands that use them, so ``playbook --help`` stays fast.
"""

from __future__ import annotations

import json
import time
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from assistant.cli.common import err, write_output
from assistant.cli.policy import PolicyOption, VarsOption, load_policy
from assistant.errors import UserInputError

if TYPE_CHECKING:
    from assistant.analytics.tickets import ColumnMapping


class CalibrateFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class DashboardFormat(str, Enum):
    html = "html"
    json = "json"


TicketsOption = Annotated[Path, typer.Option("--tickets", help="CSV or Parquet file of past tickets")]
MapOption = Annotated[list[str], typer.Option("--map", help="FIELD=COLUMN: override the auto-detected column (repeatable; FIELD= unmaps)")]


def _mapping(path: Path, overrides: list[str]) -> ColumnMapping:
    from assistant.analytics.tickets import FIELD_BY_NAME, ColumnMapping, detect_mapping

    mapping = detect_mapping(path)
    columns = dict(mapping.columns)
    for pair in overrides:
        field, sep, column = pair.partition("=")
        field = field.strip()
        if not sep or field not in FIELD_BY_NAME:
            raise UserInputError(f"--map expects FIELD=COLUMN with FIELD one of: {', '.join(FIELD_BY_NAME)}; got {pair!r}.")
        if column.strip():
            columns[field] = column.strip()
        else:
            columns.pop(field, None)
    return ColumnMapping(columns=columns)


def sample_tickets(
    rows: Annotated[int, typer.Option("--rows", min=1, help="how many tickets")] = 10_000,
    out: Annotated[Path, typer.Option("--out", help="file to write: .csv or .parquet")] = Path("tickets.csv"),
    seed: Annotated[int, typer.Option("--seed", help="same seed, same file")] = 7,
    days: Annotated[int, typer.Option("--days", min=7, help="length of the history")] = 90,
) -> None:
    """Write a realistic synthetic ticket history (tiers, channels, incident bursts) to try calibration with no data.

    Example: playbook sample-tickets --rows 50000 --out tickets.csv
    """
    from assistant.analytics.tickets import write_sample

    started = time.perf_counter()
    path = write_sample(out, rows, seed=seed, days=days)
    err(f"Wrote {rows:,} tickets over {days} days to {path} in {time.perf_counter() - started:.1f} s (seed {seed}).")


def _calibration_text(report: Any) -> str:
    lines = [f"{report.tickets:,} tickets" + (f" ({report.period})" if report.period else "") + f" · {report.elapsed_seconds:.2f} s"]
    for band in report.bands:
        mark = "✓" if band.verdict == "within" else "✗"
        lines.append(f"{mark} {band.label}: {band.rate:.2%} ({band.count:,}) — target {band.low:.1%}–{band.high:.1%}, {band.verdict}")
    lines.append("Per level (a ticket counts at its highest matching level):")
    for level in report.levels:
        history = "" if level.history_count is None else f" · history {level.history_count:,}"
        lines.append(f"  Level {level.level} {level.name}: {level.count:,} ({level.rate:.2%}); this level or higher {level.cumulative_rate:.2%}{history}")
    if report.sensitivity:
        lines.append("Tickets that change level if one threshold moves (−25% / −10% / +10% / +25%):")
        for item in report.sensitivity:
            flips = " / ".join(f"{f.flipped:,}" for f in item.flips)
            lines.append(f"  L{item.level} {item.column} {item.op} {item.threshold:g}: {flips}")
    if report.suggestions:
        lines.append("Suggestions:")
        lines += [f"  - {s.reason}" for s in report.suggestions]
    lines += [f"Note: {w}" for w in report.warnings]
    return "\n".join(lines)


def calibrate_command(
    tickets: TicketsOption,
    policy_file: PolicyOption = None,
    vars_file: VarsOption = None,
    mapping: MapOption = [],  # noqa: B006 - typer needs a literal default
    fmt: Annotated[CalibrateFormat, typer.Option("--format", help="text, json, or markdown (the playbook's Calibration appendix)")] = CalibrateFormat.text,
    apply: Annotated[bool, typer.Option("--apply", help="apply the suggested changes and report the re-run")] = False,
    save_policy: Annotated[Optional[Path], typer.Option("--save-policy", help="write the (calibrated) policy YAML here")] = None,
) -> None:
    """Count how many tickets each level's triggers catch and compare with the 5–10% / 0.5–2% bands.

    Example: playbook calibrate --tickets tickets.csv --policy policy.yaml --format json
    """
    from assistant.analytics.calibration import apply_suggestions, calibrate, calibration_appendix
    from assistant.analytics.policy import dump_policy_yaml
    from assistant.analytics.tickets import load_tickets

    started = time.perf_counter()
    policy = load_policy(policy_file, vars_file)
    table = load_tickets(tickets, _mapping(tickets, mapping))
    loaded = time.perf_counter() - started
    report = calibrate(table, policy)
    if apply and report.suggestions:
        applied = apply_suggestions(policy, report.suggestions)
        if applied != policy:
            first = report
            policy = applied
            report = calibrate(table, policy)
            report.suggestions = [*(s for s in first.suggestions if s.kind != "advice"), *report.suggestions]
    table.close()
    if save_policy is not None:
        save_policy.write_text(dump_policy_yaml(policy), encoding="utf-8")
        err(f"Wrote {save_policy}")
    if fmt is CalibrateFormat.json:
        typer.echo(json.dumps(report.contract(), indent=2, ensure_ascii=False))
    elif fmt is CalibrateFormat.markdown:
        typer.echo(calibration_appendix(report, policy), nl=False)
    else:
        typer.echo(_calibration_text(report))
    err(f"Loaded {report.tickets:,} tickets in {loaded:.2f} s; calibrated in {report.elapsed_seconds:.2f} s.")


def dashboard_command(
    tickets: TicketsOption,
    out: Annotated[Optional[Path], typer.Option("--out", help="file to write (default: stdout)")] = None,
    mapping: MapOption = [],  # noqa: B006
    policy_file: PolicyOption = None,
    fmt: Annotated[DashboardFormat, typer.Option("--format", help="html (standalone, works offline) or json")] = DashboardFormat.html,
    title: Annotated[str, typer.Option("--title", help="report title")] = "Escalation metrics",
) -> None:
    """The seed-002 escalation metrics dashboard as a standalone HTML report (or JSON).

    Example: playbook dashboard --tickets tickets.csv --out report.html
    """
    from assistant.analytics.dashboard import build_dashboard, to_html
    from assistant.analytics.policy import load_policy_yaml
    from assistant.analytics.tickets import load_tickets

    table = load_tickets(tickets, _mapping(tickets, mapping))
    policy = load_policy_yaml(policy_file) if policy_file else None
    report = build_dashboard(table, policy)
    table.close()
    text = to_html(report, title=title) if fmt is DashboardFormat.html else report.model_dump_json(indent=2) + "\n"
    write_output(text, out, f"Wrote {out} ({report.tickets:,} tickets, {report.escalated:,} escalated).")


def register(app: typer.Typer) -> None:
    app.command("sample-tickets")(sample_tickets)
    app.command("calibrate")(calibrate_command)
    app.command("dashboard")(dashboard_command)
