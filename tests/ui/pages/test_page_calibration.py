"""The calibration page: sample tickets, policy table, results against the bands, apply, appendix into the draft."""

from __future__ import annotations

from pathlib import Path

import yaml
from analytics_harness import page_test, texts

from assistant.analytics.policy import dump_policy_yaml, policy_from_variables


def test_asks_for_tickets_first(tmp_path: Path) -> None:
    at = page_test(tmp_path, "calibration").run()
    assert not at.exception
    assert "Upload a ticket export or generate a sample" in texts(at)


def test_sample_calibrate_apply_and_append(tmp_path: Path, downloads) -> None:
    from ui.state import Workspace

    at = page_test(tmp_path, "calibration")
    ws = Workspace(pack="escalation-procedure")
    ws.draft(
        "playbook"
    ).text = "# AtlasFlow playbook\n\n## 1) Escalation Levels & Definitions\n\nLevel 3: Incident Command.\n"
    ws.draft("playbook").status = "done"
    at.session_state["workspaces"] = {"escalation-procedure": ws}
    at.run()
    at.number_input(key="sample_rows").set_value(5000)
    at.button(key="sample_generate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    page = texts(at)
    assert "5,000 tickets" in page and "Results" in page
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) >= {"Escalated overall (Level 1 and above)", "Level 3 and above", "History escalated"}
    assert len(at.dataframe) >= 2  # levels and sensitivity
    policy = yaml.safe_load(downloads.of(at.download_button(key="cal_policy_download")))
    assert [lv["level"] for lv in policy["levels"]] == [1, 2, 3, 4]

    at.button(key="cal_apply").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["analytics_policy"].source == "calibrated"
    assert "Both rates are inside their target bands." in texts(at)

    at.button(key="cal_add_appendix").click().run()
    assert not at.exception
    draft = at.session_state["workspaces"]["escalation-procedure"].drafts["playbook"]
    assert draft.text.startswith("# AtlasFlow playbook") and "\n## Calibration\n" in draft.text
    assert draft.versions[-1].kind == "calibrated" and draft.made == "Calibration appendix added" and draft.usable
    at.button(key="cal_add_appendix").click().run()
    assert at.session_state["workspaces"]["escalation-procedure"].drafts["playbook"].text.count("## Calibration") == 1


def test_policy_yaml_upload_and_errors(tmp_path: Path, atlasflow) -> None:
    at = page_test(tmp_path, "calibration").run()
    at.button(key="sample_generate").click().run()
    policy = policy_from_variables(atlasflow).model_copy(update={"title": "Uploaded policy"})
    at.file_uploader(key="cal_policy_upload").set_value(
        ("mine.yaml", dump_policy_yaml(policy).encode(), "application/x-yaml")
    )
    at.run()
    assert not at.exception
    assert at.session_state["analytics_policy"].title == "Uploaded policy"
    at.file_uploader(key="cal_policy_upload").set_value(("bad.yaml", b"levels: [{level: 7}]\n", "application/x-yaml"))
    at.run()
    assert any("bad.yaml line 1: levels[0].level" in e.value for e in at.error)
