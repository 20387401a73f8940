"""Calibration page: test the playbook's escalation triggers on ticket history (seed 004, refinement 1).

Tickets in, the policy as an editable table (or YAML), the share each level would catch against
the 5–10% / 0.5–2% bands, the tickets that flip if a threshold moves, suggested changes with
Apply, and a "Calibration" appendix written into this session's playbook draft.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.analytics.calibration import (
    apply_suggestions,
    calibrate,
    calibration_appendix,
    flip_examples,
    with_calibration_appendix,
)
from assistant.errors import PlaybookError
from assistant.analytics.policy import (
    EscalationPolicy,
    dump_policy_yaml,
    format_number,
    obtain_policy,
    parse_policy_yaml,
    policy_from_rows,
    policy_from_variables,
    policy_to_rows,
)
from assistant.analytics.tickets import CONDITION_COLUMNS, TicketTable
from assistant.api import Studio
from ui import runs, session, shell, state, tickets_input
from ui.safety import inert_inline

if TYPE_CHECKING:
    from assistant.analytics.calibration import CalibrationReport

PACK = "escalation-procedure"
POLICY = "analytics_policy"
REPORT = "_analytics_report"
EDITOR_VERSION = "_analytics_editor_version"
W_DERIVE = "cal_policy_derive"
W_EXTRACT = "cal_policy_extract"
W_UPLOAD = "cal_policy_upload"
W_DOWNLOAD = "cal_policy_download"
W_APPLY = "cal_apply"
W_APPENDIX = "cal_add_appendix"
W_FLIP_CONDITION = "cal_flip_condition"
W_FLIP_THRESHOLD = "cal_flip_threshold"
OPS = [">", ">=", "<", "<=", "==", "!=", "in", "not_in", "is_true", "is_false"]


def _variables(studio: Studio) -> dict:
    pack = studio.pack(PACK)
    variables, _ = session.prepared(studio, pack, state.workspace(PACK).values)
    return variables or {}


def _set_policy(policy: EscalationPolicy) -> None:
    st.session_state[POLICY] = policy
    st.session_state[EDITOR_VERSION] = st.session_state.get(EDITOR_VERSION, 0) + 1
    st.session_state.pop(REPORT, None)


def _derive() -> None:
    _set_policy(policy_from_variables(_variables(session.studio())))


def _extract() -> None:
    here = session.studio()
    draft = state.workspace(PACK).drafts.get("playbook")
    try:
        policy = obtain_policy(
            session.provider(here), draft.text if draft else "", _variables(here), model=session.model_name(here)
        )
    except PlaybookError as exc:
        state.flash("error", exc.message)
        return
    _set_policy(policy)
    state.flash("success", f"Policy taken from the playbook draft ({policy.source}).")


def _upload() -> None:
    upload = st.session_state.get(W_UPLOAD)
    if upload is None:
        return
    try:
        _set_policy(parse_policy_yaml(upload.getvalue().decode("utf-8"), upload.name))
    except (PlaybookError, UnicodeDecodeError) as exc:
        state.flash("error", getattr(exc, "message", f"{upload.name} is not UTF-8 text."))


def _apply() -> None:
    report = st.session_state.get(REPORT)
    if report is not None:
        _set_policy(apply_suggestions(st.session_state[POLICY], report[1].suggestions))
        state.flash("success", "Suggested changes applied; the results below are re-counted with the calibrated policy.")


def _add_appendix() -> None:
    here = session.studio()
    report = st.session_state.get(REPORT)
    ws = state.workspace(PACK)
    draft = ws.drafts.get("playbook")
    if report is None or draft is None or not draft.text.strip():
        return
    text = with_calibration_appendix(draft.text, calibration_appendix(report[1], st.session_state[POLICY]))
    runs.save_edit(here, here.pack(PACK), "playbook", text, kind="calibrated")
    state.flash("success", "The Calibration appendix is in the playbook draft (a new version on the Chain page).")


def _policy_buttons(policy: EscalationPolicy, has_draft: bool) -> None:
    """Derive, extract, download or upload the policy as a whole."""
    buttons = st.columns(3)
    buttons[0].button(
        "Derive from the organisation profile", key=W_DERIVE, on_click=_derive, icon=":material/auto_fix_high:"
    )
    buttons[1].button(
        "Extract from the playbook draft",
        key=W_EXTRACT,
        on_click=_extract,
        disabled=not has_draft,
        icon=":material/data_object:",
        help="Asks the model for the triggers as JSON (structured output); offline, derives them from the profile.",
    )
    buttons[2].download_button(
        "Policy as YAML",
        data=dump_policy_yaml(policy),
        file_name="escalation-policy.yaml",
        mime="application/x-yaml",
        key=W_DOWNLOAD,
        on_click="ignore",
        icon=":material/download:",
    )
    st.file_uploader("Load a policy YAML", type=["yaml", "yml"], key=W_UPLOAD, on_change=_upload)


def _policy_tables(policy: EscalationPolicy) -> EscalationPolicy:
    """The levels and their trigger conditions as two editable tables; returns the policy they describe now."""
    rows, targets = policy_to_rows(policy)
    version = st.session_state.get(EDITOR_VERSION, 0)
    edited_targets = st.data_editor(
        targets,
        key=f"cal_targets__{version}",
        num_rows="dynamic",
        column_config={
            "level": st.column_config.NumberColumn("Level", min_value=1, max_value=4, step=1),
            "name": st.column_config.TextColumn("Name"),
            "match": st.column_config.SelectboxColumn("Triggers combine", options=["any", "all"]),
            "ack_minutes": st.column_config.NumberColumn("Ack (min)", min_value=1),
            "update_minutes": st.column_config.NumberColumn("Update every (min)", min_value=1),
            "resolution_minutes": st.column_config.NumberColumn("Resolve within (min)", min_value=1),
        },
        width="stretch",
    )
    edited_rows = st.data_editor(
        rows,
        key=f"cal_conditions__{version}",
        num_rows="dynamic",
        column_config={
            "level": st.column_config.NumberColumn("Level", min_value=1, max_value=4, step=1),
            "trigger": st.column_config.TextColumn("Trigger (same name = one trigger)"),
            "trigger_match": st.column_config.SelectboxColumn("Conditions combine", options=["all", "any"]),
            "column": st.column_config.SelectboxColumn("Field", options=sorted(CONDITION_COLUMNS)),
            "op": st.column_config.SelectboxColumn("Operator", options=OPS),
            "value": st.column_config.TextColumn("Threshold or values (comma-separated)"),
        },
        width="stretch",
    )
    try:
        edited = policy_from_rows(edited_rows, edited_targets, base=policy)
    except PlaybookError as exc:
        st.error(inert_inline(exc.message), icon=":material/error:")
        st.stop()
    if edited.model_dump(exclude={"source"}) != policy.model_dump(exclude={"source"}):
        st.session_state[POLICY] = edited
        st.session_state.pop(REPORT, None)
        return edited
    return policy


def _policy_panel(studio: Studio, has_draft: bool) -> EscalationPolicy:
    """The policy being calibrated: where it came from, the whole-policy buttons, the editable tables."""
    if POLICY not in st.session_state:
        st.session_state[POLICY] = policy_from_variables(_variables(studio))
    policy: EscalationPolicy = st.session_state[POLICY]
    st.header("Escalation policy")
    st.caption(
        f"{inert_inline(policy.title)} · source: {policy.source}. A ticket counts at the highest level whose triggers it meets."
    )
    _policy_buttons(policy, has_draft)
    return _policy_tables(policy)


def _counted(table: TicketTable, policy: EscalationPolicy) -> CalibrationReport:
    """The calibration of this table under this policy, counted once and kept until either changes."""
    key = (id(table), policy.model_dump_json())
    cached = st.session_state.get(REPORT)
    if cached is None or cached[0] != key:
        with st.spinner("Counting…"):
            cached = (key, calibrate(table, policy))
        st.session_state[REPORT] = cached
    return cached[1]


def _rates(report: CalibrationReport) -> None:
    """The escalation rates against their target bands, and how often the history itself escalated."""
    columns = st.columns(len(report.bands) + 1)
    for column, band in zip(columns, report.bands):
        column.metric(
            band.label,
            f"{band.rate:.2%}",
            f"target {band.low:.1%}–{band.high:.1%} · {band.verdict}",
            delta_color="off" if band.verdict == "within" else "red",
            # the arrow says which side of the band the rate is on (none inside it)
            delta_arrow={"above": "up", "below": "down"}.get(band.verdict, "off"),
            border=True,
        )
    if report.history_escalation_rate is not None:
        columns[-1].metric(
            "History escalated",
            f"{report.history_escalation_rate:.2%}",
            f"agreement {report.agreement:.0%}" if report.agreement is not None else None,
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
    if report.ok:
        st.success("Both rates are inside their target bands.", icon=":material/check_circle:")


def _results(report: CalibrationReport) -> None:
    """The rates, then each level's share of the tickets and its verdict."""
    st.header("Results")
    _rates(report)
    st.dataframe(
        [
            {
                "Level": f"Level {lv.level}",
                "Name": lv.name,
                "Tickets": lv.count,
                "Share": f"{lv.rate:.2%}",
                "This level or higher": f"{lv.cumulative_rate:.2%}",
                "Target": f"{lv.target_band.low:.1%}–{lv.target_band.high:.1%}",
                "Verdict": lv.verdict,
                "History": lv.history_count,
            }
            for lv in report.levels
        ],
        hide_index=True,
        width="stretch",
    )
    for warning in report.warnings:
        st.warning(inert_inline(warning), icon=":material/warning:")


