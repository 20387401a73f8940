"""The packs' hand-written offline drafts (``prompts/<pack>/offline/<step>.md.j2``).

With no key, the offline provider renders these templates from the user's
variables. Every draft must pass its own checklist with no gaps and no lints,
for the pack's example and for a different organisation; a targeted repair
(``wanted``) must produce only the sections asked for, mergeable into the
draft; and user values stay data, never template code.
"""

from __future__ import annotations

import itertools
import re

import pytest

from assistant.chain.parts import join_parts
from assistant.validation import ValidationReport, section_spans, validate_step
from assistant.providers.base import CompletionRequest, DraftTask
from assistant.providers.offline import OFFLINE_LABEL, OfflineProvider
from assistant.packs import prepare_variables
from assistant.validation import merge_repair
from assistant.packs import Pack, PackLibrary

PROCEDURE = "escalation-procedure"
HANDLING = "customer-escalation-procedures"

#: a second organisation, unlike AtlasFlow: healthcare, other channels and hours, the optional facts filled
CAREPOINT = {
    "company_name": "CarePoint Health",
    "industry_type": "Telehealth platform for hospital systems and clinics",
    "customer_segments": "Hospital systems, independent clinics and individual patients",
    "support_channels": ["phone", "secure in-app messaging", "patient portal", "SMS"],
    "support_hours": "Mon–Sat 7am–10pm ET; clinical on-call 24/7",
    "systems_used": "Salesforce Service Cloud + Microsoft Teams + ServiceNow + PagerDuty",
    "common_escalation_triggers": [
        "patient unable to join a scheduled video visit",
        "suspected PHI exposure",
        "prescription routing failure",
        "clinic threatens to cancel contract",
        "negative press or regulator inquiry",
    ],
    "current_pain_points": ["patients bounced between teams", "no after-hours ownership", "clinics learn about outages from patients"],
    "target_metrics": ["first response < 10 min for clinical-impacting issues", "CSAT > 92%", "escalation rate under 6%"],
    "risk_constraints": "HIPAA, PHI in tickets, patient safety",
    "ticket_history_summary": "8,000 tickets in 60 days; 560 met a Level 1+ trigger; 140 Level 2; 30 Level 3",
    "oncall_rotations": "Video platform: 4 engineers, weekly\nSecurity & privacy: 2 engineers, fortnightly\nBilling: business hours only",
    "pricing_and_churn_tiers": "Clinics from $400/month; hospital systems from $120K ARR; churn risk tiers: green / amber / red",
}
FURNITURE = {
    "company_type": "online furniture retailer",
    "target_audience": "homeowners and interior designers",
    "common_issues": "damaged deliveries, late shipments, refund delays, and assembly complaints",
    "team_size": "6 agents and 1 support manager",
    "specific_challenges": "third-party carriers and seasonal peaks around Black Friday",
}
SECOND = {PROCEDURE: CAREPOINT, HANDLING: FURNITURE}
COMPANIES = ["example", "second"]


@pytest.fixture(scope="module")
def offline(library: PackLibrary) -> OfflineProvider:
    return OfflineProvider(library)


def _variables(pack: Pack, which: str) -> dict[str, str | list[str]]:
    return prepare_variables(pack, pack.example if which == "example" else SECOND[pack.name])


def _compose(offline: OfflineProvider, pack: Pack, step: str, variables: dict, *, part: str | None = None,
             sections: list[str] | None = None) -> str:
    task = DraftTask(pack=pack.name, step=step, part=part, variables=variables, sections=sections)
    return offline.compose(CompletionRequest(model="offline-draft", prompt="(offline)", task=task))


def _draft(offline: OfflineProvider, pack: Pack, step: str, variables: dict) -> str:
    """The whole document, as the chain stores it (fan-out parts joined in manifest order)."""
    if pack.step(step).fan_out:
        parts = pack.fan_out_parts[step]
        return join_parts(parts, {p.id: _compose(offline, pack, step, variables, part=p.id) for p in parts})
    return _compose(offline, pack, step, variables)


