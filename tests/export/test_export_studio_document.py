"""The Studio's document of a stored set: headings, organisation and author for every format."""

from __future__ import annotations


def test_each_step_is_headed_by_its_document_title_and_the_files_name_the_organisation(offline_studio, offline_run_id) -> None:
    document = offline_studio.run_document(offline_studio.run(offline_run_id), author="Dana Ops")
    assert [s.title for s in document.steps] == ["Escalation Playbook", "Role Runbooks", "Training & QA Program"]
    assert document.organisation == "AtlasFlow" and document.author == "Dana Ops" and document.byline == "Dana Ops"


def test_in_team_mode_the_files_name_the_signed_in_person_and_never_the_local_login(offline_studio, offline_run_id) -> None:
    from assistant.api import Studio, Viewer

    record = offline_studio.run(offline_run_id)
    signed_in = Studio(store=offline_studio.store, viewer=Viewer(owner="https://id.example|42", email="dana@example.com", admin=True))
    assert signed_in.run_document(signed_in.run(offline_run_id)).byline == "dana@example.com"
    local = offline_studio.run_document(record)
    assert local.author is None and local.byline == "AtlasFlow"