def _flip_explorer(table: TicketTable, policy: EscalationPolicy, report: CalibrationReport) -> None:
    """Pick one condition and a new threshold; see the tickets that would change level."""
    labels = {
        f"{s.level}:{s.trigger_index}:{s.condition_index}": f"L{s.level} · {s.trigger} · {s.column} {s.op} {format_number(s.threshold)}"
        for s in report.sensitivity
    }
    if st.session_state.get(W_FLIP_CONDITION) not in labels:
        st.session_state[W_FLIP_CONDITION] = next(iter(labels))
    left, right = st.columns([3, 1])
    chosen = left.selectbox("Which tickets flip?", list(labels), format_func=labels.get, key=W_FLIP_CONDITION)
    level, ti, ci = (int(x) for x in chosen.split(":"))
    current = next(s for s in report.sensitivity if (s.level, s.trigger_index, s.condition_index) == (level, ti, ci))
    moved = right.number_input(
        "New threshold", value=float(current.flips[-1].threshold), key=f"{W_FLIP_THRESHOLD}__{chosen}"
    )
    examples = flip_examples(table, policy, (level, ti, ci), float(moved))
    if examples:
        st.dataframe(examples, hide_index=True, width="stretch")
    else:
        st.caption("No ticket changes level at that threshold.")