def _assert_clean(report: ValidationReport) -> None:
    gaps = [(s.id, s.status, s.missing_items) for s in report.sections if s.status != "present" or s.missing_items]
    assert report.ok, (report.missing, report.lints)
    assert not report.missing and not gaps, gaps
    assert not report.lints, [lint.message for lint in report.lints]


def _cases(library: PackLibrary) -> list[tuple[str, str, str]]:
    return [(name, step.id, which) for name in (PROCEDURE, HANDLING) for step in library.get(name).steps for which in COMPANIES]


CASES = _cases(PackLibrary())
IDS = [f"{name}/{step}/{which}" for name, step, which in CASES]


def test_every_step_of_both_packs_ships_an_offline_template(library: PackLibrary) -> None:
    for name in (PROCEDURE, HANDLING):
        pack = library.get(name)
        for step in pack.steps:
            assert (pack.directory / "offline" / f"{step.id}.md.j2").is_file(), (name, step.id)


@pytest.mark.parametrize(("name", "step", "which"), CASES, ids=IDS)
def test_offline_draft_passes_its_checklist_with_no_gaps_or_lints(
    library: PackLibrary, offline: OfflineProvider, name: str, step: str, which: str
) -> None:
    pack = library.get(name)
    variables = _variables(pack, which)
    text = _draft(offline, pack, step, variables)
    assert OFFLINE_LABEL in text
    _assert_clean(validate_step(text, pack, step))
    body = text.replace(OFFLINE_LABEL, "")
    assert "offline" not in body.lower() and "language model" not in body.lower(), "the body must not talk about how it was made"


@pytest.mark.parametrize("which", COMPANIES)
def test_each_runbook_part_is_its_own_runbook_with_every_window(
    library: PackLibrary, offline: OfflineProvider, which: str
) -> None:
    pack = library.get(PROCEDURE)
    variables = _variables(pack, which)
    parts = pack.fan_out_parts["runbooks"]
    texts = {p.id: _compose(offline, pack, "runbooks", variables, part=p.id) for p in parts}
    joined = join_parts(parts, texts)
    report = validate_step(joined, pack, "runbooks")
    _assert_clean(report)
    for part in parts:
        body = texts[part.id].replace(OFFLINE_LABEL, "").strip()
        assert body.startswith(f"# {part.title} runbook"), body[:80]
        for item in part.items:
            assert f"\n## {item.text}\n" in body, (part.id, item.text)
        others = [p.title for p in parts if p.id != part.id]
        assert not any(f"# {title} runbook" in body for title in others), "one part, one role"


@pytest.mark.parametrize("which", COMPANIES)
def test_headings_are_the_checklist_titles_numbered_as_the_prompts_ask(
    library: PackLibrary, offline: OfflineProvider, which: str
) -> None:
    for name in (PROCEDURE, HANDLING):
        pack = library.get(name)
        variables = _variables(pack, which)
        for step in pack.steps:
            if step.fan_out:
                continue
            text = _draft(offline, pack, step.id, variables)
            style = ")" if step.id == "playbook" else "."
            checklist = pack.checklist_for(step.id)
            positions = []
            for number, section in enumerate(checklist.listed, 1):
                heading = f"\n## {number}{style} {section.title}\n"
                assert heading in text, (name, step.id, heading)
                positions.append(text.index(heading))
            assert positions == sorted(positions)
    playbook = _draft(offline, library.get(PROCEDURE), "playbook", _variables(library.get(PROCEDURE), which))
    final = playbook[playbook.index("\n## Deliverable Checklist\n") :]
    listed = library.get(PROCEDURE).checklist_for("playbook").listed
    assert [f"- [x] {n}) {s.title}" for n, s in enumerate(listed, 1)] == re.findall(r"^- \[x\] .*$", final, re.M)
    assert playbook.rstrip().endswith(f"- [x] {len(listed)}) {listed[-1].title}")


def _subsets(ids: list[str]) -> list[list[str]]:
    """Each section alone, each neighbouring pair, two far apart, every other one, and all of them."""
    subsets = [[i] for i in ids] + [list(pair) for pair in zip(ids, ids[1:])]
    if len(ids) > 2:
        subsets += [[ids[0], ids[-1]], ids[::2], ids]
    return subsets


