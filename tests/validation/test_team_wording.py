"""A team's own policy is read as a careful reader reads it: its level tiers, role names, section
names and links, with the fourth verdict, "found under another name", saying where a section is."""

from __future__ import annotations

import pytest

from assistant.packs import Pack
from assistant.validation import validate_step

URGENCY = """# Escalations at Acme

## Definition of Urgency

| Urgency | What it means | First response |
|---|---|---|
| Critical | Production down for the whole account; no workaround exists at all | 30 minutes, around the clock |
| High | A key workflow is blocked for many users and the workaround is painful | 2 hours, business hours |
| Medium | Degraded but usable; a reasonable workaround exists for the users | 1 business day |
| Low | Questions and cosmetic problems that do not block anyone's daily work | 3 business days |
"""


def test_an_urgency_table_is_the_levels_section_under_another_name(procedure: Pack) -> None:
    named = validate_step(URGENCY, procedure, "playbook", finished=True).section("levels")
    assert named.status == "present" and named.line == 3  # "Definition of Urgency" is in the pack's vocabulary
    text = URGENCY.replace("## Definition of Urgency", "## How fast we answer")
    levels = validate_step(text, procedure, "playbook", finished=True).section("levels")
    assert levels.status == "renamed" and levels.found_as is not None
    assert (levels.found_as.title, levels.found_as.line) == ("How fast we answer", 3)
    assert not levels.missing_items  # the pack's own level names are not demanded of a team's tiers
    # each tier is shown beside the pack level it stands for, most severe first
    assert [e.text for e in levels.evidence] == [
        "Critical → Level 4: Executive Escalation (VIP churn, PR crisis, legal/regulatory)",
        "High → Level 3: Incident Command (major incident, security, widespread outage)",
        "Medium → Level 1: Support Lead / Specialist",
        "Low → Level 0: Standard Support (no escalation)",
    ]
    assert [e.line for e in levels.evidence] == [7, 8, 9, 10]


def test_a_sev_table_satisfies_the_levels_section_it_is_under(procedure: Pack) -> None:
    text = "## Severity levels\n\n| Severity | Criteria |\n|---|---|\n" + "".join(
        f"| SEV-{n} | Impact class {n}: a description long enough to be a real criterion for responders |\n" for n in range(1, 6)
    )
    levels = validate_step(text, procedure, "playbook", finished=True).section("levels")
    assert levels.status == "present" and levels.missing_items == []
    assert levels.evidence[0].text.startswith("SEV-1 → Level 4") and levels.evidence[-1].text.startswith("SEV-5 → Level 0")


def test_two_tiers_named_in_passing_are_no_scheme(procedure: Pack) -> None:
    text = "## How we work\n\nP1 and P2 incidents page the on-call engineer; everything else waits for office hours.\n"
    assert validate_step(text, procedure, "playbook", finished=True).section("levels").status == "missing"


def test_an_escalation_dri_section_is_the_ownership_model(procedure: Pack) -> None:
    text = (
        "## Escalation DRI\n\nEvery escalation has one DRI. The DRI owns communication with the customer, is responsible "
        "for the next steps and coordinates the engineers; the DRI is accountable until the escalation closes.\n"
    )
    raci = validate_step(text, procedure, "playbook", finished=True).section("raci")
    assert raci.status == "renamed" and raci.found_as is not None and raci.found_as.title == "Escalation DRI"
    assert "Escalation Owner / Customer Liaison" not in raci.missing_items  # the DRI is the escalation owner


def test_customer_and_internal_liaisons_together_are_the_comms_lead(procedure: Pack) -> None:
    roles = "## Roles and responsibilities\n\n- Incident Commander: runs the call.\n- {}\n"
    both = validate_step(roles.format("Customer Liaison posts status page updates; Internal Liaison briefs staff."), procedure, "playbook")
    one = validate_step(roles.format("Customer Liaison posts status page updates."), procedure, "playbook")
    assert "Comms Lead" not in both.section("raci").missing_items
    assert "Comms Lead" in one.section("raci").missing_items


def test_a_run_of_role_parts_is_the_ownership_model(procedure: Pack) -> None:
    text = "".join(
        f"## Steps for {role}\n\n1. Join the incident call and follow the Incident Commander's instructions.\n\n"
        for role in ("Incident Commander", "Deputy", "Scribe", "Customer Liaison")
    )
    raci = validate_step(text, procedure, "playbook", finished=True).section("raci")
    assert raci.status == "renamed" and raci.found_as.title == "Steps for Incident Commander"
    assert [e.line for e in raci.evidence] == [1, 5, 9, 13]


@pytest.mark.parametrize(
    ("title", "section"),
    [
        ("Submitting a request", "intake_triage"),
        ("Raising an incident", "intake_triage"),
        ("Escalation types", "routing"),
        ("Incident review", "post_review"),
        ("When the incident is over", "resolution_closure"),
        ("Statuspage updates", "customer_comms"),
    ],
)
def test_sections_named_in_a_teams_own_words(procedure: Pack, title: str, section: str) -> None:
    text = f"## {title}\n\nWhat we do here, written out in a few real sentences for everyone on the team to follow.\n"
    assert validate_step(text, procedure, "playbook", finished=True).section(section).status != "missing"


def test_a_resolution_message_inside_a_communication_plan_is_not_the_closure_section(procedure: Pack) -> None:
    text = (
        "## How we talk to customers during an incident\n\nThe first reply by chat or phone goes out within 5 minutes, "
        "from a template.\n\n### Updates\n\nUpdates every 20 minutes, each with the next update time and an ETA.\n\n"
        "### Resolution\n\nThe final message confirms full recovery and any data loss.\n"
    )
    report = validate_step(text, procedure, "playbook", finished=True)
    assert report.section("resolution_closure").status == "missing"
    assert report.section("customer_comms").status == "renamed"


def test_a_bold_sentence_someone_says_is_not_a_section(procedure: Pack) -> None:
    text = (
        "# Incident Commander\n\n## First hour\n\nRun the call.\n\n## Steady state\n\nUpdate hourly.\n\n"
        "**“I'll come back to you in 15 minutes with what we know.”**\n\nSay it on every call; templates are in the wiki.\n"
    )
    report = validate_step(text, procedure, "runbooks")
    assert report.section("first_15_minutes").status == "missing"


def test_link_text_is_never_a_placeholder(procedure: Pack) -> None:
    text = (
        "## Levels\n\nSee our [support hours](https://example.com/hours), the [Support Hours][hours] page and "
        "[company name].\n\n[company name]: https://example.com\n[hours]: https://example.com/hours\n"
        "\nStill unfilled: [SUPPORT_HOURS].\n"
    )
    lints = validate_step(text, procedure, "playbook").lints
    assert [(lint.code, lint.line) for lint in lints] == [("unfilled_placeholder", 8)]


def test_a_finished_document_is_never_read_as_cut_off(procedure: Pack) -> None:
    text = "## Incident review\n\nWe hold a blameless review within five days. The review owner writes up the actions and\n"
    assert validate_step(text, procedure, "playbook").truncated  # a model's answer ending like this was cut
    assert not validate_step(text, procedure, "playbook", finished=True).truncated


def test_front_matter_is_the_pages_title_not_a_section(procedure: Pack) -> None:
    text = "---\ntitle: Triaging tickets\ncategory: Support\n---\n\n## Purpose\n\nWhy this page exists.\n\n## Forms\n\nPick one.\n"
    report = validate_step(text, procedure, "playbook", finished=True)
    assert report.section("intake_triage").line == 2  # the page title names the job
    assert all(s.status == "missing" for s in report.sections if s.id != "intake_triage")
