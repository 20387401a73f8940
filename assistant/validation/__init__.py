"""Pure text work on answers: outline, checklist verdicts, lints, targeted repair, cross-document consistency."""

from assistant.validation.checklist import validate_step
from assistant.validation.consistency.compare import check_consistency, documents_from_steps
from assistant.validation.consistency.report import ConsistencyReport, consistency_text
from assistant.validation.outline import parse_outline
from assistant.validation.repair import build_repair_prompt, merge_repair, repair_plan
from assistant.validation.report import SectionResult, ValidationReport
from assistant.validation.sections import section_spans
from assistant.validation.titles import TitleMatcher

__all__ = [
    "ConsistencyReport",
    "SectionResult",
    "TitleMatcher",
    "ValidationReport",
    "build_repair_prompt",
    "check_consistency",
    "consistency_text",
    "documents_from_steps",
    "merge_repair",
    "parse_outline",
    "repair_plan",
    "section_spans",
    "validate_step",
]
