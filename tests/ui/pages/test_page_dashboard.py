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


def test_csat_difference_points_the_way_it_moved(tmp_path: Path) -> None:
    at = page_test(tmp_path, "dashboard").run()
    at.number_input(key="dash_sample_rows").set_value(3000)
    at.button(key="dash_sample_generate").click().run()
    csat = next(m for m in at.metric if m.label == "CSAT after escalation")
    # in the sample history escalated tickets score lower: the difference is negative, its arrow points down
    assert float(csat.delta) < 0 and float(csat.value) > 0
    assert "higher is better" in csat.proto.help


def test_a_broken_upload_is_named_by_its_own_name_never_by_a_server_folder(tmp_path: Path) -> None:
    from streamlit.testing.v1.element_tree import UnknownElement  # noqa: F401  (AppTest's file uploader is not modelled)

    at = page_test(tmp_path, "dashboard").run()
    bad = tmp_path / "exports" / "march tickets.csv"
    bad.parent.mkdir()
    bad.write_bytes(b"\xff\xfe not a csv \x00\x01" * 50)
    from ui import tickets_input

    folder = tmp_path / "uploads"
    at.session_state["_analytics_tickets_dir"] = str(folder)
    target = folder / "0123456789abcdef" / "march_tickets.csv"
    target.parent.mkdir(parents=True)
    target.write_bytes(bad.read_bytes())
    at.session_state["analytics_tickets_path"] = str(target)
    at.run()
    shown = texts(at)
    assert "march_tickets.csv" in shown and str(folder) not in shown and "0123456789abcdef" not in shown
    assert tickets_input.TICKETS_PATH == "analytics_tickets_path"
