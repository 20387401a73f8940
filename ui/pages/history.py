"""History page: the document sets a person may see (their own and their team's), with status,
owner and cost; reopen, resume, share, export or delete one. ``?run=ID`` in the address selects
a set, and reads as not found for anyone it is not shared with."""

from __future__ import annotations

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.api import RunRecord, Studio
from assistant.errors import PlaybookError, RunNotFoundError
from assistant.export import organisation_name
from ui import access, exporting, runs, session, shell, state
from ui.safety import inert_inline

#: the set id last taken from the address, and the set whose sharing the selectbox shows
LINKED = "_history_linked"
SHARE_SHOWN = "_history_share_shown"
STATUS_ICON = {"done": "✓", "running": "⏳", "interrupted": "⚠", "cancelled": "⏹", "failed": "✗", "incomplete": "⚠"}


def _company(record: RunRecord) -> str:
    return organisation_name(record.variables) or ""


def _owner(record: RunRecord) -> str:
    return record.owner_email or record.owner or ""


def _cost(value: float | None) -> str:
    if value is None:
        return "unknown"
    return "free" if value == 0 else f"${value:.4f}"


def _step_title(studio: Studio, record: RunRecord, step_id: str) -> str:
    pack = studio.library.packs.get(record.pack)
    return next((s.title for s in pack.steps if s.id == step_id), step_id) if pack else step_id


# --- actions (button callbacks) ----------------------------------------------------------------------


def _reopen(run_id: str) -> None:
    here = session.studio()
    try:
        runs.reopen(here, here.run(run_id))
    except PlaybookError as exc:
        state.flash("error", exc.message)
        return
    state.flash("success", "Reopened the run: its profile and drafts are loaded. New steps are added to the same run.")


def _resume(run_id: str) -> None:
    here = session.studio()
    try:
        plan = here.resumption(run_id)
        runs.reopen(here, here.writable(run_id))
    except PlaybookError as exc:
        state.flash("error", exc.message)
        return
    # finished steps of the run are reused by the engine, never requested (or billed) again
    st.session_state[state.PENDING_RUN] = {"kind": "run", "steps": plan.steps if plan.unfinished else [], "run_id": run_id}
    st.session_state["_go_to_chain"] = True


def _share(run_id: str) -> None:
    team = st.session_state.get(state.W_HISTORY_SHARE) or None
    try:
        session.studio().share(run_id, team)
    except PlaybookError as exc:
        state.flash("error", exc.message)
        return
    state.flash("success", f"Shared with: {access.team_label(team)}." if team else "No longer shared: only its owner (and admins) see it.")


def _delete(run_id: str) -> None:
    try:
        session.studio().delete_run(run_id)
    except PlaybookError as exc:
        state.flash("error", exc.message)
        return
    for space in st.session_state[state.WORKSPACES].values():
        if space.run_id == run_id:
            space.run_id, space.drafts = None, {}
    st.session_state.pop(state.W_HISTORY_RUN, None)
    state.flash("success", f"Deleted run {run_id[:8]}.")


# --- panels ---------------------------------------------------------------------------------------------


def _runs_table(studio: Studio, records: list[RunRecord]) -> None:
    """One row per document set; the columns that matter first so Status never leaves the screen."""
    rows = [
        {
            "Document set": studio.set_name(record),
            "Status": f"{STATUS_ICON.get(record.status, '·')} {record.status}",
            "Steps": ", ".join(
                f"{STATUS_ICON.get(s.effective_status, '·')} {_step_title(studio, record, s.key)}"
                for s in record.steps
                if ":" not in s.key
            ),
            "Owner": _owner(record),
            "Shared with": access.team_label(record.shared_with) if record.shared_with else "",
            "Labels": ", ".join(record.labels),
            "Updated (UTC)": record.updated_at.strftime("%Y-%m-%d %H:%M"),
            "Tokens": (record.usage.input_tokens + record.usage.output_tokens) if record.usage else None,
            "Cost": _cost(record.cost),
        }
        for record in records
    ]
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            "Document set": st.column_config.TextColumn(width="medium"),
            "Steps": st.column_config.TextColumn(width="large"),
            "Tokens": st.column_config.NumberColumn(format="localized"),
        },
    )


def _choose_run(studio: Studio, records: list[RunRecord]) -> str:
    by_id = {record.id: record for record in records}
    if st.session_state.get(state.W_HISTORY_RUN) not in by_id:
        st.session_state[state.W_HISTORY_RUN] = records[0].id
    return st.selectbox(
        "Document set",
        list(by_id),
        key=state.W_HISTORY_RUN,
        format_func=lambda rid: f"{studio.set_name(by_id[rid])} · {by_id[rid].status} · {by_id[rid].updated_at:%Y-%m-%d %H:%M}",
    )


def _linked(studio: Studio, records: list[RunRecord]) -> list[RunRecord]:
    """A set named in the address (``?run=ID``) is selected when the person may see it; any other id,
    whether it exists or not, reads as not found."""
    wanted = (st.query_params.get("run") or "")[:64]
    if not wanted or wanted == st.session_state.get(LINKED):
        return records
    if not any(r.id == wanted for r in records):
        try:
            records = [studio.run(wanted), *records]
        except RunNotFoundError:
            st.error(
                f"No document set “{inert_inline(wanted)}” here: it may have been deleted, or it is not shared with you.",
                icon=":material/search_off:",
            )
            del st.query_params["run"]
            return records
    st.session_state[state.W_HISTORY_RUN] = wanted
    st.session_state[LINKED] = wanted
    return records


