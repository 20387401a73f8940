"""One publication: the bodies for a target, checked; the plan against the live account; the apply.

Dry run by default: with credentials in the environment the plan reads the live account (GET
requests only) to say what would be created, updated or left unchanged; without them it lists
everything as new. Only ``apply=True`` writes, and only the studio's own objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.analytics.policy import EscalationPolicy
from assistant.errors import ConfigurationError, UserInputError
from assistant.publish.apply import ApplyReport, apply_plan
from assistant.publish.clients import ENVIRONMENT, client_from_environment
from assistant.publish.model import Bundle, Target
from assistant.publish.pagerduty import pagerduty_bundle
from assistant.publish.plan import Plan, plan, read_live
from assistant.publish.schemas import body_problems
from assistant.publish.zendesk import zendesk_bundle


class Publication(BaseModel):
    bundle: Bundle
    plan: Plan
    #: what the apply did (None for a dry run)
    report: ApplyReport | None = None


def bundle(policy: EscalationPolicy, target: Target, *, zendesk_fields: Mapping[str, int] | None = None) -> Bundle:
    """The bodies ``target`` gets from ``policy``, each checked against the vendor's API description."""
    made = zendesk_bundle(policy, zendesk_fields) if target == "zendesk" else pagerduty_bundle(policy)
    problems = [p for resource in made.resources for p in body_problems(resource)]
    if problems:
        raise UserInputError("The policy does not make valid " + target + " configuration: " + "; ".join(problems))
    return made


def publish(
    policy: EscalationPolicy,
    target: Target,
    *,
    apply: bool = False,
    environ: Mapping[str, str] | None = None,
    zendesk_fields: Mapping[str, int] | None = None,
    **client_options: Any,
) -> Publication:
    """Plan (and with ``apply``, send) ``policy`` as ``target``'s configuration."""
    made = bundle(policy, target, zendesk_fields=zendesk_fields)
    client = client_from_environment(target, environ, **client_options)
    if client is None:
        if apply:
            raise ConfigurationError(f"Set {' and '.join(ENVIRONMENT[target])} to apply to {target} (a dry run needs none).")
        return Publication(bundle=made, plan=plan(made, None))
    try:
        planned = plan(made, read_live(made, client))
        report = apply_plan(planned, client) if apply else None
    finally:
        client.close()
    return Publication(bundle=made, plan=planned, report=report)


def write_bundle(made: Bundle, out: Path) -> list[Path]:
    """One JSON file per body (``01-trigger-l3-p1-outage.json``) and ``notes.txt`` when there are notes."""
    from slugify import slugify

    try:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for number, resource in enumerate(made.resources, 1):
            path = out / f"{number:02d}-{resource.kind.replace('_', '-')}-{slugify(resource.name, max_length=60)}.json"
            path.write_text(json.dumps(resource.body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            written.append(path)
        if made.notes:
            notes = out / "notes.txt"
            notes.write_text("\n".join(made.notes) + "\n", encoding="utf-8")
            written.append(notes)
    except OSError as exc:
        raise UserInputError(f"{out}: cannot be written ({exc.strerror or exc}).") from None
    return written
