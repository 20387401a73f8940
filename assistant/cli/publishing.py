"""``playbook publish``, ``playbook review`` and ``playbook import-config``: from draft to practice.

``review`` signs a document set off (on the command line the local user works alone, so
``approve`` marks it approved directly). ``publish`` turns the approved policy into Zendesk or
PagerDuty configuration: dry run by default (the plan, and the bodies with ``--out``), ``--apply``
sends it with the credentials in the environment. ``import-config`` reads an existing
configuration back as a policy, and ``--compare`` says where it and a set's policy disagree.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.common import FormatOption, OutputFormat, err, read_text, studio, write_output
from assistant.errors import UserInputError


class Vendor(str, Enum):
    zendesk = "zendesk"
    pagerduty = "pagerduty"


RunArgument = Annotated[str, typer.Argument(help="the document set (see `playbook history`)")]
NoteOption = Annotated[str, typer.Option("--note", help="a note kept with the review step")]
review_app = typer.Typer(help="Review and sign-off of a document set.", rich_markup_mode=None, no_args_is_help=True)


def _fields(pairs: list[str]) -> dict[str, int]:
    fields = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not value.strip().isdigit():
            raise UserInputError(f"--zendesk-field expects FIELD=ID with a numeric Zendesk field id, e.g. arr=360001234; got {pair!r}.")
        fields[name.strip()] = int(value)
    return fields


def publish_command(
    run_id: RunArgument,
    to: Annotated[Vendor, typer.Option("--to", help="zendesk (triggers, SLA policies) or pagerduty (escalation policies, services)")],
    out: Annotated[Optional[Path], typer.Option("--out", help="write one JSON body per resource into this folder")] = None,
    apply: Annotated[bool, typer.Option("--apply", help="send it (credentials from the environment); without it, a dry run")] = False,
    zendesk_field: Annotated[list[str], typer.Option("--zendesk-field", help="FIELD=ID: match a number (arr, ...) by a Zendesk custom field")] = [],  # noqa: B006
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Publish the set's approved policy to Zendesk or PagerDuty: a Terraform-like plan, then --apply.

    Example: playbook publish RUN_ID --to zendesk --out zendesk/   (then the same with --apply)
    """
    from assistant.api import approval_line

    chosen = studio()
    result, state = chosen.publishing.publication(run_id, to.value, apply=apply, zendesk_fields=_fields(zendesk_field))  # type: ignore[arg-type]
    if state.last_approval is not None:
        err(f"Publishing the policy of: {approval_line(state.last_approval)}.")
    else:
        err("Not approved yet: this is the policy the draft states (`playbook review approve RUN_ID` approves it).")
    if out is not None:
        written = chosen.publishing.write_bundle(result.bundle, out)
        err(f"Wrote {len(written)} files to {out}")
    for note in result.bundle.notes:
        err(f"Note: {note}")
    if fmt is OutputFormat.json:
        report = result.report.model_dump(mode="json") if result.report else None
        typer.echo(json.dumps({"approved": state.last_approval is not None, "plan": result.plan.model_dump(mode="json"), "report": report},
                              indent=2, ensure_ascii=False))
    else:
        typer.echo(result.report.text() if result.report is not None else result.plan.text())
    if result.report is None and result.plan.pending:
        err("Dry run: nothing was sent. Add --apply to send it.")
    if result.report is not None and not result.report.ok:
        raise typer.Exit(1)


@review_app.command("status")
def review_status(run_id: RunArgument, fmt: FormatOption = OutputFormat.text) -> None:
    """Where the set stands (draft, in review, changes requested, approved) and its review history.

    Example: playbook review status RUN_ID
    """
    state = studio().reviews.state(run_id)
    if fmt is OutputFormat.json:
        typer.echo(state.model_dump_json(indent=2))
        return
    typer.echo(f"{state.label} · version {state.content_hash[:8]}: " + ", ".join(f"{s} v{n}" for s, n in state.versions.items()))
    for entry in state.entries:
        about = f" on {entry.step}" + (f" § {entry.section}" if entry.section else "") if entry.step else ""
        approval = f" [approval {entry.id}]" if entry.action == "approved" else ""
        body = f": {entry.body}" if entry.body else ""
        typer.echo(f"  {entry.at:%Y-%m-%d %H:%M} {entry.shown} {entry.action.replace('_', ' ')}{about}{approval} (version {entry.content_hash[:8]}){body}")


