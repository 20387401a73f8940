"""The history page: runs with status and cost; reopen, resume, export, delete."""

from __future__ import annotations

from conftest import person

from assistant.api import Studio
from assistant.errors import BadRequestError
from assistant.providers.base import CompletionRequest
from assistant.providers.scripted import ScriptedProvider, ScriptedReply


def _records():
    return Studio().store.list_runs()


def test_empty_history_says_what_to_do(app) -> None:
    app.page("history")
    assert any("No runs yet" in i.value for i in app.at.info)


def test_lists_runs_with_status_and_cost(scripted_app) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    app.page("history")
    table = app.at.dataframe[0].value
    assert list(table["Status"]) == ["✓ done"]
    assert list(table["Document set"]) == ["Escalation Procedure — AtlasFlow"]
    assert list(table["Cost"]) == ["free"]  # the scripted model has a zero price
    # steps by their titles, not their ids
    assert "Generate the Full Escalation Playbook" in table["Steps"][0] and "playbook," not in table["Steps"][0]


def test_reopen_loads_the_profile_and_drafts_into_a_new_session(scripted_app, app_factory) -> None:
    first = scripted_app.load_example().page("chain")
    first.click("run_all")
    run_id = first.workspace().run_id

    second = app_factory()  # a new browser session on the same history
    second.page("history")
    assert second.at.selectbox(key="history_run").value == run_id
    second.click("history_reopen")
    workspace = second.workspace()
    assert workspace.values["company_name"] == "AtlasFlow"
    assert workspace.run_id == run_id
    assert {s for s, d in workspace.drafts.items() if d.text} == {"playbook", "runbooks", "training"}
    assert workspace.drafts["playbook"].report.ok
    second.page("organisation")
    assert second.at.text_input(key="var__escalation-procedure__company_name").value == "AtlasFlow"
    second.page("chain")
    assert ":material/check_circle: **all 11 required sections present**" in second.texts()


def test_resume_runs_only_the_unfinished_steps(reply_for, app_factory) -> None:
    normal = reply_for

    def runbooks_fail(request: CompletionRequest) -> ScriptedReply:
        if request.task.step == "runbooks":
            return ScriptedReply(
                chunks=["# partial"], fault=BadRequestError("The scripted server refused the runbooks.")
            )
        return normal(request)

    failing = app_factory(ScriptedProvider(runbooks_fail))
    failing.load_example().page("chain")
    failing.click("run_all")
    assert failing.draft("playbook").status == "done"
    assert failing.draft("runbooks").status == "failed"
    run_id = failing.workspace().run_id
    assert _records()[0].status == "failed"

    working = ScriptedProvider(normal)
    later = app_factory(working)
    later.page("history")
    later.click("history_resume")  # reopens the run, then follows the resumed run on the chain page
    assert [r.task.step for r in working.requests].count("playbook") == 0  # never re-billed
    assert {r.task.step for r in working.requests} == {"runbooks", "training"}
    record = Studio().store.get_run(run_id)
    assert record.status == "done"
    assert {s.key: s.effective_status for s in record.steps if ":" not in s.key} == {
        "playbook": "done",
        "runbooks": "done",
        "training": "done",
    }
    assert later.draft("training").report.ok


def test_delete_needs_confirmation(scripted_app) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    app.page("history")
    assert app.at.button(key="history_delete").disabled is True
    app.at.checkbox(key="history_confirm_delete").check().run()
    app.click("history_delete")
    assert _records() == []
    assert any("No runs yet" in i.value for i in app.at.info)
    assert app.workspace().run_id is None


def test_export_a_past_run(scripted_app, downloads) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    app.page("history")
    markdown = downloads.of(app.at.download_button(key="history_export_md")).decode("utf-8")
    assert "AtlasFlow Escalation Procedure" in markdown
    assert downloads.of(app.at.download_button(key="history_export_pdf")).startswith(b"%PDF-")


# --- a shared studio: each person's sets, sharing, owners ---------------------------------------------

TEAMS = '{"support": ["alice@example.com", "bob@example.com"], "billing": ["carol@example.com"]}'


def _listed(app) -> list[str]:
    if not app.at.dataframe:
        return []
    table = app.at.dataframe[0].value
    return [f"{name} · {owner} · {shared}" for name, owner, shared in zip(table["Document set"], table["Owner"], table["Shared with"])]


def _open_by_id(app, run_id: str):
    app.at.query_params["run"] = run_id
    return app.page("history")


def test_a_set_is_seen_by_its_owner_and_the_team_it_is_shared_with(app_factory, monkeypatch) -> None:
    monkeypatch.setenv("PLAYBOOK_TEAMS", TEAMS)
    alice = app_factory(user=person("alice@example.com")).load_example().page("chain")
    alice.click("run__playbook")
    run_id = alice.workspace().run_id
    bob = app_factory(user=person("bob@example.com"))
    carol = app_factory(user=person("carol@example.com"))
    for other in (bob, carol):
        _open_by_id(other, run_id)
        assert _listed(other) == []
        assert any(f"No document set “{run_id}” here" in e.value for e in other.at.error)  # never "forbidden"

    alice.page("history")
    assert _listed(alice) == ["Escalation Procedure — AtlasFlow · alice@example.com · "]
    assert alice.at.selectbox(key="history_share").options == ["Nobody else", "Team support"]
    alice.at.selectbox(key="history_share").set_value("support").run()
    assert Studio().store.get_run(run_id).shared_with == "support"

    _open_by_id(bob, run_id)
    assert _listed(bob) == ["Escalation Procedure — AtlasFlow · alice@example.com · Team support"]
    assert "history_share" not in {w.key for w in bob.at.selectbox}  # only the owner shares
    assert bob.at.button(key="history_delete").disabled is True
    assert "Only its owner (alice@example.com) or an admin may delete this set" in bob.texts()
    bob.click("history_reopen")
    assert bob.workspace().run_id == run_id and bob.draft("playbook").text
    _open_by_id(carol, run_id)
    assert _listed(carol) == []  # another team

    alice.at.selectbox(key="history_share").set_value("").run()  # stop sharing
    bob.page("chain")  # bob still had it open: it is closed in his session, nothing more reaches alice's set
    assert "no longer available to you" in bob.texts()
    assert bob.workspace().run_id is None and not bob.workspace().drafts
    assert bob.at.button(key="run__runbooks").disabled is True


def test_exports_and_sharing_are_in_the_audit_trail_with_their_author(app_factory, downloads, monkeypatch) -> None:
    monkeypatch.setenv("PLAYBOOK_TEAMS", TEAMS)
    alice = app_factory(user=person("alice@example.com")).load_example().page("chain")
    alice.click("run__playbook")
    alice.page("history")
    alice.at.selectbox(key="history_share").set_value("support").run()
    alice.at.download_button(key="history_export_docx").click().run()
    trail = [(e.actor_email, e.action, e.detail) for e in Studio().audit(50) if e.action in ("shared", "exported")]
    assert trail == [
        ("alice@example.com", "exported", {"format": "docx"}),
        ("alice@example.com", "shared", {"team": "support"}),
    ]
