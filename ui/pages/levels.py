"""Escalation levels diagram: the ladder, severities and routing of the current playbook.

Drawn from the playbook draft's levels table or list when it can be read,
otherwise from the pack's own level items and the organisation profile.
"""

from __future__ import annotations

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.export import organisation_name
from assistant.analytics.levels import LevelMap, levels_from_draft, levels_from_manifest, to_dot
from assistant.packs import Pack
from ui import session, shell, state
from ui.safety import inert_inline
from ui.state import Workspace


def _step_with_levels(pack: Pack) -> str | None:
    """The first step whose checklist has a levels section (the playbook, in the packs that have one)."""
    return next(
        (
            s.id
            for s in pack.steps
            if (c := pack.checklist_for(s.id)) is not None and "levels" in {x.id for x in c.sections}
        ),
        None,
    )


def _source_picker(pack: Pack, from_draft: LevelMap | None, fallback: LevelMap | None) -> str:
    """Draw from the draft or from the pack and profile; stops the page when neither has levels."""
    choices = []
    if from_draft is not None:
        choices.append("draft")
    if fallback is not None:
        choices.append("manifest")
    if not choices:
        st.info(
            f"The {inert_inline(pack.title)} pack defines no escalation levels and the profile lists no support tiers. "
            "Pick the Escalation Procedure pack on the Organisation page to draw a levels diagram.",
            icon=":material/info:",
        )
        st.stop()
    labels = {
        "draft": "From the playbook draft",
        "manifest": "From the pack's level definitions and your profile"
        if fallback is not None and fallback.source == "manifest"
        else "From the support tiers in your profile",
    }
    if st.session_state.get(state.W_LEVELS_SOURCE) not in choices:
        st.session_state[state.W_LEVELS_SOURCE] = choices[0]
    return st.radio("Draw", choices, format_func=labels.get, key=state.W_LEVELS_SOURCE, horizontal=True)


def _source_note(source: str, draft_text: str) -> None:
    """Why the pack's definitions are shown instead of the draft's."""
    if source == "draft":
        return
    if draft_text:
        st.caption("The playbook draft has no levels table or list this page can read, so the pack's definitions are shown.")
    else:
        st.caption(
            "No playbook draft yet: this is the pack's level model with your facts. Run the playbook step to draw yours."
        )


def _legend(level_map: LevelMap) -> None:
    """The levels with their leads and criteria, beside the severities and the routing, as text."""
    columns = st.columns(2)
    with columns[0]:
        st.markdown("**Levels**")
        st.markdown(
            "\n".join(
                f"- **{level.key} · {inert_inline(level.name)}**"
                + (f" — lead: {inert_inline(level.lead)}" if level.lead else "")
                + (f"  \n  {inert_inline(level.criteria)}" if level.criteria else "")
                for level in level_map.levels
            )
        )
    with columns[1]:
        if level_map.severities:
            st.markdown("**Severity → starting level**")
            st.markdown("\n".join(f"- {inert_inline(k)} → L{v}" for k, v in sorted(level_map.severities.items())))
        routed = [r for r in level_map.routes if r.team]
        if routed:
            st.markdown("**Routing**")
            st.markdown(
                "\n".join(
                    f"- {inert_inline(r.trigger)} → {inert_inline(r.team)}"
                    + (f" (ack {inert_inline(r.ack)})" if r.ack else "")
                    for r in routed
                )
            )


def _diagram(pack: Pack, ws: Workspace, level_map: LevelMap) -> None:
    """The ladder as a Graphviz chart, its legend, and its DOT source to copy."""
    title = organisation_name(ws.values) or pack.title
    dot = to_dot(level_map, title=f"{title}: escalation levels")
    st.graphviz_chart(dot, width="stretch")
    _legend(level_map)
    with st.expander("DOT source (paste into any Graphviz tool)"):
        st.code(dot, language="dot")


def render() -> None:
    studio = session.studio()
    pack = session.current_pack(studio)
    ws = state.workspace(pack.name)
    variables, _ = session.prepared(studio, pack, ws.values)
    facts = variables or {k: v.splitlines() if "\n" in v else v for k, v in ws.values.items() if v}

    st.title("Escalation levels")
    st.caption("Who handles what at each level, which severities start where, and who gets paged.")
    step_with_levels = _step_with_levels(pack)
    draft_text = ws.drafts[step_with_levels].text if step_with_levels and ws.has(step_with_levels) else ""
    from_draft = levels_from_draft(draft_text, pack, step_with_levels) if draft_text and step_with_levels else None
    fallback = levels_from_manifest(pack, facts, step_with_levels or "playbook")
    source = _source_picker(pack, from_draft, fallback)
    level_map = from_draft if source == "draft" else fallback
    assert level_map is not None
    _source_note(source, draft_text)
    _diagram(pack, ws, level_map)


shell.page(render)
