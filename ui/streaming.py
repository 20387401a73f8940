"""The bridge between the chain (on a worker thread) and the page (on the script thread).

    worker thread                         script thread (the page)
    runner.run(on_event=queue.put)  --->  job.poll(): queue.get -> apply to StepView
    ...                                   st.write_stream(job.text_stream(step, stage))
    queue.put(JobEnd(result))       --->  job.finished -> the page stores the result

The worker never touches ``st``; it only puts :class:`ChainEvent` objects (and
one final :class:`JobEnd`) into a ``queue.Queue``. Only the script thread takes
them out, applies them to per-step views and yields delta text to
``st.write_stream``. The job object lives in ``st.session_state``, so when
a click interrupts the script (Stop, or any other widget) the next run picks
up the same job and shows what streamed so far before following it again.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.api import ChainEvent
from assistant.validation import ValidationReport

from ui.safety import StreamEscaper

JobKind = Literal["run", "repair"]
#: ("main", attempt) or ("repair", round)
Stage = tuple[str, int]


@dataclass(frozen=True)
class JobEnd:
    """The worker's last word: the runner's return value, or the exception it raised."""

    result: Any = None
    error: BaseException | None = None


@dataclass
class StepView:
    """What the page knows about one step while the job runs."""

    step: str
    title: str
    parts: list[tuple[str, str]] = field(default_factory=list)  # (part id, title) of a fan-out step
    started: bool = False
    started_at: float | None = None
    main_ended: bool = False
    failed: bool = False
    attempt: int = 1
    text: str = ""
    part_texts: dict[str, str] = field(default_factory=dict)
    parts_done: set[str] = field(default_factory=set)
    repair_round: int = 0
    repair_closed: int = 0
    repair_text: str = ""
    report: ValidationReport | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return len(self.text) + sum(len(t) for t in self.part_texts.values())

    @property
    def active(self) -> bool:
        return (self.started and not self.main_ended) or self.repair_round > self.repair_closed


class ChainJob:
    """One run (or repair) of the chain on a worker thread, followed from the script thread."""

    def __init__(
        self,
        kind: JobKind,
        views: list[StepView],
        work: Callable[[Callable[[ChainEvent], None]], Any],
        cancel: threading.Event,
        *,
        pack: str = "",
        fingerprint: str | None = None,
    ) -> None:
        self.kind = kind
        #: the pack the job runs, and what its history run was made with (see ui.runs)
        self.pack = pack
        self.fingerprint = fingerprint
        self.views = {view.step: view for view in views}
        self.order = [view.step for view in views]
        self.cancel = cancel
        self.events: queue.Queue[ChainEvent | JobEnd] = queue.Queue()
        self.end: JobEnd | None = None
        self.started_at = time.monotonic()
        #: heading levels added to streamed text, so a draft's "# Title" fits inside a card
        self.demote = 2
        self._work = work
        self._lock = threading.RLock()
        self.thread = threading.Thread(target=self._main, name=f"playbook-{kind}", daemon=True)

    # --- worker thread -------------------------------------------------------------------

    def start(self) -> ChainJob:
        self.thread.start()
        return self

    def _main(self) -> None:
        try:
            result = self._work(self.events.put)
        except BaseException as exc:  # noqa: BLE001  (anything, even a bug, is handed to the page to show)
            self.events.put(JobEnd(error=exc))
        else:
            self.events.put(JobEnd(result=result))

    # --- script thread ---------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.end is not None

    @property
    def stopping(self) -> bool:
        return self.cancel.is_set() and not self.finished

    def stop(self) -> None:
        """Ask the runner to stop; what streamed so far is kept."""
        self.cancel.set()

    def poll(self, timeout: float = 0.1) -> bool:
        """Wait up to ``timeout`` for events and apply all that arrived; True if any did.

        Streamlit may start a new script run before the old one has stopped, so two
        script threads can poll at once: applying events is done under a lock.
        """
        if self.finished:
            return False
        try:
            item = self.events.get(timeout=timeout) if timeout > 0 else self.events.get_nowait()
        except queue.Empty:
            return False
        with self._lock:
            self._apply(item)
            while not self.finished:
                try:
                    item = self.events.get_nowait()
                except queue.Empty:
                    break
                self._apply(item)
        return True

    def drain(self) -> None:
        self.poll(0)

    def wait(self, timeout: float = 60.0) -> None:
        """Apply events until the job ends (used where nothing is streamed, e.g. tests)."""
        deadline = time.monotonic() + timeout
        while not self.finished and time.monotonic() < deadline:
            self.poll(0.1)

    def _apply(self, item: ChainEvent | JobEnd) -> None:
        if isinstance(item, JobEnd):
            self.end = item
            return
        view = self.views.get(item.step)
        if view is None:
            return
        kind = item.kind
        if kind == "started":
            view.started, view.started_at = True, time.monotonic()
        elif kind == "delta":
            if item.repair:
                view.repair_text += item.text
            elif item.part:
                view.part_texts[item.part] = view.part_texts.get(item.part, "") + item.text
            else:
                view.text += item.text
        elif kind == "retried":
            view.messages.append(item.message)
            if item.repair:
                view.repair_text = ""
            else:
                if item.part:
                    view.part_texts[item.part] = ""
                else:
                    view.text = ""
                view.attempt += 1
        elif kind == "part_finished" and item.part:
            view.parts_done.add(item.part)
        elif kind == "finished":
            view.main_ended = True
        elif kind in ("validated", "repaired"):
            view.report = item.report or view.report
            if kind == "repaired":
                view.repair_closed = view.repair_round
        elif kind == "repairing":
            view.repair_round += 1
            view.repair_text = ""
            view.messages.append(item.message)
        elif kind == "failed":
            view.messages.append(item.message)
            if view.repair_round > view.repair_closed:
                view.repair_closed = view.repair_round
            else:
                view.main_ended = view.failed = True
        elif kind == "skipped":
            view.main_ended = view.failed = True
            view.messages.append(item.message)
        elif kind == "cached":
            view.messages.append(item.message)

    # --- what to show ------------------------------------------------------------------------

    def stages(self, step: str) -> list[Stage]:
        view = self.views[step]
        stages: list[Stage] = []
        if view.started:
            stages.append(("main", view.attempt))
        if view.repair_round:
            stages.append(("repair", view.repair_round))
        return stages

    def next_stage(self, shown: set[tuple[str, Stage]]) -> tuple[str, Stage] | None:
        """The first stage, in plan order, that has begun and was not shown yet in this script run."""
        for step in self.order:
            for stage in self.stages(step):
                if (step, stage) not in shown:
                    return step, stage
        return None

    def _stage_over(self, step: str, stage: Stage) -> bool:
        view = self.views[step]
        if self.finished:
            return True
        if stage[0] == "main":
            return view.main_ended or view.attempt != stage[1]
        return view.repair_closed >= stage[1] or view.repair_round != stage[1]

    def text_stream(self, step: str, stage: Stage, tick: Callable[[], None] = lambda: None) -> Iterator[str]:
        """Text for ``st.write_stream``: what arrived so far, then each new delta, until the stage ends.

        A fan-out step shows its parts in sequence: each part live until it has
        finished (the others keep streaming in parallel meanwhile), then the next.
        ``tick`` is called while waiting, so the page can show progress (and
        Streamlit can act on a Stop click).
        """
        view = self.views[step]
        escaper = StreamEscaper(demote=self.demote)
        over = lambda: self._stage_over(step, stage)  # noqa: E731
        if stage[0] == "repair":
            yield from self._follow(lambda: view.repair_text, over, escaper, tick, lambda: view.repair_round == stage[1])
            return
        same_attempt = lambda: view.attempt == stage[1]  # noqa: E731
        if not view.parts:
            yield from self._follow(lambda: view.text, over, escaper, tick, same_attempt)
            return
        for index, (part, title) in enumerate(view.parts):
            # the same "# Part title" the engine puts over each part when it joins them
            yield escaper.feed(f"{'' if index == 0 else chr(10) * 2}# {title}\n\n")
            part_over = lambda part=part: part in view.parts_done or over()  # noqa: E731
            yield from self._follow(lambda part=part: view.part_texts.get(part, ""), part_over, escaper, tick, same_attempt)
            if view.attempt != stage[1]:
                return

    def _follow(
        self,
        text: Callable[[], str],
        over: Callable[[], bool],
        escaper: StreamEscaper,
        tick: Callable[[], None],
        same_stage: Callable[[], bool],
    ) -> Iterator[str]:
        """Yield new text until the stage ends; text from a later attempt never leaks into this one."""
        sent = 0
        while True:
            with self._lock:
                ended, current = over(), text() if same_stage() else ""
            if len(current) > sent:
                yield escaper.feed(current[sent:])
                sent = len(current)
            if ended:
                return
            self.poll(0.1)
            tick()

    def status_line(self, step: str) -> str:
        """A one-line progress note for the step's card."""
        view = self.views[step]
        if not view.started and not view.repair_round:
            return "Stopping…" if self.stopping else "Waiting for the steps it reads…"
        elapsed = time.monotonic() - (view.started_at or self.started_at)
        if view.repair_round > view.repair_closed:
            return f"Repairing what is missing (round {view.repair_round}) · {len(view.repair_text):,} characters"
        if view.main_ended:
            return "Checking sections…" if not view.failed else "Stopped."
        if view.parts:
            counts = " · ".join(f"{title} {len(view.part_texts.get(part, '')):,}" for part, title in view.parts)
            note = f"Streaming {len(view.parts)} parts in parallel · {elapsed:.0f} s · characters: {counts}"
        else:
            note = f"Streaming · {elapsed:.0f} s · {view.chars:,} characters"
            if view.chars == 0:
                note = f"Waiting for the first tokens · {elapsed:.0f} s"
        if view.attempt > 1:
            note += f" · attempt {view.attempt}"
        return ("Stopping… " if self.stopping else "") + note
