"""The Audit trail page: every sign-in and change with its author, newest first, narrowed by person and action."""

from __future__ import annotations

from conftest import person


def _rows(app) -> list[tuple[str, str, str]]:
    table = app.at.dataframe[0].value
    return list(zip(table["Person"], table["Action"], table["Document set"]))


def test_the_trail_newest_first_narrowed_by_person_and_action(app_factory, monkeypatch) -> None:
    monkeypatch.setenv("PLAYBOOK_ADMINS", "carol@example.com")
    alice = app_factory(user=person("alice@example.com")).load_example().page("chain")
    alice.click("run__playbook")
    alice.page("history")
    alice.at.selectbox(key="history_share").set_value("everyone").run()
    app_factory(user=person("bob@example.com"))

    carol = app_factory(user=person("carol@example.com")).page("audit")
    assert _rows(carol) == [
        ("carol@example.com", "signed_in", ""),
        ("bob@example.com", "signed_in", ""),
        ("alice@example.com", "shared", "Escalation Procedure — AtlasFlow"),
        ("alice@example.com", "ran", "Escalation Procedure — AtlasFlow"),
        ("alice@example.com", "signed_in", ""),
    ]
    details = list(carol.at.dataframe[0].value["Details"])
    assert details[2] == "team: everyone" and details[3] == "steps: playbook · provider: offline"

    carol.at.multiselect(key="audit_people").select("alice@example.com").run()
    assert [r[1] for r in _rows(carol)] == ["shared", "ran", "signed_in"]
    carol.at.multiselect(key="audit_actions").select("ran").run()
    assert _rows(carol) == [("alice@example.com", "ran", "Escalation Procedure — AtlasFlow")]
    assert "1 entry." in carol.texts()


def test_a_deleted_set_keeps_its_trail(scripted_app) -> None:
    app = scripted_app.load_example().page("chain")
    app.click("run__playbook")
    run_id = app.workspace().run_id
    app.page("history")
    app.at.checkbox(key="history_confirm_delete").check().run()
    app.click("history_delete")
    app.page("audit")  # personal mode: the local user is the admin of the local history
    assert [(r[1], r[2]) for r in _rows(app)] == [("deleted", f"{run_id[:8]} (deleted)"), ("ran", f"{run_id[:8]} (deleted)")]
