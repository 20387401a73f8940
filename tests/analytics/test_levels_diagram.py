"""The levels diagram: layout (order, ranks, routes beside their level), wrapping, colours, files."""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

from assistant.analytics.levels import (
    DiagramUnavailable,
    Level,
    LevelMap,
    Route,
    levels_from_draft,
    levels_from_manifest,
    render_diagram,
    to_dot,
)
from assistant.analytics.levels.dot import colours
from assistant.packs import prepare_variables

ANSWERS = Path(__file__).resolve().parents[1] / "data" / "answers"
SVG = "{http://www.w3.org/2000/svg}"
LONG = (
    "P2 affecting a single Enterprise customer's production with no workaround within 2 hours; reproducible "
    "product defect; billing dispute above the Support Lead's approval limit; data or integration issue needing "
    "engineering access to the customer's tenant, with a named engineer and a written hand-back plan"
)
LONG_NAME = "Cross-functional (Engineering / Product / Billing / Legal / Finance)"


def _atlasflow(procedure) -> LevelMap:
    return levels_from_draft((ANSWERS / "pb_atlasflow_complete.md").read_text(encoding="utf-8"), procedure)


def _positions(dot: str) -> dict[str, tuple[float, float]]:
    """Centre of every node as Graphviz lays it out (y grows upwards)."""
    layout = json.loads(graphviz.Source(dot).pipe(format="json", encoding="utf-8"))
    found = {}
    for node in layout.get("objects", []):
        if "pos" in node:
            x, y = node["pos"].split(",")
            found[node["name"]] = (float(x), float(y))
    return found


def _node_texts(svg: bytes) -> dict[str, str]:
    """The text of each node of an SVG drawn by dot, lines joined by spaces."""
    root = ET.fromstring(svg)
    texts = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            name = group.find(f"{SVG}title").text
            texts[name] = " ".join(t.text or "" for t in group.iter(f"{SVG}text"))
    return texts


def test_levels_run_top_to_bottom_each_on_its_own_rank(procedure) -> None:
    ladder = [level.key for level in _atlasflow(procedure).levels]
    at = _positions(to_dot(_atlasflow(procedure)))
    heights = [at[key][1] for key in ladder]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == len(heights)
    assert len({at[key][0] for key in ladder}) == 1  # one straight column


def test_a_ladder_listed_out_of_order_is_still_drawn_lowest_first() -> None:
    level_map = LevelMap(levels=[Level(number=n, name=f"Rung {n}") for n in (3, 1, 2)], source="draft")
    at = _positions(to_dot(level_map))
    assert at["L1"][1] > at["L2"][1] > at["L3"][1]


def test_routes_sit_beside_their_level_so_no_line_crosses(procedure) -> None:
    level_map = _atlasflow(procedure)
    at = _positions(to_dot(level_map))
    for level, _ in level_map.routes_by_level():
        box = f"routes_L{level.number}"
        assert at[box][1] == at[level.key][1], box  # same rank: the joining edge is flat
        assert at[box][0] > at[level.key][0], box  # to the right of the ladder
    columns = {at[f"routes_L{n}"][0] for n in (2, 3, 4)}
    assert len(columns) == 1


def test_routes_of_no_stated_level_go_under_the_routes_column() -> None:
    level_map = LevelMap(
        levels=[Level(number=1, name="Lead"), Level(number=2, name="Engineering")],
        routes=[Route(trigger="Outage", team="SRE", level=2), Route(trigger="Partner issue", team="Partner desk")],
        notes=["Hours: 24/7"],
        source="draft",
    )
    dot = to_dot(level_map)
    at = _positions(dot)
    assert at["routes_unplaced"][1] < at["L2"][1] and at["facts"][1] < at["L2"][1]
    assert at["routes_unplaced"][0] == at["routes_L2"][0] and at["facts"][0] == at["L2"][0]
    texts = _node_texts(render_diagram(dot, "svg"))
    assert texts["routes_unplaced"].startswith("Level not stated in the draft Partner issue")


