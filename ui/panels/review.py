"""The review panel of Review & publish: where a set stands, its review history, and the next step.

A person alone gets one "Mark approved"; in a team, the author submits, a reviewer comments on
a step's section, sends the set back or approves it, and two approvals can be compared in policy
terms. Every action goes through ``Studio.reviews``, which enforces who may do what.
"""

from __future__ import annotations

import streamlit as st

from assistant.api import ReviewState, Studio, approval_line
from assistant.errors import PlaybookError
from ui import session, state
from ui.safety import inert_inline

STATUS_ICONS = {"draft": ":material/edit_note:", "in_review": ":material/rate_review:",
                "changes_requested": ":material/undo:", "approved": ":material/verified:"}
W_NOTE = "review_note"
W_COMMENT = "review_comment"
W_STEP = "review_comment_step"
W_SECTION = "review_comment_section"


def _act(action: str, run_id: str) -> None:
    """A button's callback: the review step, then a message for the next page drawn."""
    reviews = session.studio().reviews
    note = str(st.session_state.get(W_NOTE, "")).strip()
    try:
        if action == "submit":
            reviews.submit(run_id, note)
            done = "Submitted for review."
        elif action == "approve":
            done = approval_line(reviews.approve(run_id, note)) + "."
        elif action == "changes":
            reviews.request_changes(run_id, note)
            done = "Sent back to the author."
        else:
            step = st.session_state.get(W_STEP) or None
            reviews.comment(run_id, str(st.session_state.get(W_COMMENT, "")), step=step, section=st.session_state.get(W_SECTION) or None)
            st.session_state[W_COMMENT] = ""
            done = "Comment added."
    except PlaybookError as exc:
        state.flash("error", exc.message)
        return
    if action != "comment":
        st.session_state[W_NOTE] = ""
    state.flash("success", done)


def _status(review: ReviewState) -> None:
    versions = ", ".join(f"{step} v{number}" for step, number in review.versions.items()) or "nothing written yet"
    text = f"**{review.label}** · version `{review.content_hash[:8]}`: {inert_inline(versions)}"
    if review.approval is not None:
        st.success(inert_inline(approval_line(review.approval)), icon=STATUS_ICONS["approved"])
    else:
        st.markdown(text)
        if review.last_approval is not None:
            st.caption("Edited since the last approval, so this is a new draft. Last approved: " + inert_inline(approval_line(review.last_approval)))


def _history(review: ReviewState) -> None:
    rows = [
        {
            "When (UTC)": f"{entry.at:%Y-%m-%d %H:%M}",
            "Who": entry.shown,
            "What": entry.action.replace("_", " "),
            "Note": entry.body or "",
            "About": " § ".join(part for part in (entry.step, entry.section) if part) or "the set",
            "Version": entry.content_hash[:8],
        }
        for entry in reversed(review.entries)
    ]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", key="review_history")


def _actions(studio: Studio, run_id: str, review: ReviewState) -> None:
    personal = studio.reviews.personal
    st.text_area("Note (a reason, what has to change)", key=W_NOTE, max_chars=4000, height=80)
    row = st.container(horizontal=True)
    if personal:
        row.button("Mark approved", key="review_approve", type="primary", on_click=_act, args=("approve", run_id),
                   disabled=review.status == "approved" or not review.versions, icon=":material/verified:")
        return
    mine = review.submitted_by is not None and review.submitted_by.actor == studio.viewer.owner
    row.button("Submit for review", key="review_submit", on_click=_act, args=("submit", run_id),
               disabled=review.status in ("in_review", "approved") or not review.versions)
    row.button("Approve", key="review_approve", type="primary", on_click=_act, args=("approve", run_id),
               disabled=review.status != "in_review" or mine, icon=":material/verified:",
               help="You submitted this set; someone else approves it." if mine else None)
    row.button("Request changes", key="review_request_changes", on_click=_act, args=("changes", run_id),
               disabled=review.status != "in_review" or mine)


def _comment(studio: Studio, run_id: str, steps: list[str]) -> None:
    with st.expander("Comment on a section"):
        where = st.columns(2)
        where[0].selectbox("Step", ["", *steps], key=W_STEP, format_func=lambda s: s or "the whole set")
        where[1].text_input("Section", key=W_SECTION, placeholder="e.g. levels, routing", max_chars=200)
        st.text_area("Comment", key=W_COMMENT, max_chars=4000, height=80)
        st.button("Add comment", key="review_comment_add", on_click=_act, args=("comment", run_id))


def _compare(studio: Studio, review: ReviewState) -> None:
    approvals = review.approvals
    if len(approvals) < 2:
        return
    with st.expander("Compare two approvals (what changed in the policy)"):
        labels = {a.id: f"{a.at:%Y-%m-%d %H:%M} · {a.shown} · {a.content_hash[:8]}" for a in approvals}
        pick = st.columns(2)
        older = pick[0].selectbox("From", list(labels), index=len(labels) - 2, key="review_compare_from", format_func=labels.get)
        newer = pick[1].selectbox("To", list(labels), index=len(labels) - 1, key="review_compare_to", format_func=labels.get)
        changes = studio.reviews.compare(older, newer)
        if not changes:
            st.caption("The policy is the same in both approvals.")
            return
        st.dataframe([{"Area": c.area, "What": c.subject, "Before": c.before or "—", "After": c.after or "—"} for c in changes],
                     hide_index=True, width="stretch", key="review_changes")


def review_panel(studio: Studio, run_id: str, steps: list[str]) -> ReviewState:
    """Draw the review state, history and actions of a set; returns its state."""
    review = studio.reviews.state(run_id)
    st.subheader("Review and sign-off")
    _status(review)
    _actions(studio, run_id, review)
    _comment(studio, run_id, steps)
    _history(review)
    _compare(studio, review)
    return review
