"""A document set as people get it out of the studio: one labelled document, or files on disk.

Exports are built from the stored set, so they carry what the app shows: each step's current
version in chain order, how it was made, whether it is out of date, and the offline banner when
any of it was composed without a model.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from assistant.api.document_sets import StepState, document_set
from assistant.chain import RunResult
from assistant.export import ExportDocument, ExportStep, assemble, default_title, organisation_name, write_run_folder
from assistant.packs import Pack
from assistant.store import RunRecord
from assistant.validation import ValidationReport


def set_name(pack: Pack | None, record: RunRecord) -> str:
    """What a document set is called: the name its owner gave it, else its pack and organisation."""
    if record.title:
        return record.title
    company = organisation_name(record.variables)
    pack_title = pack.title if pack else record.pack
    return f"{pack_title} — {company}" if company else pack_title


def export_steps(states: list[StepState], headings: Mapping[str, str] | None = None) -> list[ExportStep]:
    """The steps with text, each headed by its document title (``headings``, else its title)."""
    return [
        ExportStep(
            id=state.id,
            title=(headings or {}).get(state.id, state.title),
            status=export_status(state),
            text=state.text,
            report=ValidationReport.model_validate(state.report) if state.report else None,
            provider=state.current.provider if state.current else None,
            model=state.current.model if state.current else None,
            made=state.made,
            stale=state.stale,
        )
        for state in states
        if state.text.strip()
    ]


def export_status(state: StepState) -> str:
    """What an export says of a step's text: how its current version was made (edited, repaired...),
    or, while it has none, how the attempt whose partial text it shows ended. A failed re-run never
    replaced the current version, so its text is still the whole answer."""
    if state.current is None:
        return state.status
    if state.current.kind != "generated":
        return state.current.kind
    return "truncated" if state.status == "truncated" else "done"


def run_document(
    pack: Pack,
    record: RunRecord,
    title: str | None = None,
    variables: Mapping[str, Any] | None = None,
    author: str | None = None,
    approval: str | None = None,
) -> ExportDocument | None:
    """The set's current versions as one document (None when nothing is written yet); staleness is
    judged against ``variables`` (the profile as it is now) or else the run's own. The organisation
    and ``author`` (a signed-in person) name who the files are by; ``approval`` says who approved
    exactly these versions (else the document is a draft)."""
    steps = export_steps(document_set(pack, record, variables), pack.document_titles())
    if not steps:
        return None
    organisation = organisation_name(record.variables)
    chosen = (title or "").strip() or record.title or default_title(pack.title, organisation)
    return assemble(
        chosen,
        pack.name,
        steps,
        run_id=record.id,
        created_at=record.updated_at.strftime("%Y-%m-%d %H:%M UTC"),
        organisation=organisation,
        author=author,
        approval=approval,
    )


def set_summary(pack: Pack | None, record: RunRecord) -> dict[str, Any]:
    """The document set for ``run.json`` and ``playbook history --format json``: every step's
    current version, how it was made, whether it is out of date, and the same figures the app shows."""
    states = document_set(pack, record) if pack is not None else []
    return {
        **record.to_summary(),
        "title": set_name(pack, record),
        "labels": record.labels,
        "document": [
            {
                "id": s.id,
                "title": s.title,
                "status": s.status,
                "version": s.current.number if s.current else None,
                "versions": len(s.versions),
                "made": s.made,
                "stale": s.stale,
                "usage": s.usage.model_dump() if s.usage else None,
                "cost": s.cost,
            }
            for s in states
        ],
    }


def write_drafts(
    result: RunResult, pack: Pack, out: Path | None, recovery_root: Path, summary: dict[str, Any] | None
) -> tuple[list[Path], str | None]:
    """Write a run's drafts (one file per step and run.json) where they will not be lost.

    To ``out`` when given; when the history could not keep the run and there is no ``out``, to a
    recovery folder under ``recovery_root``, else in the system's temporary folder. Returns the
    files and, when every place failed, why.
    """
    if out is None and not result.history_error:
        return [], None
    titles = {s.id: s.title for s in pack.steps}
    name = result.run_id or result.started_at.replace(":", "").replace(".", "")
    places = [out] if out is not None else []
    if result.history_error:
        places += [recovery_root / "recovered" / name, Path(tempfile.gettempdir()) / "playbook-recovered" / name]
    problems = []
    for folder in places:
        try:
            return write_run_folder(result, titles, folder, document_set=summary), None
        except OSError as exc:
            problems.append(f"{folder}: {exc.strerror or exc}")
    return [], "; ".join(problems)
