"""What every export format renders: the document set, its provenance label and its title.

One labelling rule serves a stored run and a browser session's drafts alike: a set with any
offline step is labelled offline (so the offline banner is never lost), several providers are
named together, and a set with no provider at all was pasted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel

from assistant.validation import ValidationReport

Format = Literal["md", "docx", "html", "pdf"]
OFFLINE_NOTE = (
    "Offline draft: composed from your inputs and the pack's checklists without a language model. "
    "Connect a model for tailored prose."
)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: variables that name the organisation (others, like seed 001's company_type, describe it)
NAME_VARIABLES = ("company_name", "organisation_name", "organization_name", "org_name")
STUDIO = "Escalation Playbook Studio"


class ExportStep(BaseModel):
    id: str
    #: the heading of this part of the document (the step's document title)
    title: str
    status: str
    text: str
    report: ValidationReport | None = None
    #: how this step's text was made; None when it was pasted in
    provider: str | None = None
    model: str | None = None
    #: when the current text was written (generated, repaired or edited); None when unknown
    written_at: datetime | None = None
    #: titles of the steps it reads whose text changed after it was written
    outdated_by: list[str] = []


class ExportDocument(BaseModel):
    """What every export format renders: a run, whether in memory or from history."""

    title: str
    pack: str
    provider: str
    model: str
    created_at: str
    run_id: str | None = None
    steps: list[ExportStep]
    #: who the file is by (a signed-in person); else the organisation, else the studio
    author: str | None = None
    #: the organisation the set is for, from the pack's variables
    organisation: str | None = None

    @property
    def offline(self) -> bool:
        return self.provider == "offline"

    @property
    def summary(self) -> str:
        """The provenance line under the title: pack, provider, model, date and run."""
        run = f" · Run {self.run_id}" if self.run_id else ""
        return f"Pack: {self.pack} · Provider: {self.provider} · Model: {self.model} · {self.created_at}{run}"

    @property
    def byline(self) -> str:
        """Who a file's metadata names as its author."""
        return self.author or self.organisation or STUDIO


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
    title: str,
    pack: str,
    steps: list[ExportStep],
    *,
    run_id: str | None = None,
    created_at: str | None = None,
    needs: Mapping[str, Sequence[str]] | None = None,
    organisation: str | None = None,
    author: str | None = None,
) -> ExportDocument:
    """The document for ``steps`` (already in chain order), labelled by how they were made.

    ``needs`` (step id → the steps it reads) marks a step written before one of its inputs last
    changed, so the document can say it is out of date.
    """
    models = sorted({s.model for s in steps if s.model})
    return ExportDocument(
        title=title,
        pack=pack,
        provider=provenance_label(s.provider for s in steps),
        model=" + ".join(models) or "none",
        created_at=created_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        run_id=run_id,
        steps=_with_outdated_inputs(steps, needs or {}),
        organisation=organisation,
        author=author,
    )


def _with_outdated_inputs(steps: list[ExportStep], needs: Mapping[str, Sequence[str]]) -> list[ExportStep]:
    by_id = {s.id: s for s in steps}

    def changed_since(need: str, step: ExportStep) -> bool:
        read, written = by_id[need].written_at, step.written_at
        return read is not None and written is not None and _utc(read) > _utc(written)

    return [
        step.model_copy(update={"outdated_by": [by_id[n].title for n in needs.get(step.id, ()) if n in by_id and changed_since(n, step)]})
        for step in steps
    ]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def document_from_record(
    record: Any, titles: Mapping[str, str], title: str, needs: Mapping[str, Sequence[str]] | None = None
) -> ExportDocument:
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
            written_at=s.versions[-1].created_at if s.versions else None,
        )
        for s in record.steps
        if ":" not in s.key and s.text_or_partial
    ]
    steps.sort(key=lambda s: order.get(s.id, len(order)))
    created = record.created_at.isoformat() if isinstance(record.created_at, datetime) else str(record.created_at)
    return assemble(
        title, record.pack, steps, run_id=record.id, created_at=created, needs=needs,
        organisation=organisation_name(record.variables),
    )


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
