"""What every export format renders: the document set, its provenance label and its title.

One labelling rule serves a stored run and a browser session's drafts alike: a set with any
offline step is labelled offline (so the offline banner is never lost), several providers are
named together, and a set with no provider at all was pasted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel

from assistant.validation import ValidationReport

Format = Literal["md", "docx", "html"]
OFFLINE_NOTE = (
    "Offline draft: composed from your inputs and the pack's checklists without a language model. "
    "Connect a model for tailored prose."
)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: variables that name the organisation (others, like seed 001's company_type, describe it)
NAME_VARIABLES = ("company_name", "organisation_name", "organization_name", "org_name")


class ExportStep(BaseModel):
    id: str
    title: str
    status: str
    text: str
    report: ValidationReport | None = None
    #: how this step's text was made; None when it was pasted in
    provider: str | None = None
    model: str | None = None


class ExportDocument(BaseModel):
    """What every export format renders: a run, whether in memory or from history."""

    title: str
    pack: str
    provider: str
    model: str
    created_at: str
    run_id: str | None = None
    steps: list[ExportStep]

    @property
    def offline(self) -> bool:
        return self.provider == "offline"


def xml_safe(text: str) -> str:
    """Text safe for XML-based formats (Word rejects control characters)."""
    return _XML_INVALID.sub("", text)


def provenance_label(providers: Iterable[str | None]) -> str:
    """One label for the providers that wrote a set: offline wins, several are joined, none means pasted."""
    named = sorted({p for p in providers if p})
    if len(named) == 1:
        return named[0]
    if "offline" in named:
        return "offline"
    return " + ".join(named) or "pasted"


def assemble(
    title: str, pack: str, steps: list[ExportStep], *, run_id: str | None = None, created_at: str | None = None
) -> ExportDocument:
    """The document for ``steps`` (already in chain order), labelled by how they were made."""
    models = sorted({s.model for s in steps if s.model})
    return ExportDocument(
        title=title,
        pack=pack,
        provider=provenance_label(s.provider for s in steps),
        model=" + ".join(models) or "none",
        created_at=created_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        run_id=run_id,
        steps=steps,
    )


def document_from_record(record: Any, titles: Mapping[str, str], title: str) -> ExportDocument:
    """From a stored run (``assistant.store.RunRecord``): whole steps only, not fan-out parts, in the
    order of ``titles`` (the pack's chain order), whatever order they were written in."""
    order = {step_id: index for index, step_id in enumerate(titles)}
    steps = [
        ExportStep(
            id=s.key,
            title=titles.get(s.key, s.key),
            status=s.effective_status,
            text=s.text_or_partial,
            report=ValidationReport.model_validate(s.report) if s.report else None,
            provider=record.provider,
            model=record.model,
        )
        for s in record.steps
        if ":" not in s.key and s.text_or_partial
    ]
    steps.sort(key=lambda s: order.get(s.id, len(order)))
    created = record.created_at.isoformat() if isinstance(record.created_at, datetime) else str(record.created_at)
    return assemble(title, record.pack, steps, run_id=record.id, created_at=created)


def organisation_name(values: Mapping[str, Any]) -> str | None:
    """The organisation's name from a pack's variables, for titles; None when no variable names it."""
    for name in NAME_VARIABLES:
        value = values.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip().splitlines()[0][:120]
    return None


def default_title(pack_title: str, company: str | None) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"{pack_title} — {company} ({stamp})" if company else f"{pack_title} ({stamp})"