def _repairable(pack: Pack, step: str) -> list[str]:
    checklist = pack.checklist_for(step)
    if pack.step(step).fan_out:
        return [s.id for s in checklist.sections if s.part]
    return [s.id for s in checklist.sections if s.listed or s.id == "final_checklist"]


def _without(text: str, pack: Pack, step: str, ids: list[str]) -> str:
    outline, spans = section_spans(text, pack.checklist_for(step))
    lines = text.split("\n")
    for node in sorted((spans[i] for i in ids), key=lambda n: -n.line):
        del lines[outline.offset + node.line : outline.offset + node.end]
    return "\n".join(lines)


@pytest.mark.parametrize(("name", "step", "which"), CASES, ids=IDS)
def test_targeted_repair_writes_only_the_wanted_sections_and_merges_cleanly(
    library: PackLibrary, offline: OfflineProvider, name: str, step: str, which: str
) -> None:
    pack = library.get(name)
    variables = _variables(pack, which)
    checklist = pack.checklist_for(step)
    full = _draft(offline, pack, step, variables)
    numbers = {s.id: n for n, s in enumerate(checklist.listed, 1)}
    style = ")" if step == "playbook" else "."
    fan_out = pack.step(step).fan_out is not None
    for wanted in _subsets(_repairable(pack, step)):
        repaired = _compose(offline, pack, step, variables, sections=wanted)
        assert OFFLINE_LABEL not in repaired
        _, found = section_spans(repaired, checklist)
        produced = set(found) & set(_repairable(pack, step))
        assert produced == set(wanted), (wanted, sorted(produced))
        top = "# " if fan_out else "## "
        headings = [line for line in repaired.split("\n") if line.startswith(top)]
        assert len(headings) == len(wanted), (wanted, headings)
        for section_id, heading in zip(wanted, headings):
            section = checklist.section(section_id)
            if fan_out:
                assert heading.startswith(f"# {section.title} runbook"), heading
            elif section_id in numbers:
                assert heading == f"## {numbers[section_id]}{style} {section.title}", heading
            else:
                assert heading == f"## {section.title}", heading
        without = _without(full, pack, step, wanted)
        assert set(wanted) <= set(validate_step(without, pack, step).missing)
        merged = merge_repair(without, repaired, checklist, wanted)
        _assert_clean(validate_step(merged, pack, step))


def test_a_repair_can_ask_for_a_runbook_time_window_across_all_roles(library: PackLibrary, offline: OfflineProvider) -> None:
    pack = library.get(PROCEDURE)
    variables = _variables(pack, "example")
    text = _compose(offline, pack, "runbooks", variables, sections=["first_hour"])
    assert text.startswith("# First hour")
    for part in pack.fan_out_parts["runbooks"]:
        assert f"**{part.title}**" in text


@pytest.mark.parametrize("which", COMPANIES)
def test_the_playbook_is_built_from_the_users_facts(library: PackLibrary, offline: OfflineProvider, which: str) -> None:
    pack = library.get(PROCEDURE)
    values = pack.example if which == "example" else CAREPOINT
    text = _draft(offline, pack, "playbook", prepare_variables(pack, values))
    assert values["company_name"] in text and values["support_hours"] in text and values["risk_constraints"] in text
    for listed in ("support_channels", "common_escalation_triggers", "current_pain_points", "target_metrics"):
        for value in values[listed]:
            assert value in text or value[:1].upper() + value[1:] in text, (listed, value)
    tool = "Zendesk" if which == "example" else "PagerDuty"
    assert tool in text
    for table in ("| Level | Name | Led by |", "| Severity | Definition |", "| Activity | Escalation Owner |",
                  "| Escalation type (starting level) | Paged team (primary) |", "| Amount per case |", "| Metric | Definition | Target |"):
        assert table in text, table
    assert "```mermaid\nflowchart TD" in text