def _sensitivity(table: TicketTable, policy: EscalationPolicy, report: CalibrationReport) -> None:
    """How many tickets change level when one threshold moves, and which ones."""
    if not report.sensitivity:
        return
    st.markdown("**Tickets that change level if one threshold moves**")
    st.dataframe(
        [
            {
                "Level": s.level,
                "Condition": f"{s.column} {s.op} {format_number(s.threshold)}",
                **{f"{f.change:+.0%}": f.flipped for f in s.flips},
            }
            for s in report.sensitivity
        ],
        hide_index=True,
        width="stretch",
    )
    _flip_explorer(table, policy, report)


def _suggestions(report: CalibrationReport) -> None:
    """What to change, with one button applying every change that is more than advice."""
    if not report.suggestions:
        return
    st.header("Suggested changes")
    for suggestion in report.suggestions:
        (st.info if suggestion.kind != "advice" else st.warning)(inert_inline(suggestion.reason))
    if any(s.kind != "advice" for s in report.suggestions):
        st.button("Apply and re-run", key=W_APPLY, on_click=_apply, type="primary", icon=":material/tune:")


def _appendix(report: CalibrationReport, policy: EscalationPolicy, has_draft: bool) -> None:
    """The calibration as a Markdown appendix, and the button that writes it into the playbook draft."""
    st.header("Feed it back into the playbook")
    appendix = calibration_appendix(report, policy)
    with st.expander("Calibration appendix (Markdown)"):
        st.code(appendix, language="markdown", wrap_lines=True)
    if has_draft:
        st.button(
            "Add Calibration appendix to playbook draft",
            key=W_APPENDIX,
            on_click=_add_appendix,
            icon=":material/post_add:",
            help="Appends (or replaces) a '## Calibration' section in this session's playbook draft.",
        )
    else:
        st.caption(
            "No playbook draft in this session yet: run the playbook step on the Chain page, then add the appendix here."
        )


def render() -> None:
    studio = session.studio()
    st.title("Calibrate escalation triggers")
    st.caption(
        "Count how many past tickets each level's triggers would catch. Mature teams escalate about 5–10% of tickets "
        "and send 0.5–2% to Level 3 or above (seed refinement 1)."
    )
    table = tickets_input.current_table()
    if table is None:
        st.stop()
    has_draft = state.workspace(PACK).has("playbook")
    policy = _policy_panel(studio, has_draft)
    report = _counted(table, policy)
    _results(report)
    _sensitivity(table, policy, report)
    _suggestions(report)
    _appendix(report, policy, has_draft)


shell.page(render)
