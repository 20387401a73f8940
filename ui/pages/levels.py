"""Escalation levels diagram: the ladder, severities and routing of the current playbook.

Drawn from the playbook draft's levels table or list when it can be read,
otherwise from the pack's own level items and the organisation profile. The
diagram downloads as SVG and PNG (drawn by Graphviz's ``dot``) and as DOT.
"""

from __future__ import annotations

import hashlib

import project_path  # noqa: F401  (puts the project root on sys.path)
import streamlit as st

from assistant.analytics.levels import (
    IMAGE_FORMATS,
    MEDIA_TYPES,
    DiagramUnavailable,
    LevelMap,
    levels_from_draft,
    levels_from_manifest,
    render_diagram,
    to_dot,
)
from assistant.export import organisation_name
from assistant.packs import Pack
from ui import exporting, session, shell, state
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
            "No playbook draft yet: this is the pack's level model with your facts, each trigger at the level the "
            "Calibration page derives for it. Run the playbook step to draw yours."
        )


def _routes_list(level_map: LevelMap) -> str:
    """The routes grouped under their starting level, as the diagram groups them."""
    lines = []
    for level, routes in level_map.routes_by_level():
        lines.append(f"- **{inert_inline(level_map.routes_heading(level))}**")
        for r in routes:
            lines.append(
                f"  - {inert_inline(r.trigger)}"
                + (f" → {inert_inline(r.team)}" if r.team else "")
                + (f" (ack {inert_inline(r.ack)})" if r.ack else "")
            )
    if level_map.routes_left_out:
        lines.append(f"- {level_map.routes_left_out} more row(s) of the draft's routing table are not shown.")
    return "\n".join(lines)


def _legend(level_map: LevelMap) -> None:
    """The levels with their leads and criteria, beside the severities and the routes, as text (never cut)."""
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
        if level_map.routes:
            st.markdown(f"**{level_map.routes_title}**")
            st.markdown(_routes_list(level_map))


def _images(dot: str) -> dict[str, bytes]:
    """The diagram as SVG and PNG, drawn once per DOT text in this session; none (and a warning) without dot."""
    digest = hashlib.sha256(dot.encode("utf-8")).hexdigest()
    cache: dict[str, dict[str, bytes]] = st.session_state[state.LEVELS_IMAGES]
    if digest not in cache:
        try:
            images = {fmt: render_diagram(dot, fmt) for fmt in IMAGE_FORMATS}
        except DiagramUnavailable as error:
            st.warning(error.message, icon=":material/warning:")
            return {}
        cache.clear()  # keep only the diagram on screen
        cache[digest] = images
    return cache[digest]


def _downloads(images: dict[str, bytes], dot: str, title: str) -> None:
    """SVG and PNG of the diagram (when dot could draw them) and its DOT source."""
    files: list[tuple[str, str, str, bytes | str]] = [
        (fmt, label, key, images[fmt])
        for fmt, label, key in (("svg", "Diagram as SVG", state.W_LEVELS_SVG), ("png", "Diagram as PNG", state.W_LEVELS_PNG))
        if fmt in images
    ]
    files.append(("dot", "DOT source", state.W_LEVELS_DOT, dot))
    for column, (fmt, label, key, data) in zip(st.columns(3), files):
        column.download_button(
            label,
            data=data,
            file_name=exporting.file_name(title, fmt),
            mime=MEDIA_TYPES[fmt],
            key=key,
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
        )


def _diagram(pack: Pack, ws: Workspace, level_map: LevelMap) -> None:
    """The ladder, its files, its legend, and its DOT source to copy.

    The picture is dot's own SVG (the file the SVG button saves), shown as an image: the browser's
    Graphviz chart lays text out with estimated widths and the app's font. Without dot it falls back
    to that chart.
    """
    title = f"{organisation_name(ws.values) or pack.title}: escalation levels"
    dot = to_dot(level_map, title=title)
    images = _images(dot)
    if "svg" in images:
        names = ", ".join(f"{level.key} {level.name}" for level in level_map.levels)
        st.image(images["svg"].decode("utf-8"), width="content", alt=f"{title}: {names}")
    else:
        st.graphviz_chart(dot, width="stretch")
    _downloads(images, dot, title)
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
