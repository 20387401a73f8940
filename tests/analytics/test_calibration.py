"""Calibration arithmetic against a hand-computed file, sensitivity, suggestions, and the appendix."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.analytics.calibration import (
    stops_the_line,
    apply_suggestions,
    calibrate,
    calibration_appendix,
    flip_examples,
    suggest_thresholds,
    with_calibration_appendix,
)
from assistant.analytics.policy import EscalationPolicy, policy_from_variables
from assistant.analytics.tickets import TicketTable, load_tickets, write_sample

# 20 tickets. Policy: L1 reopen_count >= 2; L2 billing AND disputed_amount > 5000; L3 priority P1;
# L4 churn_threat AND arr > 50000. Highest matching level per ticket, worked out by hand:
#   L1: T2 (reopen 2), T3 (reopen 3)                      -> 2
#   L2: T4 (6000), T6 (8000; also reopen 2)               -> 2   (T5 4000 is not > 5000)
#   L3: T7 (P1), T8 (P1; also reopen 5)                   -> 2
#   L4: T9 (churn, 60000), T11 (churn, 90000; also P1)    -> 2   (T10 churn at 40000 is not)
#   escalated 8 of 20 = 40%; Level 3+ 4 of 20 = 20%
SMALL = """ticket_id,created_at,priority,category,reopen_count,disputed_amount,churn_threat,arr
T1,2025-02-03 09:00,P3,how-to,0,,false,1000
T2,2025-02-03 10:00,P3,how-to,2,,false,1000
T3,2025-02-03 11:00,P2,bug,3,,false,1000
T4,2025-02-04 09:00,P3,billing,0,6000,false,1000
T5,2025-02-04 10:00,P3,billing,0,4000,false,1000
T6,2025-02-04 11:00,P3,billing,2,8000,false,1000
T7,2025-02-05 09:00,P1,outage,0,,false,1000
T8,2025-02-05 10:00,P1,outage,5,,false,1000
T9,2025-02-05 11:00,P3,account,0,,true,60000
T10,2025-02-06 09:00,P3,account,0,,true,40000
T11,2025-02-06 10:00,P1,outage,0,,true,90000
T12,2025-02-06 11:00,P4,how-to,1,,false,1000
T13,2025-02-07 09:00,P4,how-to,0,,false,1000
T14,2025-02-07 10:00,P4,how-to,0,,false,1000
T15,2025-02-07 11:00,P4,how-to,0,,false,1000
T16,2025-02-08 09:00,P4,how-to,0,,false,1000
T17,2025-02-08 10:00,P4,how-to,0,,false,1000
T18,2025-02-08 11:00,P4,how-to,0,,false,1000
T19,2025-02-09 09:00,P4,how-to,0,,false,1000
T20,2025-02-09 10:00,P4,how-to,0,,false,1000
"""

POLICY = {
    "levels": [
        {"level": 1, "name": "Support Lead", "triggers": [{"name": "Repeat contact", "conditions": [{"column": "reopen_count", "op": ">=", "threshold": 2}]}],
         "targets": {"ack_minutes": 60, "update_minutes": 240}},
        {"level": 2, "name": "Cross-functional", "triggers": [{"name": "Billing dispute", "conditions": [
            {"column": "category", "op": "in", "values": ["Billing"]}, {"column": "disputed_amount", "op": ">", "threshold": 5000}]}],
         "targets": {"ack_minutes": 30, "update_minutes": 120}},
        {"level": 3, "name": "Incident Command", "triggers": [{"name": "P1", "conditions": [{"column": "priority", "op": "in", "values": ["P1"]}]}],
         "targets": {"ack_minutes": 15, "update_minutes": 30}},
        {"level": 4, "name": "Executive", "triggers": [{"name": "Large churn threat", "conditions": [
            {"column": "churn_threat", "op": "is_true"}, {"column": "arr", "op": ">", "threshold": 50000}]}],
         "targets": {"ack_minutes": 15, "update_minutes": 60}},
    ]
}


@pytest.fixture
def small(tmp_path: Path) -> TicketTable:
    path = tmp_path / "small.csv"
    path.write_text(SMALL, encoding="utf-8")
    return load_tickets(path)


@pytest.fixture
def policy() -> EscalationPolicy:
    return EscalationPolicy.model_validate(POLICY)


def test_counts_match_the_hand_computed_file(small: TicketTable, policy: EscalationPolicy) -> None:
    report = calibrate(small, policy)
    assert report.tickets == 20 and report.escalated == 8
    assert report.escalation_rate == pytest.approx(0.40)
    assert report.level3plus_rate == pytest.approx(0.20)
    assert [(lv.level, lv.count, lv.cumulative_count) for lv in report.levels] == [(1, 2, 8), (2, 2, 6), (3, 2, 4), (4, 2, 2)]
    assert [lv.rate for lv in report.levels] == pytest.approx([0.1, 0.1, 0.1, 0.1])
    assert {b.id: (b.rate, b.verdict) for b in report.bands} == {"overall": (0.4, "above"), "level3plus": (0.2, "above")}
    assert report.levels[0].target_band.model_dump() == {"band": "overall", "low": 0.05, "high": 0.10, "measure": "cumulative_rate"}
    assert report.levels[2].target_band.band == "level3plus"
    assert report.history_escalation_rate is None and report.period.startswith("2025-02-03 to 2025-02-09")


def test_flips_match_the_hand_computed_file(small: TicketTable, policy: EscalationPolicy) -> None:
    flips = {(s.column, f.change): (f.threshold, f.flipped) for s in calibrate(small, policy).sensitivity for f in s.flips}
    # disputed_amount > 5000: at 3750 T5 (4000) joins L2; at 6250 T4 (6000) drops out; T6 (8000) stays
    assert flips[("disputed_amount", -0.25)] == (3750, 1)
    assert flips[("disputed_amount", -0.10)] == (4500, 0)
    assert flips[("disputed_amount", 0.10)] == (5500, 0)
    assert flips[("disputed_amount", 0.25)] == (6250, 1)
    # reopen_count >= 2: at 2.2 only T2 (reopen 2, nothing else) drops; T6 stays at L2 through billing
    assert flips[("reopen_count", -0.25)] == (1.5, 0)
    assert flips[("reopen_count", 0.10)] == (2.2, 1)
    # arr > 50000: at 37500 T10 (40000) joins L4; at 62500 T9 (60000) drops; T11 stays (L3 via P1 anyway)
    assert flips[("arr", -0.25)] == (37500, 1)
    assert flips[("arr", 0.25)] == (62500, 1)
    moved = next(s for s in calibrate(small, policy).sensitivity if s.column == "arr").flips[-1]
    assert moved.escalation_rate == pytest.approx(7 / 20) and moved.level3plus_rate == pytest.approx(3 / 20)


def test_flip_examples_name_the_tickets(small: TicketTable, policy: EscalationPolicy) -> None:
    rows = flip_examples(small, policy, (2, 0, 1), 3750)
    assert [(r["ticket_id"], r["from_level"], r["to_level"]) for r in rows] == [("T5", 0, 2)]


def test_out_of_reach_bands_get_advice_not_a_wrong_threshold(small: TicketTable, policy: EscalationPolicy) -> None:
    suggestions = suggest_thresholds(small, policy)
    assert {s.band: s.kind for s in suggestions} == {"level3plus": "advice", "overall": "advice"}
    assert "above the 0.5%–2% band" in suggestions[0].reason


def test_a_threshold_is_solved_from_quantiles(tmp_path: Path) -> None:
    # 100 tickets, first_response_minutes 1..100; the one P1 (frt 100) is Level 3 (1%, inside 0.5–2%).
    # Level 1 catches frt > 10: 90% escalated. Aiming at 8.75% (a quarter inside the 10% edge) -> 9 tickets
    # -> frt > 91 (92..100), so the suggestion is 91 and the rate 9%.
    lines = ["ticket_id,created_at,priority,first_response_minutes"]
    lines += [f"T{i},2025-02-03 09:00,{'P1' if i == 100 else 'P3'},{i}" for i in range(1, 101)]
    path = tmp_path / "frt.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = load_tickets(path)
    policy = EscalationPolicy.model_validate({"levels": [
        {"level": 1, "name": "L1", "triggers": [{"name": "Slow first reply", "conditions": [{"column": "first_response_minutes", "op": ">", "threshold": 10}]}],
         "targets": {"ack_minutes": 60}},
        {"level": 3, "name": "L3", "triggers": [{"name": "P1", "conditions": [{"column": "priority", "op": "in", "values": ["P1"]}]}],
         "targets": {"ack_minutes": 15}},
    ]})
    report = calibrate(table, policy)
    assert report.escalation_rate == pytest.approx(0.90) and report.level3plus_rate == pytest.approx(0.01)
    [suggestion] = report.suggestions
    assert (suggestion.kind, suggestion.column, suggestion.current, suggestion.suggested) == ("threshold", "first_response_minutes", 10, 91)
    assert suggestion.expected_escalation_rate == pytest.approx(0.09)
    calibrated = apply_suggestions(policy, report.suggestions)
    assert calibrated.source == "calibrated"
    again = calibrate(table, calibrated)
    assert again.escalation_rate == pytest.approx(0.09) and again.ok and not again.suggestions


def test_applying_suggestions_fixes_what_thresholds_can_and_never_demotes_stop_the_line(tmp_path: Path, atlasflow) -> None:
    table = load_tickets(write_sample(tmp_path / "s.parquet", 20000, seed=7))
    policy = policy_from_variables(atlasflow)
    report = calibrate(table, policy)
    assert not report.ok and report.suggestions
    assert report.history_escalation_rate is not None and 0 < (report.agreement or 0) <= 1
    moves = [s for s in report.suggestions if s.kind == "move"]
    assert not any(stops_the_line(s.trigger) for s in moves), "security, data loss and outages keep their level"
    calibrated = apply_suggestions(policy, report.suggestions)
    again = calibrate(table, calibrated)
    for band in again.bands:
        fixed_by_data = any(s.band == band.id and s.kind != "advice" for s in report.suggestions)
        assert band.verdict == "within" or not fixed_by_data, band.model_dump()
    advice = [s for s in report.suggestions if s.kind == "advice"]
    assert all("measurable condition" in s.reason for s in advice)


def test_unmapped_columns_are_reported_not_fatal(tmp_path: Path, policy: EscalationPolicy) -> None:
    path = tmp_path / "few.csv"
    path.write_text("created_at,priority\n2025-01-01 10:00,P1\n2025-01-01 11:00,P3\n", encoding="utf-8")
    report = calibrate(load_tickets(path), policy)
    assert report.escalation_rate == pytest.approx(0.5)
    assert any("disputed_amount" in w and "never true" in w for w in report.warnings)


def test_appendix_is_markdown_and_replaces_an_old_one(small: TicketTable, policy: EscalationPolicy) -> None:
    report = calibrate(small, policy)
    appendix = calibration_appendix(report, policy)
    assert appendix.startswith("## Calibration\n")
    assert "| Escalated overall (Level 1 and above) | 40.0% | 8 | 5%–10% | ✗ above |" in appendix
    assert "| Level 2 | Cross-functional | 2 | 10.0% | 30.0% |" in appendix
    assert "| Level 2 | Billing dispute | category in [Billing] AND disputed_amount > 5000 | 30 min | every 2 hours | — |" in appendix
    draft = "# Playbook\n\n## 1) Levels\n\nText.\n"
    once = with_calibration_appendix(draft, appendix)
    assert once.startswith(draft.rstrip()) and once.count("## Calibration") == 1
    twice = with_calibration_appendix(once + "\n## Appendix B\n\nKeep me.\n", appendix.replace("40.0%", "41.0%"))
    assert twice.count("## Calibration") == 1 and "41.0%" in twice and "40.0%" not in twice and "Keep me." in twice


def test_appendix_keeps_the_playbook_valid(library, atlasflow, tmp_path: Path) -> None:
    from assistant.validation import validate_step

    pack = library.get("escalation-procedure")
    draft = (Path(__file__).parents[1] / "data" / "answers" / "pb_atlasflow_complete.md").read_text(encoding="utf-8")
    table = load_tickets(write_sample(tmp_path / "s.csv", 3000))
    policy = policy_from_variables(atlasflow)
    extended = with_calibration_appendix(draft, calibration_appendix(calibrate(table, policy), policy))
    before, after = validate_step(draft, pack, "playbook"), validate_step(extended, pack, "playbook")
    assert before.ok and after.ok and after.missing == []
