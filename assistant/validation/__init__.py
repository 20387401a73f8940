"""Pure text work on answers and documents: outline, checklist verdicts, lints, targeted repair, filling a
team's own document, importing Word/HTML/Markdown, cross-document consistency."""

from assistant.validation.checklist import validate_step
from assistant.validation.consistency.compare import check_consistency, documents_from_steps
from assistant.validation.consistency.report import ConsistencyReport, consistency_text
from assistant.validation.documents import DOCUMENT_TYPES, ImportedDocument, read_document
from assistant.validation.fill import document_facts, gap_prompt, insert_sections
from assistant.validation.outline import parse_outline
from assistant.validation.repair import build_repair_prompt, merge_repair, repair_plan
from assistant.validation.report import SectionResult, ValidationReport
from assistant.validation.sections import section_spans
from assistant.validation.titles import TitleMatcher

__all__ = [
    "DOCUMENT_TYPES",
    "ConsistencyReport",
    "ImportedDocument",
    "SectionResult",
    "TitleMatcher",
    "ValidationReport",
    "build_repair_prompt",
    "check_consistency",
    "consistency_text",
    "document_facts",
    "documents_from_steps",
    "gap_prompt",
    "insert_sections",
    "merge_repair",
    "parse_outline",
    "read_document",
    "repair_plan",
    "section_spans",
    "validate_step",
]