def _link_to(run_id: str) -> None:
    """Keep the selected set in the address, so it can be bookmarked or sent to the team."""
    st.query_params["run"] = run_id
    st.session_state[LINKED] = run_id


def _sharing(studio: Studio, record: RunRecord) -> None:
    """Who the set belongs to and who else sees it; its owner (or an admin) shares or stops sharing."""
    teams = sorted(studio.viewer.teams | ({record.shared_with} if record.shared_with else set()))
    if not studio.viewer.owns(record) or not teams:
        shared = f" · Shared with: {inert_inline(access.team_label(record.shared_with))}" if record.shared_with else ""
        st.caption(f"Owner: {inert_inline(_owner(record))}{shared}")
        return
    if st.session_state.get(SHARE_SHOWN) != (record.id, record.shared_with):
        st.session_state[state.W_HISTORY_SHARE] = record.shared_with or ""
        st.session_state[SHARE_SHOWN] = (record.id, record.shared_with)
    st.selectbox(
        "Shared with",
        ["", *teams],
        key=state.W_HISTORY_SHARE,
        format_func=access.team_label,
        on_change=_share,
        args=(record.id,),
        help="The team can open, resume, edit and export the set; only its owner (or an admin) deletes it or changes this.",
    )
    st.caption(f"Owner: {inert_inline(_owner(record))}")


def _rename(run_id: str) -> None:
    title = st.session_state.get("history_title", "")
    labels = st.session_state.get("history_labels", [])
    try:
        session.studio().rename(run_id, title=title, labels=list(labels))
    except PlaybookError as exc:
        state.flash("error", exc.message)


def _name_and_labels(studio: Studio, record: RunRecord) -> None:
    """The set's name and labels, editable in place."""
    if st.session_state.get("_history_named") != record.id:
        st.session_state["history_title"] = studio.set_name(record)
        st.session_state["history_labels"] = list(record.labels)
        st.session_state["_history_named"] = record.id
    name, labels = st.columns([3, 2])
    name.text_input("Name", key="history_title", max_chars=200, on_change=_rename, args=(record.id,))
    known = sorted({label for r in studio.runs(limit=200) for label in r.labels} | set(record.labels))
    labels.multiselect(
        "Labels", known, key="history_labels", accept_new_options=True, on_change=_rename, args=(record.id,),
        help="Type a new label and press Enter to add it.",
    )


def _run_details(studio: Studio, record: RunRecord) -> None:
    """Status, figures, then each step: its current version, how it was made, whether it is current."""
    st.markdown(
        f"**{inert_inline(record.pack)}** · {inert_inline(_company(record) or 'no company')} · "
        f"status **{record.status}** · tokens {(record.usage.input_tokens + record.usage.output_tokens) if record.usage else 0:,} · cost {_cost(record.cost)}"
    )
    if record.lease_owner:
        st.info(f"Running now ({inert_inline(record.lease_owner)}); it cannot be resumed or changed until it ends.")
    for step in studio.document_set(record):
        version = f"v{step.current.number} of {len(step.versions)}" if step.current else "no version yet"
        usage = f" · {step.usage.input_tokens:,} in / {step.usage.output_tokens:,} out" if step.usage else ""
        mark = STATUS_ICON.get(step.status if not step.stale else "incomplete", "·")
        st.markdown(
            f"- {mark} **{inert_inline(step.title)}** — {inert_inline(version)} · {inert_inline(step.made)} · "
            f"{step.status}{usage} · cost {_cost(step.cost)}"
        )
        if step.stale:
            st.caption("Out of date: " + inert_inline("; ".join(step.stale)))
        if step.error:  # as the step's card shows it: an error to act on, not a footnote
            st.error(inert_inline(step.error), icon=":material/error:")
    if any(s.current is not None and s.current.offline for s in studio.document_set(record)):
        st.caption("Offline drafts: composed without a language model.")


def _run_actions(studio: Studio, record: RunRecord, busy: bool) -> None:
    unfinished = [_step_title(studio, record, s) for s in studio.unfinished(record)]
    busy = busy or record.lease_owner is not None
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
    if not studio.viewer.owns(record):
        cols.button("Delete", key="history_delete", disabled=True, help="Only its owner or an admin may delete it.")
        st.caption(f"Only its owner ({inert_inline(_owner(record))}) or an admin may delete this set or change who it is shared with.")
        return
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
    if record.pack not in studio.library.packs:
        return
    doc = studio.run_document(record)
    if doc is None:
        return
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
            on_click=exporting.record_export,
            args=(record.id, fmt),
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
    search = st.text_input("Search", key="history_search", placeholder="Name, organisation, label, owner or pack")
    try:
        records = _linked(studio, studio.runs(limit=200, search=search))
    except PlaybookError as exc:
        st.error(inert_inline(exc.message))
        st.stop()
    if not records:
        st.info(
            "No document set matches." if search else "No runs yet. Runs appear here as soon as you run a step on the Chain page.",
            icon=":material/info:",
        )
        st.stop()
    _runs_table(studio, records)
    record = studio.run(_choose_run(studio, records))
    _link_to(record.id)
    if st.session_state.pop("_go_to_chain", False):
        st.switch_page("pages/chain.py")
    with st.container(border=True):
        _name_and_labels(studio, record)
        _sharing(studio, record)
        _run_details(studio, record)
        _run_actions(studio, record, busy=runs.active_job() is not None)
        _run_exports(studio, record)

shell.page(render)
