"""History page: past runs with status and cost; reopen, resume, export or delete one."""

from __future__ import annotations

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.errors import PlaybookError
from assistant.export import default_title, document_from_record, organisation_name
from ui import exporting, runs, session, shell, state
from ui.safety import inert_inline


def render() -> None:
    studio = session.studio()
    busy = runs.active_job() is not None

    st.title("Run history")
    st.caption(
        "Every run is recorded as it happens (text is checkpointed while it streams, so a closed tab loses "
        "at most a couple of seconds). API keys are never stored."
    )

    try:
        records = studio.store.list_runs(limit=200)
    except PlaybookError as exc:
        st.error(inert_inline(exc.message))
        st.stop()

    if not records:
        st.info("No runs yet. Runs appear here as soon as you run a step on the Chain page.", icon=":material/info:")
        st.stop()

    def _company(variables: dict) -> str:
        return organisation_name(variables) or ""

    def _cost(value: float | None) -> str:
        if value is None:
            return "unknown"
        return "free" if value == 0 else f"${value:.4f}"

    STATUS_ICON = {"done": "✓", "running": "⏳", "interrupted": "⚠", "cancelled": "⏹", "failed": "✗", "incomplete": "⚠"}
    rows = [
        {
            "When (UTC)": record.created_at.strftime("%Y-%m-%d %H:%M"),
            "Pack": record.pack,
            "Company": _company(record.variables),
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

    by_id = {record.id: record for record in records}
    if st.session_state.get(state.W_HISTORY_RUN) not in by_id:
        st.session_state[state.W_HISTORY_RUN] = records[0].id
    chosen = st.selectbox(
        "Run",
        list(by_id),
        key=state.W_HISTORY_RUN,
        format_func=lambda rid: (
            f"{by_id[rid].created_at:%Y-%m-%d %H:%M} · {by_id[rid].pack} · {_company(by_id[rid].variables) or 'no company'} · "
            f"{by_id[rid].status} · {rid[:8]}"
        ),
    )
    record = studio.store.get_run(chosen)

    def _reopen(run_id: str) -> None:
        here = session.studio()
        runs.reopen(here, here.store.get_run(run_id))
        state.flash(
            "success", "Reopened the run: its profile and drafts are loaded. New steps are added to the same run."
        )

    def _to_finish(record) -> list[str]:
        """The run's planned steps plus the pack's default steps, in manifest order, if any is unfinished."""
        pack = studio.library.packs.get(record.pack)
        if pack is None:
            return []
        planned = set((record.options or {}).get("steps") or []) | {s.id for s in pack.default_steps}
        done = {s.key for s in record.steps if s.effective_status == "done" and ":" not in s.key}
        steps = [s.id for s in pack.steps if s.id in planned]
        return steps if any(s not in done for s in steps) else []

    def _resume(run_id: str) -> None:
        here = session.studio()
        stored = here.store.get_run(run_id)
        steps = _to_finish(stored)
        runs.reopen(here, stored)
        # finished steps of the run are reused by the engine, never requested (or billed) again
        st.session_state[state.PENDING_RUN] = {"kind": "run", "steps": steps, "run_id": run_id}
        st.session_state["_go_to_chain"] = True

    def _delete(run_id: str) -> None:
        here = session.studio()
        try:
            here.store.delete_run(run_id)
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

    if st.session_state.pop("_go_to_chain", False):
        st.switch_page("pages/chain.py")

    with st.container(border=True):
        st.markdown(
            f"**{inert_inline(record.pack)}** · {inert_inline(_company(record.variables) or 'no company')} · "
            f"status **{record.status}** · {inert_inline(record.provider)} · {inert_inline(record.model)} · cost {_cost(record.cost)}"
        )
        if record.provider == "offline":
            st.caption("Offline drafts: composed without a language model.")
        steps = [s for s in record.steps if ":" not in s.key]
        for step in steps:
            versions = len(step.versions or [])
            usage = f" · {step.usage.input_tokens:,} in / {step.usage.output_tokens:,} out" if step.usage else ""
            st.markdown(
                f"- {STATUS_ICON.get(step.effective_status, '·')} `{step.key}` — {step.effective_status} · "
                f"{len(step.text_or_partial):,} characters · {versions} version(s){usage} · cost {_cost(step.cost)}"
            )
            if step.error:
                st.caption(inert_inline(step.error))
        unfinished = _to_finish(record)
        resumable = bool(unfinished)
        current = f"{session.provider_name(studio)} · {session.model_name(studio)}"
        if resumable and current != f"{record.provider} · {record.model}":
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
            disabled=busy or not resumable,
            help=f"Run {', '.join(unfinished)} into this run with the provider chosen in the sidebar; finished steps are reused, never re-billed."
            if resumable
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
        pack = studio.library.packs.get(record.pack)
        if pack is not None and any(s.text_or_partial for s in steps):
            titles = {s.id: s.title for s in pack.steps}
            doc = document_from_record(record, titles, default_title(pack.title, _company(record.variables) or None))
            export_row = st.container(horizontal=True)
            for fmt, label in (("md", "Markdown"), ("docx", "Word"), ("html", "HTML")):
                export_row.download_button(
                    label,
                    icon=":material/download:",
                    data=exporting.cached_bytes(doc, fmt),
                    file_name=exporting.file_name(doc.title, fmt),
                    mime=exporting.MIME[fmt],
                    key=f"history_export_{fmt}",
                    on_click="ignore",
                )


shell.page(render)
