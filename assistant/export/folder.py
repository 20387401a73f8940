"""The ``--out`` folder of ``playbook run``: one Markdown file per step and ``run.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.redact import redact_secrets


def write_run_folder(result: Any, titles: dict[str, str], out: Path, *, document_set: dict[str, Any] | None = None) -> list[Path]:
    """One Markdown file per step (named after the step) and ``run.json``; ``document_set`` (the
    stored set: every step's current version, how it was made, its figures) goes in as it is."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    steps: dict[str, Any] = {}
    for step_id, step in result.steps.items():
        entry: dict[str, Any] = {
            "title": titles.get(step_id, step_id),
            "status": step.status,
            "chars": len(step.text),
            "usage": step.usage.model_dump(),
            "repair_usage": step.repair_usage.model_dump(),
            "regeneration_tokens": step.regeneration_tokens,
            "repair_ratio": _repair_ratio(step),
            "cost": step.cost,
            "timings": step.timings,
            "attempts": step.attempts,
            "cached": step.cached,
            "error": redact_secrets(step.error) if step.error else None,
            "parts": step.parts,
            "version": step.version,
            "report": step.report.contract() if step.report else None,
        }
        if step.text:
            path = out / f"{step_id}.md"
            path.write_text(step.text if step.text.endswith("\n") else step.text + "\n", encoding="utf-8")
            entry["file"] = path.name
            written.append(path)
        steps[step_id] = entry
    summary = {
        "run_id": result.run_id,
        "pack": result.pack,
        "provider": result.provider,
        "model": result.model,
        "status": result.status,
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "elapsed_seconds": round(result.elapsed, 3),
        "usage": result.usage.model_dump(),
        "cost": result.cost,
        "offline": result.provider == "offline",
        "steps": steps,
        "document_set": document_set,
    }
    run_json = out / "run.json"
    run_json.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [*written, run_json]


def _repair_ratio(step: Any) -> float | None:
    spent = step.repair_usage.input_tokens + step.repair_usage.output_tokens
    if not spent or not step.regeneration_tokens:
        return None
    return round(spent / step.regeneration_tokens, 3)
