"""Levels, severities and routes read from a playbook draft, or from the pack's manifest and the profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.analytics.levels import MAX_ROUTES, levels_from_draft, levels_from_manifest, to_dot
from assistant.packs import PackLibrary, prepare_variables

ANSWERS = Path(__file__).resolve().parents[1] / "data" / "answers"
LONG_CRITERIA = (
    "Unresolved after two agent touches within one business day; a Pro or Enterprise customer blocked on a single "
    "workflow that their own customers depend on; a billing dispute between $500 and $5,000 that the agent cannot "
    "settle; or any request for a manager that names a contractual deadline, a renewal date or an executive sponsor"
)


def _draft(levels: str, routing: str = "") -> str:
    return f"# Playbook\n\n## 1) Escalation Levels & Definitions\n\n{levels}\n\n## 4) Escalation Routing Rules\n\n{routing}\n"


LADDER = """| Level | Name | Who leads | Entry criteria |
|---|---|---|---|
| L0 | Standard Support | Frontline agent | Solvable with the knowledge base |
| L1 | Support Lead / Specialist and the whole specialist bench of the product areas | Support Lead | {long} |
| L2 | Cross-functional | Escalation Owner | Reproducible defect; billing dispute > $5K |
| L3 | Incident Command | Incident Commander | P1 outage; any security indicator |
""".format(long=LONG_CRITERIA)


@pytest.mark.parametrize("answer", sorted(p.name for p in ANSWERS.glob("pb_*.md")))
def test_every_fixture_playbook_parses_or_falls_back(answer: str, procedure) -> None:
    level_map = levels_from_draft((ANSWERS / answer).read_text(encoding="utf-8"), procedure)
    if level_map is not None:
        assert len(level_map.levels) >= 2
        assert [lv.number for lv in level_map.levels] == sorted(lv.number for lv in level_map.levels)
        assert to_dot(level_map).startswith("digraph escalation {")


def test_the_complete_atlasflow_playbook(procedure) -> None:
    level_map = levels_from_draft((ANSWERS / "pb_atlasflow_complete.md").read_text(encoding="utf-8"), procedure)
    assert [lv.key for lv in level_map.levels] == ["L0", "L1", "L2", "L3", "L4"]
    assert level_map.levels[3].name == "Incident Command"
    assert level_map.levels[3].lead == "Incident Commander (IC)"
    assert level_map.levels[2].name == "Cross-functional (Engineering / Product / Billing)"
    assert level_map.levels[4].criteria.endswith("public complaint by influencer/journalist; legal or regulatory threat")
    assert level_map.severities == {"P1": 3, "P2": 2, "P3": 1, "P4": 0}
    assert (level_map.routes[0].team, level_map.routes[0].ack) == ("Platform on-call", "15 min (24/7)")


def test_each_route_starts_where_the_draft_says(procedure) -> None:
    """A level tag, a severity the draft maps, or the one level whose entry criteria name the escalation type."""
    level_map = levels_from_draft((ANSWERS / "pb_atlasflow_complete.md").read_text(encoding="utf-8"), procedure)
    assert [(r.trigger, r.level) for r in level_map.routes] == [
        ("Platform outage / P1", 3),  # P1 -> L3 in the severity table
        ("Workflow engine defect (L2)", 2),  # its own tag
        ("Billing dispute > $5K", 2),  # L2's criteria: "billing dispute > $5K"
        ("Security indicator", 3),  # L3's criteria: "any security indicator"
        ("Churn threat L4", 4),
    ]


def test_a_route_named_by_no_level_or_by_two_stays_unplaced(procedure) -> None:
    routing = """| Escalation type | Paged team |
|---|---|
| Defect | Engineering on-call |
| Partner outage | Partner desk |
"""
    ladder = LADDER.replace("Solvable with the knowledge base", "A known defect with a workaround")
    level_map = levels_from_draft(_draft(ladder, routing), procedure)
    # "defect" is in L0's and L2's criteria: ambiguous; "partner outage" is in none
    assert [(r.trigger, r.level) for r in level_map.routes] == [("Defect", None), ("Partner outage", None)]
    assert level_map.routes_by_level() == [(None, level_map.routes)]


def test_a_leading_level_tag_is_not_repeated_beside_its_level(procedure) -> None:
    routing = """| Escalation type (starting level) | Paged team (primary) | Time to acknowledge |
