"""The level map as a Graphviz digraph: the ladder top to bottom, each level's routes beside it.

Layout, so the picture reads the same every time: every level is its own rank (L0/L1 at the top,
the highest at the bottom), and the routes that start at a level are one box in that level's rank,
to its right, joined by a short flat edge: no edge crosses another. Routes whose level the source
does not state sit in one box under the routes column. Each level has one colour (its number's,
whatever the ladder's length), used for its box, its routes box and the edge between them.

Labels are Graphviz HTML-like labels built from escaped text only (labels are data): every
character that XML does not allow is dropped and ``& < > " '`` are entities. Long text is wrapped
at word boundaries, never cut.
"""

from __future__ import annotations

import html
import re
import textwrap

from assistant.analytics.levels.model import Level, LevelMap, Route

_FONT = "Arial, Helvetica, sans-serif"
_INK, _MUTED = "#1f2328", "#59636e"
#: (strong, tint) per level number: green, amber, orange, red, purple, then pink, blue, greys
_PALETTE = (
    ("#1a7f37", "#dafbe1"),
    ("#9a6700", "#fff8c5"),
    ("#bc4c00", "#fff1e5"),
    ("#cf222e", "#ffebe9"),
    ("#8250df", "#fbefff"),
    ("#bf3989", "#ffeff7"),
    ("#0969da", "#ddf4ff"),
    ("#57606a", "#f6f8fa"),
    ("#424a53", "#eaeef2"),
    ("#24292f", "#d0d7de"),
)
_SOURCE = {
    "draft": "Read from the playbook draft",
    "manifest": "The pack's level model with the organisation profile",
    "variables": "The support tiers of the organisation profile",
}
#: characters XML 1.0 allows; anything else would make Graphviz refuse the label
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_WIDTH = 300  # points: every level box and routes box at least this wide, so the columns line up
#: characters per line that fit in _WIDTH: regular 12 pt text, bold 12 pt, a level's bold 13 pt name
_TEXT, _BOLD, _NAME = 50, 44, 36


def colours(number: int) -> tuple[str, str]:
    """The (strong, tint) colours of level ``number``: the same for L3 in every diagram."""
    return _PALETTE[min(max(number, 0), len(_PALETTE) - 1)]


def _escape(text: str) -> str:
    return html.escape(_NOT_XML.sub("", text), quote=True)


def _wrapped(text: str, width: int) -> str:
    """``text`` escaped and wrapped at word boundaries (a word longer than a line is split, not cut)."""
    lines = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    return "<BR/>".join(_escape(line) for line in lines)


def _labelled(label: str, value: str, width: int) -> str:
    """"Lead: Incident Commander" wrapped as one paragraph, with the label in the muted colour.

    A no-break space joins label and value: it stays with the label, and SVG viewers do not
    drop it at the start of the value's text run the way they drop a plain space.
    """
    head, _, rest = _wrapped(f"{label}:\u00a0{value}", width).partition("\u00a0")
    return f'<FONT COLOR="{_MUTED}">{head}\u00a0</FONT>{rest}'


def _row(content: str, colour: str = "", span: int = 1) -> str:
    fill = f' BGCOLOR="{colour}"' if colour else ""
    return f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" COLSPAN="{span}" WIDTH="{_WIDTH}"{fill}>{content}</TD></TR>'


def _table(strong: str, rows: list[str]) -> str:
    return (
        f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="7" COLOR="{strong}" '
        f'BGCOLOR="#ffffff" WIDTH="{_WIDTH}">' + "<HR/>".join(rows) + "</TABLE>>"
    )


def _level_label(level: Level, starts: list[str]) -> str:
    strong, tint = colours(level.number)
    head = (
        f'<TR><TD BGCOLOR="{strong}" WIDTH="34"><FONT COLOR="#ffffff" POINT-SIZE="13"><B>{level.key}</B></FONT></TD>'
        f'<TD ALIGN="LEFT" BALIGN="LEFT" BGCOLOR="{tint}" WIDTH="{_WIDTH - 34}">'
        f'<FONT POINT-SIZE="13"><B>{_wrapped(level.name, _NAME)}</B></FONT></TD></TR>'
    )
    who = [_labelled("Lead", level.lead, _TEXT)] if level.lead else []
    if starts:
        who.append(_labelled("Starts here", ", ".join(starts), _TEXT))
    details = ["<BR/>".join(who)] if who else []
    if level.criteria:
        details.append(f'<FONT COLOR="{_MUTED}">{_wrapped(level.criteria, _TEXT)}</FONT>')
    return _table(strong, [head, *(_row(d, span=2) for d in details)])


def _route_row(route: Route) -> str:
    """One escalation type: bold over its team and ack when it has them, plain when it is a trigger alone."""
    lines = [f"<B>{_wrapped(route.trigger, _BOLD)}</B>" if route.team else _wrapped(route.trigger, _TEXT)]
    if route.team:
        lines.append(_wrapped(f"→ {route.team}", _TEXT))
    if route.ack:
        lines.append(_labelled("Ack", route.ack, _TEXT))
    return _row("<BR/>".join(lines))


