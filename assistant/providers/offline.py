"""The offline provider: a deterministic draft with no network and no key.

It is the default when no key is configured and the stand-in model in tests.
It reads the request's :class:`~assistant.providers.base.DraftTask` (pack,
step, part, variables, and for a repair the sections wanted) and composes the
document from the pack: a pack may ship ``offline/<step>.md.j2`` templates
with hand-written structure; otherwise the draft is built from the step's
checklist. Every draft carries :data:`OFFLINE_LABEL` so nobody mistakes it
for model output.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from assistant.packs import ListValue, fill_placeholders, render_offline
from assistant.packs import Pack, PackLibrary, Section
from assistant.providers.tokens import count_tokens
from assistant.providers.base import CompletionRequest, DraftTask, Final, TextDelta, Usage

OFFLINE_LABEL = (
    "> **Offline draft** — composed by Escalation Playbook Studio from your inputs and the pack's checklist, "
    "without a language model. Connect OpenAI, Anthropic or a local OpenAI-compatible server for tailored prose."
)
MODEL_NAME = "offline-draft"


class OfflineProvider:
    """Composes drafts locally; streams them in small chunks like a real model."""

    name = "offline"

    def __init__(self, library: PackLibrary | None = None, chunk_chars: int = 240) -> None:
        self._library = library
        self.chunk_chars = chunk_chars

    @property
    def library(self) -> PackLibrary:
        if self._library is None:
            self._library = PackLibrary()
        return self._library

    def check(self, model: str) -> str:
        return "Offline drafts need no connection or key; they are composed on this machine."

    def stream(self, request: CompletionRequest) -> Iterator[TextDelta | Final]:
        started = time.monotonic()
        text = self.compose(request)
        first: float | None = None
        for start in range(0, len(text), self.chunk_chars):
            if first is None:
                first = time.monotonic() - started
            yield TextDelta(text=text[start : start + self.chunk_chars])
        usage = Usage(
            input_tokens=count_tokens((request.system or "") + request.prompt),
            output_tokens=count_tokens(text),
            estimated=True,
        )
        yield Final(
            usage=usage,
            finish_reason="stop",
            latency=time.monotonic() - started,
            first_token_latency=first,
            model=MODEL_NAME,
        )

    def compose(self, request: CompletionRequest) -> str:
        task = request.task
        if task is None:
            return (
                f"{OFFLINE_LABEL}\n\nThe offline provider writes the documents of the built-in prompt packs; it cannot "
                "answer a free-form prompt. Choose OpenAI, Anthropic or a local OpenAI-compatible server for that.\n"
            )
        pack = self.library.get(task.pack)
        step = pack.step(task.step)
        template = f"offline/{step.id}.md.j2"
        if (pack.directory / template).is_file():
            body = _from_template(pack, template, task)
        else:
            body = compose_from_checklist(pack, task)
        # one label per document: a fan-out step's parts are joined, so only its first part carries it
        first_part = task.part is None or task.part == step.fan_out.items[0] if step.fan_out else True
        return f"{OFFLINE_LABEL}\n\n{body}" if task.sections is None and first_part else body


def _from_template(pack: Pack, template: str, task: DraftTask) -> str:
    """A pack's hand-written draft. It writes whole sections; for a repair, the points an incomplete
    section lacks come from the checklist, so the repair adds just those."""
    whole = None if task.sections is None else [s for s in task.sections if s not in task.items]
    body = render_offline(pack, template, task.model_copy(update={"sections": whole})) if whole != [] else ""
    if task.items:
        points = compose_from_checklist(pack, task.model_copy(update={"sections": list(task.items)}))
        body = f"{body.rstrip()}\n\n{points}" if body.strip() else points
    return body


def _subject(pack: Pack, variables: dict[str, str | list[str]]) -> str:
    """The organisation's name, from the first filled text variable."""
    for variable in pack.variables:
        value = variables.get(variable.name)
        if isinstance(value, str) and value:
            return value
    return "your organisation"


def _wanted(sections: list[Section], task: DraftTask) -> list[Section]:
    return [s for s in sections if task.sections is None or s.id in task.sections]


def compose_from_checklist(pack: Pack, task: DraftTask) -> str:
    """A structured draft straight from the checklist: one heading per section, one line per item."""
    checklist = pack.checklist_for(task.step)
    subject = _subject(pack, task.variables)
    if checklist is None:
        return f"# {pack.step(task.step).title} — {subject}\n\nNo checklist is defined for this step.\n"
    facts = [
        (v.label, ListValue(value).inline if isinstance(value, list) else value)
        for v in pack.variables
        if (value := task.variables.get(v.name))
    ]
    if task.part:
        part = checklist.section(task.part)
        lines = [f"# {part.title} runbook", ""]
        for number, item in enumerate(part.items, 1):
            lines += [f"## {item.text}", "", *_item_lines(item.text, subject, facts, number), ""]
        return "\n".join(lines)
    lines = [] if task.sections is not None else [f"# {pack.step(task.step).title} — {subject}", ""]
    listed = [s for s in checklist.sections if s.listed]
    for number, section in enumerate(listed, 1):
        if section not in _wanted(listed, task):
            continue
        only = task.items.get(section.id)  # a repair of an incomplete section: just the points it lacks
        lines += [f"## {number}) {section.title}", ""]
        if not only:
            lines += [f"How {subject} handles this, drafted from the facts you entered.", ""]
        for index, item in enumerate(section.items):
            if not only or item.text in only:
                lines.append(f"- **{fill_placeholders(item.text, task.variables)}** — {_fact_sentence(facts, index)}")
        if section.timed and not only:
            lines.append("- **Timeframes** — acknowledge within 15 minutes, update every 60 minutes, close within 2 business days.")
        lines.append("")
    for section in _wanted([s for s in checklist.sections if not s.listed and not s.part and s.nested], task):
        lines += [f"## {section.title}", ""]
        lines += [f"- [x] {s.title}" for s in listed]
        lines.append("")
    return "\n".join(lines)


def _fact_sentence(facts: list[tuple[str, str]], index: int) -> str:
    if not facts:
        return "set the owner, the trigger and the target time before this goes live."
    label, value = facts[index % len(facts)]
    return f"set for {label.lower()}: {value}."


def _item_lines(item: str, subject: str, facts: list[tuple[str, str]], number: int) -> list[str]:
    return [
        f"1. Confirm the {item.lower()} actions for {subject} within {5 * number} minutes of taking the role.",
        f"2. Record each action and its time in the ticket; {_fact_sentence(facts, number)}",
    ]