|---|---|---|
| L3 · P1 outage affecting multiple customers or data integrity risk | Engineering on-call + Incident Commander | 15 min |
| Level 1: Needs specialist knowledge or permissions | Support Lead on shift | 30 min |
"""
    level_map = levels_from_draft(_draft(LADDER, routing), procedure)
    assert [(r.trigger, r.level, r.ack) for r in level_map.routes] == [
        ("P1 outage affecting multiple customers or data integrity risk", 3, "15 min"),
        ("Needs specialist knowledge or permissions", 1, "30 min"),
    ]


def test_long_names_and_criteria_are_kept_whole(procedure) -> None:
    level_map = levels_from_draft(_draft(LADDER), procedure)
    assert level_map.levels[1].criteria == LONG_CRITERIA
    assert level_map.levels[1].name == "Support Lead / Specialist and the whole specialist bench of the product areas"
    assert "…" not in level_map.model_dump_json()


def test_a_long_routing_table_is_cut_and_says_how_much(procedure) -> None:
    rows = "\n".join(f"| Type {n} | Team {n} | {n} min |" for n in range(MAX_ROUTES + 5))
    routing = f"| Escalation type | Paged team | Time to ack |\n|---|---|---|\n{rows}\n"
    level_map = levels_from_draft(_draft(LADDER, routing), procedure)
    assert len(level_map.routes) == MAX_ROUTES and level_map.routes_left_out == 5
    assert level_map.routes[-1].trigger == f"Type {MAX_ROUTES - 1}"
    assert "5 more row(s) of the routing table not drawn" in to_dot(level_map)


def test_without_a_draft_the_profiles_triggers_sit_at_their_derived_level(procedure) -> None:
    level_map = levels_from_manifest(procedure, prepare_variables(procedure, procedure.example))
    assert level_map.source == "manifest"
    assert [lv.key for lv in level_map.levels] == ["L0", "L1", "L2", "L3", "L4"]
    assert level_map.levels[3].criteria == "Major incident, security, widespread outage"
    placed = {r.trigger: r.level for r in level_map.routes}
    assert placed == {
        "P1 outage affecting multiple customers or data integrity risk": 3,
        "P2 incident affecting a single Enterprise customer's production with no workaround within 2 hours": 2,
        "Customer states intent to terminate within 30 days and ARR > $50,000": 4,
        "Security incident": 3,
        "Billing dispute >$5K": 2,
        "Public complaint by an influencer or journalist, or a legal threat": 4,
    }
    assert level_map.notes[0] == "Hours: 24/7 for Enterprise P1; Mon–Fri 8am–8pm for other tiers"


def test_support_tiers_of_another_pack_become_the_ladder_with_their_own_numbers(library: PackLibrary) -> None:
    pack = library.get("escalation-management")
    level_map = levels_from_manifest(pack, prepare_variables(pack, pack.example))
    assert level_map.source == "variables"
    assert [(lv.key, lv.name) for lv in level_map.levels] == [
        ("L1", "Agent"),
        ("L2", "Specialist"),
        ("L3", "Engineer"),
        ("L4", "Vendor or infrastructure provider"),
    ]
    assert level_map.levels[1].criteria == "Advanced troubleshooting, configuration changes"


def test_untagged_or_clashing_tiers_count_from_zero(library: PackLibrary) -> None:
    pack = library.get("escalation-management")
    values = dict(pack.example, support_tiers=["Frontline: known answers", "Tier 1: specialists", "L1 Engineering"])
    level_map = levels_from_manifest(pack, prepare_variables(pack, values))
    assert [(lv.key, lv.name, lv.criteria) for lv in level_map.levels] == [
        ("L0", "Frontline", "Known answers"),
        ("L1", "Specialists", ""),
        ("L2", "Engineering", ""),
    ]
