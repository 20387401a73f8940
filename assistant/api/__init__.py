"""The public Python API: the one door the CLI, the app and scripts stand on.

    from assistant.api import Studio
    studio = Studio()
    pack = studio.pack("escalation-procedure")
    variables = studio.variables(pack, pack.example)
    result = studio.runner(pack, variables).run()
    print(result.steps["playbook"].report.missing)

The faces (``assistant.cli``, ``ui``) import from here only: the ``Studio``, the rules of a run
and the value types they show, never the history store, the chain runner or the providers.
"""

from assistant.api.access import EVERYONE, TeamPolicy, Viewer, visitor_settings
from assistant.api.audit import FilledDocument
from assistant.api.document_sets import StepState, made_label, stale_reasons
from assistant.analytics.policy import EscalationPolicy, PolicyChange
from assistant.api.resume import Resumption
from assistant.api.reviews import STATUS_LABELS, ReviewState, approval_line
from assistant.api.studio import Studio
from assistant.api.team import BudgetError
from assistant.chain import ChainEvent, RunResult, StepResult, missing_inputs, remaining_steps
from assistant.export import ExportDocument, ExportStep
from assistant.providers.base import Provider
from assistant.publish import TARGETS, ApplyReport, Plan, Publication, PublishError
from assistant.store import AuditRecord, ReviewRecord, RunRecord, StepRecord, VersionRecord
from assistant.validation import DOCUMENT_TYPES, ImportedDocument, ValidationReport

__all__ = [
    "EVERYONE",
    "STATUS_LABELS",
    "TARGETS",
    "ApplyReport",
    "AuditRecord",
    "BudgetError",
    "DOCUMENT_TYPES",
    "ChainEvent",
    "EscalationPolicy",
    "ExportDocument",
    "ExportStep",
    "FilledDocument",
    "ImportedDocument",
    "Plan",
    "PolicyChange",
    "Provider",
    "Publication",
    "PublishError",
    "Resumption",
    "ReviewRecord",
    "ReviewState",
    "RunRecord",
    "RunResult",
    "StepRecord",
    "StepResult",
    "StepState",
    "Studio",
    "TeamPolicy",
    "ValidationReport",
    "Viewer",
    "VersionRecord",
    "approval_line",
    "made_label",
    "missing_inputs",
    "remaining_steps",
    "stale_reasons",
    "visitor_settings",
]
