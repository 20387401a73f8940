"""Targeted repair of a finished draft: ask only for the missing sections and merge them in order.

Regenerating a whole draft for two missing sections costs many times the
tokens and throws away text the reader may already have checked.
"""

from __future__ import annotations

from assistant.chain.context import RunnerContext
from assistant.chain.events import ChainEvent, StepResult
from assistant.chain.streaming import RequestStreamer
from assistant.errors import CancelledError, ProviderError
from assistant.packs import RenderedPrompt, Step
from assistant.providers.pricing import cost_of
from assistant.validation import build_repair_prompt, merge_repair, validate_step


class RepairRounds:
    """Repeats repair rounds while sections are missing, the limit allows and each round makes progress."""

    def __init__(self, context: RunnerContext, requests: RequestStreamer) -> None:
        self._context = context
        self._requests = requests

    def run(
        self, step: Step, result: StepResult, run_id: str | None, *, system: str | None, rounds: int | None = None
    ) -> None:
        """Repair ``result`` in place; a failed round keeps the draft as it was."""
        context = self._context
        report = result.report
        limit = context.options.max_repair_rounds if rounds is None else rounds
        round_number = 0
        while report is not None and report.missing and round_number < limit and not context.cancel.is_set():
            round_number += 1
            wanted = list(report.missing)
            titles = ", ".join(report.section(section_id).title for section_id in wanted)
            context.emit(
                ChainEvent(kind="repairing", step=step.id, message=f"Asking only for: {titles} (round {round_number}).")
            )
            spent_before = result.repair_usage
            prompt = RenderedPrompt(user=build_repair_prompt(context.pack, step, result.text, report, context.variables), system=system)
            try:
                addition, finish = self._requests.request(step, None, prompt, result, run_id, key=step.id, sections=wanted, repair=True)
            except (ProviderError, CancelledError) as exc:
                context.emit(ChainEvent(kind="failed", step=step.id, message=f"Repair failed: {exc.message} The draft is kept."))
                return
            checklist = context.pack.checklist_for(step.id)
            assert checklist is not None
            merged = merge_repair(result.text, addition, checklist, wanted)
            if merged == result.text:
                context.emit(
                    ChainEvent(
                        kind="failed", step=step.id,
                        message="The repair answer held none of the requested sections; the draft is unchanged.",
                    )
                )
                return
            result.text = merged
            cut = finish == "length"
            report = validate_step(result.text, context.pack, step.id, known_truncated=cut)
            result.report = report
            if cut:
                result.status = "truncated"
            elif result.status == "truncated" and report.ok:
                result.status = "done"
            progress = set(report.missing) != set(wanted)
            if context.store is not None and run_id is not None:
                spent = result.repair_usage - spent_before
                version = context.store.add_version(
                    run_id, step.id, result.text, "repaired", provider=context.provider.name, model=context.model,
                    usage=spent.model_dump(), cost=cost_of(context.model, spent), report=report.model_dump(mode="json"),
                )
                context.provenance.note(step.id, version)
            context.emit(ChainEvent(kind="repaired", step=step.id, report=report, usage=result.repair_usage))
            if not progress:
                return  # another round would ask for the same sections again
