"""The dashboard page: Altair charts of the seed-002 metrics and the HTML report download."""

from __future__ import annotations

from pathlib import Path

from analytics_harness import page_test, texts


def test_charts_and_html_report(tmp_path: Path, downloads) -> None:
    at = page_test(tmp_path, "dashboard").run()
    assert not at.exception
    assert "Upload a ticket export" in texts(at)
    at.number_input(key="dash_sample_rows").set_value(3000)
    at.button(key="dash_sample_generate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label for m in at.metric} >= {"Tickets", "Escalated", "CSAT after escalation"}
    charts = at.get("vega_lite_chart")
    assert len(charts) == 7
    page = downloads.of(at.download_button(key="dash_download_html")).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<script src" not in page


def test_the_file_is_shared_with_the_calibration_page(tmp_path: Path) -> None:
    at = page_test(tmp_path, "dashboard").run()
    at.button(key="dash_sample_generate").click().run()
    path = at.session_state["analytics_tickets_path"]
    assert path.endswith(".parquet") and Path(path).is_file()
