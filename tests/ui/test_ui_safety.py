"""Model and user text is made inert before Streamlit renders it as Markdown."""

from __future__ import annotations

import pytest

from ui.safety import StreamEscaper, inert_inline, inert_markdown

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def test_html_is_shown_not_parsed() -> None:
    out = inert_markdown(f"Company: {XSS}")
    assert "<script" not in out and "<img" not in out
    assert "&lt;script>window.__xss=1&lt;/script>&lt;img src=x onerror=" in out


def test_dollar_amounts_are_not_maths() -> None:
    assert inert_markdown("billing dispute >$5K and ARR > $50,000") == "billing dispute >\\$5K and ARR > \\$50,000"


def test_script_links_are_neutralised() -> None:
    assert "javascript:" not in inert_markdown("[click](javascript:alert(1)) [ok](https://example.com)")
    assert "](https://example.com)" in inert_markdown("[ok](https://example.com)")


def test_code_is_left_alone() -> None:
    text = "Use `<ticket-id>` here.\n\n```html\n<b>$5</b>\n```\n<i>after</i>"
    out = inert_markdown(text)
    assert "`<ticket-id>`" in out
    assert "```html\n<b>$5</b>\n```" in out
    assert out.endswith("&lt;i>after&lt;/i>")


def test_headings_can_be_demoted() -> None:
    assert inert_markdown("# Title\n## Part\n```\n# code\n```", demote=2) == "### Title\n#### Part\n```\n# code\n```"


def test_inline_text() -> None:
    assert inert_inline("a <b>\n $1") == "a &lt;b> \\$1"


@pytest.mark.parametrize("size", [1, 2, 3, 7, 40, 1000])
def test_stream_escaper_matches_the_whole_text_escape(size: int) -> None:
    text = f"# Plan\n\nCosts $5 <b>bold</b>\n```\n<raw> $x\n```\nafter {XSS}\n## End\n"
    escaper = StreamEscaper(demote=2)
    streamed = "".join(escaper.feed(text[i : i + size]) for i in range(0, len(text), size))
    assert streamed == inert_markdown(text, demote=2)


def test_streamed_headings_are_demoted_but_hash_words_are_not() -> None:
    from ui.safety import StreamEscaper

    escaper = StreamEscaper(demote=2)
    out = "".join(escaper.feed(chunk) for chunk in ["## Ti", "tle\n#inc-2026", "0117 war room\n", "#", "# Next\n"])
    assert out == "#### Title\n#inc-20260117 war room\n#### Next\n"
