"""Dashboard figures against a known file, the Altair charts, and the standalone HTML page."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from assistant.analytics.dashboard import CHART_TITLES, build_dashboard, charts, to_html
from assistant.errors import UserInputError
from assistant.analytics.policy import policy_from_variables
from assistant.analytics.tickets import load_tickets

# Two weeks, ten tickets; four escalated (A3 L1, A4 L1, A5 L3, A8 L2). Hand-computed below.
KNOWN = """ticket_id,created_at,resolved_at,escalated_at,escalation_level,escalation_reason,reopen_count,csat,tier,channel
A1,2025-03-03 09:00,2025-03-03 11:00,,0,,0,5,Pro,email
A2,2025-03-03 10:00,2025-03-03 14:00,,0,,1,4,Free,chat
A3,2025-03-04 09:00,2025-03-04 13:00,2025-03-04 10:00,1,Customer requested,0,3,Pro,email
A4,2025-03-04 12:00,2025-03-05 00:00,2025-03-04 15:00,1,Product bug,2,,Enterprise,phone
A5,2025-03-05 08:00,2025-03-05 16:00,2025-03-05 08:30,3,Outage <critical>,0,2,Enterprise,chat
A6,2025-03-10 09:00,2025-03-10 10:00,,0,,0,5,Free,email
A7,2025-03-10 09:30,,,0,,0,,Pro,chat
A8,2025-03-11 09:00,2025-03-12 09:00,2025-03-11 11:00,2,Product bug,1,4,Enterprise,email
A9,2025-03-12 09:00,2025-03-12 21:00,,0,,0,4,Pro,email
A10,2025-03-12 10:00,2025-03-12 12:00,,0,,0,,Free,social
"""


@pytest.fixture
def report(tmp_path: Path):
    path = tmp_path / "known.csv"
    path.write_text(KNOWN, encoding="utf-8")
    return build_dashboard(load_tickets(path))


def test_volume_by_level_and_reason(report) -> None:
    assert (report.tickets, report.escalated, report.escalation_rate, report.level_source) == (10, 4, 0.4, "history")
    assert [(v.level, v.count, v.share_of_escalations) for v in report.volume_by_level] == [(1, 2, 0.5), (2, 1, 0.25), (3, 1, 0.25)]
    assert [(r.reason, r.count) for r in report.volume_by_reason] == [("Product bug", 2), ("Customer requested", 1), ("Outage <critical>", 1)]


def test_time_to_escalate_and_resolve(report) -> None:
    # escalate: L1 1 h and 3 h; L2 2 h; L3 30 min
    assert [(d.level, d.tickets, d.mean_hours, d.median_hours) for d in report.time_to_escalate] == [(1, 2, 2.0, 2.0), (2, 1, 2.0, 2.0), (3, 1, 0.5, 0.5)]
    # resolve: not escalated 2, 4, 1, 12, 2 h (A7 open) -> mean 4.2, median 2; L1 4 and 12 h; L2 24 h; L3 8 h
    assert [(d.level, d.tickets, d.mean_hours, d.median_hours) for d in report.time_to_resolve] == [
        (0, 5, 4.2, 2.0), (1, 2, 8.0, 8.0), (2, 1, 24.0, 24.0), (3, 1, 8.0, 8.0),
    ]


def test_reopen_rate_and_csat_after_escalation(report) -> None:
    assert report.reopen_rate_escalated == pytest.approx(2 / 4)
    assert report.reopen_rate_not_escalated == pytest.approx(1 / 6)
    assert report.csat_escalated == pytest.approx(3.0)  # 3, 2, 4 (A4 did not answer)
    assert report.csat_not_escalated == pytest.approx(4.5)  # 5, 4, 5, 4
    by_level = {o.level: o for o in report.outcomes}
    assert (by_level[1].reopen_rate, by_level[1].csat, by_level[1].csat_responses) == (0.5, 3.0, 1)


def test_weekly_trend_and_sources(report) -> None:
    assert [(w.week, w.tickets, w.escalated, w.level3plus) for w in report.weekly] == [
        (date(2025, 3, 3), 5, 3, 1), (date(2025, 3, 10), 5, 1, 0),
    ]
    assert [w.escalation_rate for w in report.weekly] == pytest.approx([0.6, 0.2])
    assert [(s.name, s.escalated) for s in report.top_tiers] == [("Enterprise", 3), ("Pro", 1)]


def test_levels_from_a_policy_when_the_file_has_no_escalation_column(tmp_path: Path, atlasflow) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("created_at,priority,category\n2025-03-03 09:00,P1,outage\n2025-03-03 10:00,P3,how-to\n", encoding="utf-8")
    table = load_tickets(path)
    with pytest.raises(UserInputError, match="no escalation column is mapped"):
        build_dashboard(table)
    report = build_dashboard(table, policy_from_variables(atlasflow))
    assert report.level_source == "policy" and [(v.level, v.count) for v in report.volume_by_level] == [(3, 1)]
    assert any("policy would assign" in n for n in report.notes)


def test_altair_charts_cover_every_metric(report) -> None:
    made = charts(report)
    assert set(made) == set(CHART_TITLES)
    spec = made["volume_by_level"].to_dict()
    assert spec["mark"]["type"] == "bar" and spec["data"]["values"][0] == {"level": "Level 1", "escalations": 2}
    assert made["weekly"].to_dict()["encoding"]["x"]["type"] == "temporal"


def test_html_is_standalone_and_escaped(report) -> None:
    page = to_html(report, title="AtlasFlow <escalations>")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>AtlasFlow &lt;escalations&gt;</title>" in page
    assert "Outage &lt;critical&gt;" in page and "Outage <critical>" not in page.split('id="vega-lite-specs">')[0]
    assert not re.search(r"<script[^>]*\bsrc=|<link\b|@import|<iframe", page, re.IGNORECASE)
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts == [' type="application/json" id="vega-lite-specs"']
    assert page.count("<svg") == 6 and "no external scripts" in page
    specs = json.loads(page.split('id="vega-lite-specs">')[1].split("</script>")[0].replace("<\\/", "</"))
    assert set(specs) == set(CHART_TITLES) and specs["volume_by_reason"]["mark"]["type"] == "bar"
    assert "<td>40.0%</td>" not in page and "4 (40.0%)" in page
