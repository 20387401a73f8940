"""Each step's headings are re-levelled so every step starts at one level under the document title."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.export.headings import balanced
from assistant.export.parser import markdown_parser


def levels(markdown: str) -> list[tuple[int, str]]:
    """(level, text) of every ATX heading outside code fences."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"^(#{1,6}) (.*)$", line)):
            found.append((len(match.group(1)), match.group(2)))
    return found


def test_a_step_without_a_title_of_its_own_gets_its_document_title_and_sits_below_it() -> None:
    playbook = "## Overview\n\nText.\n\n## 1) Levels\n\n### Minute by minute\n\nMore.\n"
    assert levels(balanced(playbook, "Escalation Playbook", 1)) == [
        (1, "Escalation Playbook"), (2, "Overview"), (2, "1) Levels"), (3, "Minute by minute"),
    ]


def test_a_step_that_opens_with_its_one_top_heading_keeps_it_as_its_title() -> None:
    training = "# Training & QA — AtlasFlow\n\n## 1. Onboarding\n\n### Scenario 1\n"
    assert levels(balanced(training, "Training & QA Program", 1)) == [
        (1, "Training & QA — AtlasFlow"), (2, "1. Onboarding"), (3, "Scenario 1"),
    ]


def test_several_top_headings_go_under_the_document_title_with_their_depth_kept() -> None:
    runbooks = "# Owner runbook\n\n## First 15 minutes\n\n# Commander runbook\n\n## First 15 minutes\n"
    assert levels(balanced(runbooks, "Role Runbooks", 2)) == [
        (2, "Role Runbooks"), (3, "Owner runbook"), (4, "First 15 minutes"), (3, "Commander runbook"), (4, "First 15 minutes"),
    ]


def test_a_hash_line_in_a_code_fence_is_code_and_stays_as_written() -> None:
    text = "## Restart\n\n```bash\n# restart the worker\n## not a heading either\n```\n\n## Verify\n"
    out = balanced(text, "Runbook", 1)
    assert "```bash\n# restart the worker\n## not a heading either\n```" in out
    assert levels(out) == [(1, "Runbook"), (2, "Restart"), (2, "Verify")]


def test_setext_headings_are_relevelled_like_atx_ones() -> None:
    out = balanced("Playbook\n========\n\nRouting\nrules\n-------\n\nBody.\n", "Escalation Playbook", 2)
    assert levels(out) == [(2, "Playbook"), (3, "Routing rules")]
    assert "===" not in out and "---" not in out


def test_an_answer_wrapped_in_one_markdown_fence_is_unwrapped_not_exported_as_code() -> None:
    text = "```markdown\n# AtlasFlow Playbook\n\n## 1) Levels\n\nL1 owns it.\n\n## 2) Routing\n\nPage SRE.\n```\n"
    out = balanced(text, "Escalation Playbook", 1)
    assert "```" not in out
    assert levels(out) == [(1, "AtlasFlow Playbook"), (2, "1) Levels"), (2, "2) Routing")]


def test_headings_inside_quotes_and_lists_move_with_the_rest() -> None:
    out = balanced("## A\n\n> ### Quoted\n\n- ### Listed\n", "Step", 1)
    assert out.splitlines() == ["# A", "", "> ## Quoted", "", "- ## Listed"]


@pytest.mark.parametrize("top", [1, 2])
def test_levels_never_pass_six_and_the_first_heading_is_at_top(top: int) -> None:
    out = balanced("# A\n\n## B\n\n###### F\n\n# C\n", "Step", top)
    found = levels(out)
    assert found[0] == (top, "Step")
    assert all(1 <= level <= 6 for level, _ in found)
    assert [level for level, _ in found][1:3] == [top + 1, top + 2]


def test_a_step_with_no_headings_is_headed_by_its_document_title() -> None:
    assert balanced("Just a paragraph.\n", "Executive Briefing Format", 2) == "## Executive Briefing Format\n\nJust a paragraph."


MARKDOWNISH = st.lists(
    st.sampled_from(["# ", "## ", "###### ", "Title\n", "===", "---", "\n", "\n\n", "```", "```markdown", "> ", "- ",
                     "1) ", "**", "Routing", "<h1>x</h1>", "    code", "|a|b|\n|-|-|"])
    | st.text(max_size=12),
    max_size=120,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=MARKDOWNISH, top=st.sampled_from([1, 2]))
def test_any_answer_opens_at_top_with_nothing_above_it(text: str, top: int) -> None:
    tokens = markdown_parser().parse(balanced(text, "Step", top))
    found = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    assert tokens[0].type == "heading_open" and found[0] == top
    assert all(level > top for level in found[1:])