def _routes_label(level_map: LevelMap, level: Level | None, routes: list[Route], left_out: int) -> str:
    strong, tint = colours(level.number) if level else (_MUTED, "#f6f8fa")
    rows = [_row(f"<B>{_escape(level_map.routes_heading(level))}</B>", tint), *(_route_row(r) for r in routes)]
    if left_out:
        rows.append(_row(f'<I><FONT COLOR="{_MUTED}">{left_out} more row(s) of the routing table not drawn</FONT></I>'))
    return _table(strong, rows)


def _notes_label(notes: list[str]) -> str:
    facts = [note.partition(": ") for note in notes]
    rows = [_row("<B>Organisation profile</B>", "#f6f8fa")]
    rows += [_row(_labelled(label, value, _TEXT) if value else _wrapped(label, _TEXT)) for label, _, value in facts]
    return _table(_MUTED, rows)


def _title(title: str, source: str) -> str:
    subtitle = f'<FONT POINT-SIZE="11" COLOR="{_MUTED}">{_escape(_SOURCE[source])}</FONT>'
    heading = f'<FONT POINT-SIZE="18"><B>{_wrapped(title, 70)}</B></FONT><BR/>' if title else ""
    return f"<{heading}{subtitle}<BR/> >"


def _header(name: str, text: str, group: str) -> str:
    return f'  {name} [shape=plaintext, group={group}, label=<<FONT POINT-SIZE="11" COLOR="{_MUTED}"><B>{_escape(text)}</B></FONT>>];'


def _routes_nodes(level_map: LevelMap) -> tuple[list[str], dict[int, str], str | None]:
    """The routes boxes (one per level with routes, then the unplaced one), by level, and the unplaced box's id."""
    groups = level_map.routes_by_level()
    out, by_level, unplaced = [], {}, None
    for index, (level, routes) in enumerate(groups):
        name = f"routes_L{level.number}" if level else "routes_unplaced"
        left_out = level_map.routes_left_out if index == len(groups) - 1 else 0
        out.append(f"  {name} [group=routes, label={_routes_label(level_map, level, routes, left_out)}];")
        if level:
            by_level[level.number] = name
        else:
            unplaced = name
    return out, by_level, unplaced


def to_dot(level_map: LevelMap, title: str = "") -> str:
    """A Graphviz digraph of ``level_map``: the same input gives the same text, byte for byte."""
    out = [
        "digraph escalation {",
        f'  graph [rankdir=TB, fontname="{_FONT}", fontcolor="{_INK}", labelloc=t, label={_title(title, level_map.source)}, '
        'nodesep=0.45, ranksep=0.4, pad=0.3, bgcolor="#ffffff"];',
        f'  node [fontname="{_FONT}", fontsize=12, fontcolor="{_INK}", shape=plain];',
        f'  edge [fontname="{_FONT}", fontsize=10, fontcolor="{_MUTED}", color="{_MUTED}", arrowsize=0.8];',
    ]
    ladder = level_map.levels
    for level in ladder:
        out.append(f"  {level.key} [group=ladder, label={_level_label(level, level_map.severities_at(level.number))}];")
    for lower, higher in zip(ladder, ladder[1:]):
        out.append(f'  {lower.key} -> {higher.key} [label="  escalate", penwidth=1.6, weight=100];')
    route_nodes, by_level, unplaced = _routes_nodes(level_map)
    out += route_nodes
    out.append(_header("head_levels", "ESCALATION LEVELS", "ladder"))
    out.append(f"  head_levels -> {ladder[0].key} [style=invis, weight=100];")
    column = [by_level[level.number] for level in ladder if level.number in by_level]
    if column:
        out.append(_header("head_routes", level_map.routes_title.upper(), "routes"))
        out.append("  { rank=same; head_levels; head_routes; }")
        out.append("  head_levels -> head_routes [style=invis];")
        column.insert(0, "head_routes")
    for number, name in by_level.items():
        strong, _ = colours(number)
        out.append(f"  {{ rank=same; L{number}; {name}; }}")
        out.append(f'  L{number} -> {name} [dir=none, style=dashed, penwidth=1.4, color="{strong}"];')
    bottom = []
    if level_map.notes:
        out.append(f"  facts [group=ladder, label={_notes_label(level_map.notes)}];")
        out.append(f"  {ladder[-1].key} -> facts [style=invis, weight=100];")
        bottom.append("facts")
    if unplaced:
        out.append(f"  {ladder[-1].key} -> {unplaced} [style=invis, weight=0];")
        column.append(unplaced)
        bottom.append(unplaced)
    for upper, lower in zip(column, column[1:]):
        out.append(f"  {upper} -> {lower} [style=invis, weight=100];")
    if len(bottom) == 2:
        out.append(f"  {{ rank=same; {bottom[0]}; {bottom[1]}; }}")
        out.append(f"  {bottom[0]} -> {bottom[1]} [style=invis];")
    out.append("}")
    return "\n".join(out) + "\n"