@review_app.command("submit")
def review_submit(run_id: RunArgument, note: NoteOption = "") -> None:
    """Submit the set's current versions for review."""
    studio().reviews.submit(run_id, note)
    err("Submitted for review.")


@review_app.command("comment")
def review_comment(
    run_id: RunArgument,
    body: Annotated[str, typer.Option("--body", help="the comment")],
    step: Annotated[Optional[str], typer.Option("--step", help="the step it is about, e.g. playbook")] = None,
    section: Annotated[Optional[str], typer.Option("--section", help="the section it is about, e.g. levels")] = None,
) -> None:
    """Comment on the set, or on one step's section."""
    studio().reviews.comment(run_id, body, step=step, section=section)
    err("Comment added.")


@review_app.command("request-changes")
def review_request_changes(run_id: RunArgument, body: Annotated[str, typer.Option("--body", help="what has to change")]) -> None:
    """Send the set back to its author, saying what has to change."""
    studio().reviews.request_changes(run_id, body)
    err("Changes requested.")


@review_app.command("approve")
def review_approve(run_id: RunArgument, note: NoteOption = "") -> None:
    """Approve the set's current versions (and the policy they state).

    Example: playbook review approve RUN_ID
    """
    from assistant.api import approval_line

    entry = studio().reviews.approve(run_id, note)
    err(f"{approval_line(entry)} [approval {entry.id}].")


@review_app.command("diff")
def review_diff(
    first: Annotated[int, typer.Argument(help="an approval id (see `playbook review status`)")],
    second: Annotated[int, typer.Argument(help="a later approval id")],
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """What changed in policy terms (levels, triggers, targets, teams, roles) between two approvals."""
    changes = studio().reviews.compare(first, second)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps([c.model_dump() for c in changes], indent=2, ensure_ascii=False))
        return
    typer.echo("\n".join(f"  {c.area}: {c.describe()}" for c in changes) or "No policy changes between these approvals.")


def import_config_command(
    file: Annotated[Path, typer.Argument(help="a Zendesk SLA/trigger export or a PagerDuty escalation policy, as JSON")],
    source: Annotated[Vendor, typer.Option("--from", help="zendesk or pagerduty")],
    compare: Annotated[Optional[str], typer.Option("--compare", help="a document set: where its policy and this configuration disagree")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="write the imported policy (YAML) here")] = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Start from what exists: an exported configuration as a policy, or compared with a set's policy.

    Example: playbook import-config sla_policies.json --from zendesk --compare RUN_ID
    """
    from assistant.analytics.policy import dump_policy_yaml

    try:
        data = json.loads(read_text(file))
    except json.JSONDecodeError as exc:
        raise UserInputError(f"{file}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    chosen = studio()
    if compare is not None:
        _, changes = chosen.publishing.compare_live(compare, source.value, data)  # type: ignore[arg-type]
        if fmt is OutputFormat.json:
            typer.echo(json.dumps({"ok": not changes, "differences": [c.model_dump() for c in changes]}, indent=2, ensure_ascii=False))
        else:
            typer.echo("\n".join(f"  ✗ {c.describe()} (live -> policy)" for c in changes) or "The live configuration matches the policy.")
        if changes:
            raise typer.Exit(1)
        return
    policy, lines = chosen.publishing.import_config(source.value, data)  # type: ignore[arg-type]
    if out is not None:
        write_output(dump_policy_yaml(policy), out)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps({"policy": policy.model_dump(mode="json", exclude_none=True), "profile": lines}, indent=2, ensure_ascii=False))
        return
    for level in policy.levels:
        team = f" · {level.routing}" if level.routing else ""
        typer.echo(f"Level {level.level} {level.name} ({level.effective_severity}{team}): acknowledge within {level.targets.ack_minutes:g} min")
    typer.echo("For the Organisation form:")
    typer.echo("\n".join(f"  {name}: {value}" for name, values in lines.items() for value in values))


def register(app: typer.Typer) -> None:
    app.command("publish")(publish_command)
    app.add_typer(review_app, name="review")
    app.command("import-config")(import_config_command)
