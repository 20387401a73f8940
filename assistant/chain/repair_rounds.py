"""Targeted repair of a finished draft: ask only for what is missing and merge it in order.

Regenerating a whole draft for two missing sections or a few missing points costs many
times the tokens and throws away text the reader may already have checked.
"""

from __future__ import annotations

from assistant.chain.context import RunnerContext
from assistant.chain.events import ChainEvent, StepResult
from assistant.chain.streaming import RequestStreamer
from assistant.errors import CancelledError, ProviderError
from assistant.packs import Checklist, RenderedPrompt, Step
from assistant.providers.base import Usage
from assistant.providers.pricing import cost_of
from assistant.validation import ValidationReport, build_repair_prompt, merge_repair, repair_plan, validate_step


class RepairRounds:
    """Repeats repair rounds while something is missing, the limit allows and each round makes progress."""

    def __init__(self, context: RunnerContext, requests: RequestStreamer) -> None:
        self._context = context
        self._requests = requests

    def run(
        self, step: Step, result: StepResult, run_id: str | None, *, system: str | None, rounds: int | None = None
    ) -> None:
        """Repair ``result`` in place; a failed round keeps the draft as it was."""
        context = self._context
        checklist = context.pack.checklist_for(step.id)
        report = result.report
        if report is None or checklist is None:
            return
        plan = repair_plan(report, checklist)
        limit = context.options.max_repair_rounds if rounds is None else rounds
        round_number = 0
        while plan and round_number < limit and not context.cancel.is_set():
            round_number += 1
            asking = f"Asking only for: {_asked(plan, checklist)} (round {round_number})."
            context.emit(ChainEvent(kind="repairing", step=step.id, message=asking))
            spent_before = result.repair_usage
            prompt = RenderedPrompt(user=build_repair_prompt(context.pack, step, result.text, report, context.variables), system=system)
            try:
                addition, finish = self._requests.request(
                    step, None, prompt, result, run_id, key=step.id, sections=plan, repair=True
                )
            except (ProviderError, CancelledError) as exc:
                context.emit(ChainEvent(kind="failed", step=step.id, message=f"Repair failed: {exc.message} The draft is kept."))
                return
            merged = merge_repair(result.text, addition, checklist, list(plan))
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
            self._record(step, result, run_id, report, result.repair_usage - spent_before)
            asked, plan = plan, repair_plan(report, checklist)
            if plan == asked:
                return  # another round would ask for the same things again

    def _record(self, step: Step, result: StepResult, run_id: str | None, report: ValidationReport, spent: Usage) -> None:
        """Keep the repaired draft as a new version: who repaired it, what the round cost, its report."""
        context = self._context
        if context.store is not None and run_id is not None:
            version = context.store.add_version(
                run_id, step.id, result.text, "repaired", provider=context.provider.name, model=context.model,
                usage=spent.model_dump(), cost=cost_of(context.model, spent), report=report.model_dump(mode="json"),
                status=result.status,
            )
            context.provenance.note(step.id, version)
        context.emit(ChainEvent(kind="repaired", step=step.id, report=report, usage=result.repair_usage))


def _asked(plan: dict[str, list[str]], checklist: Checklist) -> str:
    """'Escalation Routing Rules; Customer Communication Standards (2 missing items)': what a round asks for."""
    return "; ".join(
        checklist.section(sid).title + (f" ({len(items)} missing item{'s' if len(items) != 1 else ''})" if items else "")
        for sid, items in plan.items()
    )
