"""``playbook policy``: the structured escalation policy, derived, read or exported for other tools.

``playbook policy`` prints the policy derived from a profile (YAML, JSON, or the JSON schema a
model answers to); ``playbook policy export`` writes the versioned document other tools read,
from a profile, a policy file or a document set (its approved policy).
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from assistant.cli.common import err, studio, write_output

if TYPE_CHECKING:
    from assistant.analytics.policy import EscalationPolicy


class PolicyFormat(str, Enum):
    yaml = "yaml"
    json = "json"
    schema = "schema"


PolicyOption = Annotated[Optional[Path], typer.Option("--policy", help="policy YAML (default: derived from --vars, or the pack example)")]
VarsOption = Annotated[Optional[Path], typer.Option("--vars", help="escalation-procedure variables YAML to derive the policy from")]
OutOption = Annotated[Optional[Path], typer.Option("--out", help="write to this file instead of stdout")]

app = typer.Typer(help="The structured escalation policy: derive it, or export it for other tools.", rich_markup_mode=None)


def load_policy(policy_file: Path | None, vars_file: Path | None) -> EscalationPolicy:
    """The policy in ``policy_file``, else derived from ``vars_file``, else from the pack's example."""
    from assistant.analytics.policy import load_policy_yaml, policy_from_variables
    from assistant.packs import load_variables_file

    if policy_file is not None:
        return load_policy_yaml(policy_file)
    chosen = studio()
    pack = chosen.pack("escalation-procedure")
    values = load_variables_file(vars_file) if vars_file else dict(pack.example)
    return policy_from_variables(chosen.variables(pack, values))


@app.callback(invoke_without_command=True)
def policy_command(
    ctx: typer.Context,
    vars_file: VarsOption = None,
    fmt: Annotated[PolicyFormat, typer.Option("--format", help="yaml, json, or schema (the JSON schema models answer to)")] = PolicyFormat.yaml,
    out: OutOption = None,
) -> None:
    """Derive the structured escalation policy (levels, triggers, targets, routing, roles) from the profile, offline.

    Example: playbook policy --vars vars.yaml --out policy.yaml
    """
    if ctx.invoked_subcommand is not None:
        return
    from assistant.analytics.policy import dump_policy_yaml, policy_json_schema

    if fmt is PolicyFormat.schema:
        text = json.dumps(policy_json_schema(), indent=2) + "\n"
    else:
        policy = load_policy(None, vars_file)
        text = dump_policy_yaml(policy) if fmt is PolicyFormat.yaml else policy.model_dump_json(indent=2) + "\n"
    write_output(text, out)


@app.command("export")
def export_command(
    run_id: Annotated[Optional[str], typer.Option("--run", help="a document set: its approved policy (else its draft's, with a warning)")] = None,
    policy_file: PolicyOption = None,
    vars_file: VarsOption = None,
    fmt: Annotated[PolicyFormat, typer.Option("--format", help="json or yaml (the document), or schema (its versioned JSON Schema)")] = PolicyFormat.json,
    out: OutOption = None,
) -> None:
    """The policy as a versioned document other tools read (it names its JSON Schema's $id and version).

    Example: playbook policy export --run RUN_ID --format yaml --out policy.yaml
    """
    from assistant.analytics.policy import dump_policy_document, policy_schema

    if fmt is PolicyFormat.schema:
        write_output(json.dumps(policy_schema(), indent=2) + "\n", out)
        return
    if run_id is not None:
        policy, state = studio().reviews.policy(run_id)
        if state.last_approval is None:
            err("Not approved yet: this is the policy the draft states (`playbook review approve RUN_ID` approves it).")
    else:
        policy = load_policy(policy_file, vars_file)
    write_output(dump_policy_document(policy, fmt.value), out)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="policy")
