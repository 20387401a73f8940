"""The Publish panel of Review & publish: the approved policy as Zendesk or PagerDuty configuration.

The plan is what ``playbook publish`` prints: with the vendor's credentials in the server's
environment it reads the live account (never writing) and marks each resource create, update or
unchanged; Apply sends it, after a confirmation, for an approved set only. The bodies are shown
as JSON and can be downloaded; an exported configuration can be compared with the policy.
"""

from __future__ import annotations

import json

import streamlit as st

from assistant.api import TARGETS, Publication, ReviewState, Studio
from assistant.errors import PlaybookError
from ui import session, state
from ui.safety import inert_inline

W_TARGET = "publish_target"
W_CONFIRM = "publish_confirm"
RESULT = "_publish_result"
#: the plan of each (set, tool, content, approval), so a rerun does not read the live account again
PLANS = "_publish_plans"
LABELS = {"zendesk": "Zendesk Support", "pagerduty": "PagerDuty"}
MARKS = {"create": "+ create", "update": "~ update", "unchanged": "= unchanged", "blocked": "! blocked"}


def _apply(run_id: str, target: str) -> None:
    try:
        result, _ = session.studio().publishing.publication(run_id, target, apply=True)  # type: ignore[arg-type]
    except PlaybookError as exc:
        state.flash("error", exc.message)
        return
    st.session_state[RESULT] = (run_id, target, result.report)
    st.session_state[W_CONFIRM] = False
    st.session_state.pop(PLANS, None)
    report = result.report
    if report is not None:
        state.flash("success" if report.ok else "warning", report.text().splitlines()[0])


def _plan_table(result: Publication) -> None:
    rows = [
        {"Action": MARKS[c.action], "Kind": c.kind.replace("_", " "), "Name": c.name, "Level": c.level,
         "Changes": ", ".join(c.changed) or c.reason}
        for c in result.plan.changes
    ]
    rows += [{"Action": "- obsolete", "Kind": "", "Name": name, "Level": None, "Changes": "no longer in the policy: left alone"}
             for name in result.plan.obsolete]
    st.dataframe(rows, hide_index=True, width="stretch", key="publish_plan",
                 column_config={"Action": st.column_config.TextColumn(width=110), "Kind": st.column_config.TextColumn(width=120),
                                "Level": st.column_config.NumberColumn(width=60)})


def _report(run_id: str, target: str) -> None:
    """What the last Apply of this set to this tool did, until the page shows another set or tool."""
    kept = st.session_state.get(RESULT)
    if not kept or kept[:2] != (run_id, target) or kept[2] is None:
        return
    st.markdown("**Last apply**")
    st.dataframe([{"Result": o.status, "Kind": o.kind.replace("_", " "), "Name": o.name, "Message": o.message} for o in kept[2].outcomes],
                 hide_index=True, width="stretch", key="publish_report",
                 column_config={"Result": st.column_config.TextColumn(width=90), "Kind": st.column_config.TextColumn(width=120)})


def _plan(studio: Studio, run_id: str, target: str, review: ReviewState) -> Publication:
    approval = review.last_approval.id if review.last_approval else None
    key = (run_id, target, review.content_hash, approval)
    plans = st.session_state.setdefault(PLANS, {})
    if key not in plans:
        plans.clear()
        plans[key] = studio.publishing.publication(run_id, target)[0]  # type: ignore[arg-type]
    return plans[key]


def _bodies(result: Publication, target: str) -> None:
    with st.expander(f"The {len(result.bundle.resources)} request bodies (JSON, checked against the {LABELS[target]} API)"):
        for resource in result.bundle.resources:
            st.caption(f"{resource.kind.replace('_', ' ')} · {inert_inline(resource.name)}")
            st.json(resource.body, expanded=False)
    bodies = {f"{r.kind}:{r.name}": r.body for r in result.bundle.resources}
    st.download_button("Download the bodies (JSON)", data=json.dumps(bodies, indent=2, ensure_ascii=False), file_name=f"{target}-configuration.json",
                       mime="application/json", key="publish_download", on_click="ignore", icon=":material/download:")


def _compare_live(studio: Studio, run_id: str, target: str) -> None:
    with st.expander("Compare with an exported configuration"):
        st.caption("Zendesk: the JSON of the SLA policies (with triggers and groups if you have them). PagerDuty: an escalation policy.")
        upload = st.file_uploader("Exported configuration (JSON)", type=["json"], key=f"publish_import_{target}")
        if upload is None:
            return
        try:
            live, changes = studio.publishing.compare_live(run_id, target, json.loads(upload.getvalue().decode("utf-8")))  # type: ignore[arg-type]
        except (PlaybookError, ValueError) as exc:
            st.error(inert_inline(getattr(exc, "message", None) or f"Not valid JSON: {exc}"))
            return
        st.caption(f"Read {len(live.levels)} levels from the export.")
        if not changes:
            st.success("The live configuration matches the policy.", icon=":material/check_circle:")
            return
        st.warning(f"{len(changes)} differences between the live configuration and the policy.", icon=":material/difference:")
        st.dataframe([{"What": c.subject, "Live": c.before or "—", "Policy": c.after or "—"} for c in changes],
                     hide_index=True, width="stretch", key="publish_differences")


def publish_panel(studio: Studio, run_id: str, review: ReviewState) -> None:
    """The plan for the chosen tool, its bodies, and Apply for an approved set."""
    st.subheader("Publish")
    target = st.segmented_control("Tool", list(TARGETS), key=W_TARGET, format_func=LABELS.get, default="zendesk") or "zendesk"
    if review.last_approval is None:
        st.info("Not approved yet: this is the policy the draft states. Approve the set to apply it.", icon=":material/info:")
    configured = studio.publishing.configured(target)  # type: ignore[arg-type]
    if not configured:
        st.caption(f"No {LABELS[target]} credentials in the server's environment: the plan lists everything as new and Apply is off "
                   "(see docs/publishing.md).")
    try:
        result = _plan(studio, run_id, target, review)
    except PlaybookError as exc:
        st.error(inert_inline(exc.message))
        return
    st.code(result.plan.text().splitlines()[0], language=None, wrap_lines=True)
    row = st.container(horizontal=True, vertical_alignment="center")
    row.button("Read the live configuration again", key="publish_refresh", on_click=lambda: st.session_state.pop(PLANS, None),
               disabled=not configured)
    allowed = configured and result.plan.pending and review.last_approval is not None and (studio.reviews.personal or studio.viewer.admin)
    row.checkbox("I have read the plan", key=W_CONFIRM, disabled=not allowed)
    row.button(f"Apply to {LABELS[target]}", key="publish_apply", type="primary", on_click=_apply, args=(run_id, target),
               disabled=not (allowed and st.session_state.get(W_CONFIRM)), icon=":material/publish:")
    _report(run_id, target)
    _plan_table(result)
    if result.bundle.notes:
        with st.expander(f"{len(result.bundle.notes)} conditions are matched by tags, not ticket fields"):
            for note in result.bundle.notes:
                st.caption(inert_inline(note))
    _bodies(result, target)
    _compare_live(studio, run_id, target)
