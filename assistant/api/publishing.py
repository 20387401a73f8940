"""Publishing a document set's approved policy, and comparing it with what is live, for the Studio's viewer.

A dry run works on any set the viewer sees (the policy its draft states, until one is approved).
Applying needs an approved set the viewer may change, sends the newest approved policy (never an
unapproved edit), and lands in the audit trail with what it did. In a shared studio the
credentials in the environment are the operator's, so only an admin applies with them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from assistant.analytics.policy import EscalationPolicy, PolicyChange
from assistant.api.reviews import ReviewState
from assistant.errors import UserInputError
from pathlib import Path

from assistant.publish import ENVIRONMENT, Bundle, Publication, Target, import_policy, live_differences, profile_lines, publish, write_bundle

if TYPE_CHECKING:
    from assistant.api.studio import Studio


class Publishing:
    def __init__(self, studio: Studio) -> None:
        self._studio = studio

    def publication(
        self,
        run_id: str,
        target: Target,
        *,
        apply: bool = False,
        environ: Mapping[str, str] | None = None,
        zendesk_fields: Mapping[str, int] | None = None,
        **client_options: Any,
    ) -> tuple[Publication, ReviewState]:
        """The set's policy as ``target``'s configuration: planned, and with ``apply`` sent."""
        policy, state = self._studio.reviews.policy(run_id)
        if apply:
            self._studio.writable(run_id)
            if not (self._studio.reviews.personal or self._studio.viewer.admin):
                raise UserInputError("Only an admin applies with the server's Zendesk and PagerDuty credentials; ask one to apply this set.")
            if state.last_approval is None:
                raise UserInputError(
                    "Only an approved policy is applied: approve the set first (`playbook review approve RUN_ID`, or "
                    "Review & publish in the app). A dry run shows what it would do."
                )
        result = publish(policy, target, apply=apply, environ=environ, zendesk_fields=zendesk_fields, **client_options)
        if result.report is not None:
            version = state.last_approval.content_hash[:8] if state.last_approval else None
            self._studio.record("published", run_id, detail={"to": target, "version": version, **result.report.counts()})
        return result, state

    @staticmethod
    def configured(target: Target, environ: Mapping[str, str] | None = None) -> bool:
        """Whether the environment holds ``target``'s credentials (their values are never read out)."""
        env = os.environ if environ is None else environ
        return all(env.get(name, "").strip() for name in ENVIRONMENT[target])

    def compare_live(self, run_id: str, target: Target, data: Any) -> tuple[EscalationPolicy, list[PolicyChange]]:
        """Where ``target``'s exported configuration (before) and the set's policy (after) disagree."""
        policy, _ = self._studio.reviews.policy(run_id)
        live = import_policy(target, data)
        return live, live_differences(target, live, policy)

    @staticmethod
    def import_config(target: Target, data: Any) -> tuple[EscalationPolicy, dict[str, list[str]]]:
        """An exported configuration as a policy, and the Organisation form lines it suggests."""
        live = import_policy(target, data)
        return live, profile_lines(live)

    @staticmethod
    def write_bundle(made: Bundle, out: Path) -> list[Path]:
        """One JSON body per resource (references to look up still as ``${kind:name}``), and the notes."""
        return write_bundle(made, out)