def test_optional_facts_change_the_refinements_when_given(library: PackLibrary, offline: OfflineProvider) -> None:
    pack = library.get(PROCEDURE)
    without = prepare_variables(pack, pack.example)
    with_history = prepare_variables(pack, {**pack.example, "ticket_history_summary": CAREPOINT["ticket_history_summary"]})
    estimate = _draft(offline, pack, "trigger_calibration", without)
    measured = _draft(offline, pack, "trigger_calibration", with_history)
    assert "No ticket counts were supplied" in estimate
    assert "| Level 2 | 140 | 1.8% |" in measured and "**7.0%** of tickets" in measured
    rotations = _draft(offline, pack, "oncall_coverage", prepare_variables(pack, CAREPOINT))
    assert "| Video platform | 4 engineers, weekly |" in rotations
    guardrails = _draft(offline, pack, "commercial_guardrails", prepare_variables(pack, CAREPOINT))
    assert "| Amber |" in guardrails and "| Red |" in guardrails


def test_every_banned_phrase_appears_only_in_the_never_say_list(library: PackLibrary, offline: OfflineProvider) -> None:
    pack = library.get(PROCEDURE)
    text = _draft(offline, pack, "customer_narrative", _variables(pack, "example"))
    banned = text[text.index("Banned phrases") :]
    for phrase in pack.banned_phrases:
        assert f'| "{phrase}" |' in banned
    assert not validate_step(text, pack, "customer_narrative").lints


def test_missing_variables_still_give_a_valid_draft(library: PackLibrary, offline: OfflineProvider) -> None:
    """A draft task with no values at all (e.g. a hand-built request) uses generic defaults, never errors."""
    for name in (PROCEDURE, HANDLING):
        pack = library.get(name)
        for step in pack.steps:
            text = _draft(offline, pack, step.id, {})
            _assert_clean(validate_step(text, pack, step.id))


TEMPLATE_CODE = "{{ 7*7 }}"


def test_user_values_that_look_like_template_code_stay_literal(library: PackLibrary, offline: OfflineProvider) -> None:
    procedure = library.get(PROCEDURE)
    values = {
        **procedure.example,
        "company_name": f"{TEMPLATE_CODE} Corp",
        "customer_segments": f"Gold / Silver {TEMPLATE_CODE}",
        "support_channels": [f"chat {TEMPLATE_CODE}", "email"],
        "common_escalation_triggers": [f"{TEMPLATE_CODE} outage", "billing dispute"],
        "current_pain_points": [f"slow handoffs {TEMPLATE_CODE}"],
        "target_metrics": [f"CSAT {TEMPLATE_CODE}"],
        "systems_used": "{{ config }} + Slack",
        "oncall_rotations": f"Platform: {TEMPLATE_CODE}",
        "pricing_and_churn_tiers": f"churn risk tiers: low / {TEMPLATE_CODE}",
        "ticket_history_summary": f"{TEMPLATE_CODE} tickets",
    }
    variables = prepare_variables(procedure, values)
    for step in procedure.steps:
        text = _draft(offline, procedure, step.id, variables)
        assert TEMPLATE_CODE in text, step.id
        assert "49" not in text.replace(TEMPLATE_CODE, ""), step.id
        if step.id == "playbook":
            assert "systems: {{ config }} + Slack" in text
    handling = library.get(HANDLING)
    variables = prepare_variables(handling, {**handling.example, "company_type": f"{TEMPLATE_CODE} shop",
                                             "common_issues": f"{TEMPLATE_CODE} and refunds"})
    text = _draft(offline, handling, "procedures", variables)
    assert f"{TEMPLATE_CODE} shop" in text and "49" not in text.replace(TEMPLATE_CODE, "")


def test_offline_drafts_are_deterministic(library: PackLibrary, offline: OfflineProvider) -> None:
    pack = library.get(PROCEDURE)
    variables = _variables(pack, "second")
    for step, part in itertools.chain([("playbook", None), ("training", None)], [("runbooks", "comms_lead")]):
        assert _compose(offline, pack, step, variables, part=part) == _compose(offline, pack, step, variables, part=part)
