"""Versions side by side: changes marked, text and labels inert, equal texts say so."""

from __future__ import annotations

from ui import diffs


def test_changed_lines_are_marked_side_by_side_with_their_labels() -> None:
    old = "# Playbook\n\nLevel 1 answers in 30 minutes.\nKeep this line.\n"
    new = "# Playbook\n\nLevel 1 answers in 15 minutes.\nKeep this line.\nA new closing line.\n"
    rendered = diffs.side_by_side(old, new, "v1 · generated", "v2 · edited by hand")
    assert "v1 · generated" in rendered and "v2 · edited by hand" in rendered
    assert 'class="diff_chg"' in rendered and 'class="diff_add"' in rendered
    assert rendered.count("<tr>") >= 3  # header and the changed rows
    assert diffs.counts(old, new) == (2, 1)


def test_text_and_labels_are_shown_never_run() -> None:
    rendered = diffs.side_by_side("a\n", "<script>alert(1)</script>\n", "<b>v1</b>", "v2")
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert "<b>v1</b>" not in rendered and "&lt;b&gt;v1&lt;/b&gt;" in rendered


def test_long_lines_wrap_inside_their_column() -> None:
    long_line = "word " * 60
    rendered = diffs.side_by_side("x\n", long_line + "\n", "v1", "v2")
    assert "white-space:pre-wrap" in rendered and rendered.count("<tr>") > 3  # wrapped into several rows


def test_equal_texts_have_no_diff() -> None:
    assert diffs.side_by_side("same\n", "same\n", "v1", "v2") == "" and diffs.counts("same", "same") == (0, 0)
