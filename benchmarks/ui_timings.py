"""App timings for the benchmark: first render, and first token on the page.

First render: the app script run through Streamlit's AppTest (cold: the first
run in this process, which includes the app's own imports; warm: a rerun).

First token on the page: a playbook run on a worker thread through the UI's
streaming bridge (``ui.streaming.ChainJob``), with a scripted provider whose
time to first token is known; the figure is the time until the first text
reaches the generator ``st.write_stream`` consumes, minus that provider time.
"""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_TTFT = 0.5


def first_render() -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=120)
    started = time.perf_counter()
    app.run()
    cold = time.perf_counter() - started
    assert not app.exception, app.exception
    warm = []
    for _ in range(5):
        started = time.perf_counter()
        app.run()
        warm.append(time.perf_counter() - started)
    return {"app_first_render_seconds": round(cold, 3), "app_rerun_seconds": round(statistics.median(warm), 3)}


def first_token_added(rounds: int = 5) -> dict[str, float]:
    from assistant.chain import ChainRunner, RunOptions
    from assistant.providers.scripted import ScriptedProvider, ScriptedReply
    from assistant.packs import prepare_variables
    from assistant.packs import PackLibrary
    from ui.streaming import ChainJob, StepView

    pack = PackLibrary().get("escalation-procedure")
    variables = prepare_variables(pack, pack.example)
    reply = ScriptedReply(chunks=["## 1) Escalation Levels & Definitions\n", "Level 0 ..."] * 50, first_delay=PROVIDER_TTFT)
    added = []
    for _ in range(rounds):
        provider = ScriptedProvider([reply])
        cancel = threading.Event()
        runner = ChainRunner(pack, provider, model="scripted", variables=variables,
                             options=RunOptions(max_repair_rounds=0), cancel=cancel)
        job = ChainJob("run", [StepView(step="playbook", title="Playbook")],
                       lambda emit: runner.run(["playbook"], on_event=emit), cancel)
        started = time.perf_counter()
        job.start()
        while not job.stages("playbook"):
            job.poll(0.01)
        for text in job.text_stream("playbook", job.stages("playbook")[0]):
            if text:
                added.append(time.perf_counter() - started - PROVIDER_TTFT)
                break
        job.wait()
    return {"first_token_added_ms": round(statistics.median(added) * 1000, 1)}


def measure() -> dict[str, Any]:
    import sys

    sys.path.insert(0, str(ROOT))
    return {**first_render(), **first_token_added()}
