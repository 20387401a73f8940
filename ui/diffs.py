"""Two versions of a draft side by side, changes highlighted, long lines wrapped.

``difflib.HtmlDiff`` escapes every line of text, and the labels are escaped here, so a
``<script>`` in a draft is shown, never run; Streamlit's ``st.html`` sanitises the rest.
"""

from __future__ import annotations

import difflib
import html

#: characters per line before a long line wraps inside its column
WRAP = 64

STYLE = """<style>
table.diff{width:100%;border-collapse:collapse;table-layout:fixed;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}
table.diff th{background:#f6f8fa;color:#1f2328;text-align:left;padding:4px 6px;font-weight:600}
table.diff td{padding:1px 6px;vertical-align:top;white-space:pre-wrap;word-break:break-word;color:#1f2328}
table.diff td.diff_header{color:#57606a;width:3.2em;text-align:right}
table.diff td.diff_next{display:none}
table.diff colgroup{display:none}
.diff_add{background:#d1f7d6}.diff_chg{background:#fff1b3}.diff_sub{background:#ffd7d5}
</style>"""


def side_by_side(old: str, new: str, old_label: str, new_label: str) -> str:
    """HTML of the changed lines of ``old`` and ``new`` (with two lines of context), or '' when equal."""
    if old == new:
        return ""
    table = difflib.HtmlDiff(wrapcolumn=WRAP).make_table(
        old.splitlines(), new.splitlines(), html.escape(old_label), html.escape(new_label), context=True, numlines=2
    )
    return STYLE + table


def counts(old: str, new: str) -> tuple[int, int]:
    """Lines added and removed from ``old`` to ``new``."""
    added = removed = 0
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        added += line.startswith("+ ")
        removed += line.startswith("- ")
    return added, removed
