"""History page: past runs with status and cost; reopen, resume, export or delete one."""

from __future__ import annotations

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.api import RunRecord, Studio
from assistant.errors import PlaybookError
from assistant.export import organisation_name
from ui import exporting, runs, session, shell, state
from ui.safety import inert_inline

STATUS_ICON = {"done": "✓", "running": "⏳", "interrupted": "⚠", "cancelled": "⏹", "failed": "✗", "incomplete": "⚠"}


def _company(record: RunRecord) -> str:
    return organisation_name(record.variables) or ""


def _cost(value: float | None) -> str:
    if value is None:
        return "unknown"
    return "free" if value == 0 else f"${value:.4f}"


def _unfinished(studio: Studio, record: RunRecord) -> list[str]:
    """The steps of the run's document set that have not finished (none when its pack is gone)."""
    if record.pack not in studio.library.packs:
        return []
    return studio.resumption(record.id).unfinished


# --- actions (button callbacks) ----------------------------------------------------------------------


def _reopen(run_id: str) -> None:
    here = session.studio()
    runs.reopen(here, here.run(run_id))
    state.flash("success", "Reopened the run: its profile and drafts are loaded. New steps are added to the same run.")


def _resume(run_id: str) -> None:
    here = session.studio()
    plan = here.resumption(run_id)
    runs.reopen(here, here.run(run_id))
    # finished steps of the run are reused by the engine, never requested (or billed) again
    st.session_state[state.PENDING_RUN] = {"kind": "run", "steps": plan.steps if plan.unfinished else [], "run_id": run_id}
    st.session_state["_go_to_chain"] = True


def _delete(run_id: str) -> None:
    try:
        session.studio().delete_run(run_id)
    except PlaybookError as exc:
        state.flash("error", exc.message)
        return
    for space in st.session_state[state.WORKSPACES].values():
        if space.run_id == run_id:
            space.run_id = space.run_fingerprint = None
        for draft in space.drafts.values():
            if draft.run_id == run_id:
                draft.run_id = None
    st.session_state.pop(state.W_HISTORY_RUN, None)
    state.flash("success", f"Deleted run {run_id[:8]}.")


# --- panels ---------------------------------------------------------------------------------------------


def _runs_table(records: list[RunRecord]) -> None:
    rows = [
        {
            "When (UTC)": record.created_at.strftime("%Y-%m-%d %H:%M"),
            "Pack": record.pack,
            "Company": _company(record),
            "Steps": ", ".join(
                f"{STATUS_ICON.get(s.effective_status, '·')} {s.key}" for s in record.steps if ":" not in s.key
            ),
            "Status": f"{STATUS_ICON.get(record.status, '·')} {record.status}",
            "Model": f"{record.provider} · {record.model}",
            "Tokens": (record.usage.input_tokens + record.usage.output_tokens) if record.usage else None,
            "Cost": _cost(record.cost),
            "Run": record.id[:8],
        }
        for record in records
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def _choose_run(records: list[RunRecord]) -> str:
    by_id = {record.id: record for record in records}
    if st.session_state.get(state.W_HISTORY_RUN) not in by_id:
        st.session_state[state.W_HISTORY_RUN] = records[0].id
    return st.selectbox(
        "Run",
        list(by_id),
        key=state.W_HISTORY_RUN,
        format_func=lambda rid: (
            f"{by_id[rid].created_at:%Y-%m-%d %H:%M} · {by_id[rid].pack} · {_company(by_id[rid]) or 'no company'} · "
            f"{by_id[rid].status} · {rid[:8]}"
        ),
    )


def _run_details(record: RunRecord) -> None:
    st.markdown(
        f"**{inert_inline(record.pack)}** · {inert_inline(_company(record) or 'no company')} · "
        f"status **{record.status}** · {inert_inline(record.provider)} · {inert_inline(record.model)} · cost {_cost(record.cost)}"
    )
    if record.provider == "offline":
        st.caption("Offline drafts: composed without a language model.")
    for step in (s for s in record.steps if ":" not in s.key):
        versions = len(step.versions or [])
        usage = f" · {step.usage.input_tokens:,} in / {step.usage.output_tokens:,} out" if step.usage else ""
        st.markdown(
            f"- {STATUS_ICON.get(step.effective_status, '·')} `{step.key}` — {step.effective_status} · "
            f"{len(step.text_or_partial):,} characters · {versions} version(s){usage} · cost {_cost(step.cost)}"
        )
        if step.error:
            st.caption(inert_inline(step.error))


def _run_actions(studio: Studio, record: RunRecord, busy: bool) -> None:
    unfinished = _unfinished(studio, record)
    current = f"{session.provider_name(studio)} · {session.model_name(studio)}"
    if unfinished and current != f"{record.provider} · {record.model}":
        st.caption(
            f"Resuming runs the unfinished steps with {inert_inline(current)} (the sidebar's choice); "
            f"this run was started with {inert_inline(record.provider)} · {inert_inline(record.model)}."
        )
    cols = st.container(horizontal=True, vertical_alignment="center")
    cols.button(
        "Reopen",
        key="history_reopen",
        on_click=_reopen,
        args=(record.id,),
        disabled=busy,
        type="primary",
        help="Load this run's profile and drafts into the Organisation and Chain pages.",
    )
    cols.button(
        "Resume",
        key="history_resume",
        on_click=_resume,
        args=(record.id,),
        disabled=busy or not unfinished,
        help=f"Run {', '.join(unfinished)} into this run with the provider chosen in the sidebar; finished steps are reused, never re-billed."
        if unfinished
        else "Every step of this run finished.",
    )
    confirm = st.session_state.get("history_confirm_delete", False)
    cols.button(
        "Delete",
        key="history_delete",
        on_click=_delete,
        args=(record.id,),
        disabled=busy or not confirm,
        help="Tick “Confirm delete” first. Deleting removes the run and every version of its text.",
    )
    cols.checkbox("Confirm delete", key="history_confirm_delete")


def _run_exports(studio: Studio, record: RunRecord) -> None:
    if record.pack not in studio.library.packs or not any(s.text_or_partial for s in record.steps if ":" not in s.key):
        return
    doc = studio.run_document(record)
    export_row = st.container(horizontal=True)
    for fmt, label in exporting.FORMATS:
        problem = exporting.unavailable(fmt)
        export_row.download_button(
            label,
            icon=":material/download:",
            data=b"" if problem else exporting.download_data(doc, fmt),
            file_name=exporting.file_name(doc.title, fmt),
            mime=exporting.MIME[fmt],
            key=f"history_export_{fmt}",
            on_click="ignore",
            disabled=problem is not None,
            help=problem,
        )


def render() -> None:
    studio = session.studio()
    st.title("Run history")
    st.caption(
        "Every run is recorded as it happens (text is checkpointed while it streams, so a closed tab loses "
        "at most a couple of seconds). API keys are never stored."
    )
    try:
        records = studio.runs(limit=200)
    except PlaybookError as exc:
        st.error(inert_inline(exc.message))
        st.stop()
    if not records:
        st.info("No runs yet. Runs appear here as soon as you run a step on the Chain page.", icon=":material/info:")
        st.stop()
    _runs_table(records)
    record = studio.run(_choose_run(records))
    if st.session_state.pop("_go_to_chain", False):
        st.switch_page("pages/chain.py")
    with st.container(border=True):
        _run_details(record)
        _run_actions(studio, record, busy=runs.active_job() is not None)
        _run_exports(studio, record)


shell.page(render)
