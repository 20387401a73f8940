"""The Studio's document of a stored set: headings, organisation and author for every format."""

from __future__ import annotations


def test_each_step_is_headed_by_its_document_title_and_the_files_name_the_organisation(offline_studio, offline_run_id) -> None:
    document = offline_studio.run_document(offline_studio.run(offline_run_id), author="Dana Ops")
    assert [s.title for s in document.steps] == ["Escalation Playbook", "Role Runbooks", "Training & QA Program"]
    assert document.organisation == "AtlasFlow" and document.author == "Dana Ops" and document.byline == "Dana Ops"