def test_the_same_map_gives_the_same_dot_and_routes_follow_the_ladder() -> None:
    routes = [
        Route(trigger="Outage", team="SRE", level=3),
        Route(trigger="Unplaced", team="Desk"),
        Route(trigger="Defect", team="Squad", level=2),
        Route(trigger="Security", team="Security on-call", level=3),
    ]
    level_map = LevelMap(levels=[Level(number=n, name=f"Rung {n}") for n in (1, 2, 3)], routes=routes, source="draft")
    dot = to_dot(level_map, title="Acme")
    assert dot == to_dot(LevelMap.model_validate(level_map.model_dump()), title="Acme")
    order = [dot.index(text) for text in ("routes_L2 [", "routes_L3 [", "routes_unplaced [")]
    assert order == sorted(order)
    assert dot.index("<B>Outage</B>") < dot.index("<B>Security</B>")  # the draft's order within a level


def test_reading_the_same_draft_twice_draws_the_same_text(procedure) -> None:
    assert to_dot(_atlasflow(procedure), title="AtlasFlow") == to_dot(_atlasflow(procedure), title="AtlasFlow")


def test_long_labels_are_wrapped_whole_never_cut() -> None:
    level_map = LevelMap(
        levels=[Level(number=0, name="Standard"), Level(number=2, name=LONG_NAME, lead="Escalation Owner", criteria=LONG)],
        routes=[Route(trigger=LONG, team="Engineering on-call for the affected product area and its backup", level=2)],
        source="draft",
    )
    dot = to_dot(level_map)
    assert "…" not in dot and "..." not in dot
    texts = _node_texts(render_diagram(dot, "svg"))
    assert LONG_NAME in texts["L2"] and LONG in texts["L2"]  # every word, in order, across several lines
    assert LONG in texts["routes_L2"]
    assert dot.count("<BR/>") >= 8


def test_every_level_keeps_its_colour_in_any_ladder() -> None:
    short = LevelMap(levels=[Level(number=n, name=f"Rung {n}") for n in (2, 3)], routes=[Route(trigger="x", team="y", level=3)], source="draft")
    strong, tint = colours(3)
    dot = to_dot(short)
    level_line = next(line for line in dot.splitlines() if line.startswith("  L3 ["))
    routes_line = next(line for line in dot.splitlines() if line.startswith("  routes_L3 ["))
    edge_line = next(line for line in dot.splitlines() if line.startswith("  L3 -> routes_L3"))
    assert f'COLOR="{strong}"' in level_line and f'BGCOLOR="{tint}"' in level_line
    assert f'COLOR="{strong}"' in routes_line and f'color="{strong}"' in edge_line
    assert len({colours(n) for n in range(5)}) == 5


def test_svg_is_valid_xml_with_every_levels_name(procedure) -> None:
    level_map = _atlasflow(procedure)
    svg = render_diagram(to_dot(level_map, title="AtlasFlow: escalation levels"), "svg")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    texts = _node_texts(svg)
    for level in level_map.levels:
        assert level.key in texts[level.key] and level.name in texts[level.key]
    assert "AtlasFlow: escalation levels" in " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


def test_png_is_a_sharp_image(procedure) -> None:
    dot = to_dot(levels_from_manifest(procedure, prepare_variables(procedure, procedure.example)))
    png = render_diagram(dot, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    points = float(re.search(rb'width="(\d+)pt"', render_diagram(dot, "svg")).group(1))
    assert width >= 1.9 * points and height > width  # drawn at twice the screen's resolution; a tall ladder


def test_labels_are_data(procedure) -> None:
    hostile = '24/7"] ; evil [label="x" </TD></TR></TABLE>> & <script>alert(1)</script>\x07'
    values = dict(procedure.example, support_hours=hostile, systems_used="C:\\tools <b>bold</b>")
    level_map = levels_from_manifest(procedure, prepare_variables(procedure, values))
    dot = to_dot(level_map, title='A "quoted" <title>')
    assert "<script>" not in dot and "&lt;script&gt;" in dot and "\x07" not in dot
    svg = render_diagram(dot, "svg")
    texts = " ".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
    assert "<script>alert(1)</script>" in texts and "C:\\tools <b>bold</b>" in texts and 'A "quoted" <title>' in texts
    assert "evil" not in _positions(dot)  # no node made from the text


def test_without_dot_the_files_say_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DiagramUnavailable, match="apt-get install graphviz"):
        render_diagram("digraph { a }", "svg")
