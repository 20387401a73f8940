"""Did the answer stop mid-section? A cut answer is flagged even when the provider did not say so.

Providers do not always report ``finish_reason=length`` (proxies, local servers), so the text
itself is read: an unclosed fence, a half-written table row, a dangling word or an open bold.
"""

from __future__ import annotations

import re

from assistant.validation.outline import LIST_LINE, TABLE_SEPARATOR, Outline, label_title

_DANGLING = frozenset(
    "and or the a an to of with for in on by if when within per at is are be our your their that which from than as "
    "via into will should must can including such e.g i.e whether because while until about between against during "
    "without who whose whom where how its this these those but nor upon toward towards onto across through whereas "
    "although though unless since has have was were would could may might".split()
)


def ends_mid_section(outline: Outline) -> int | None:
    """0-based index of the last line when the answer visibly stops mid-sentence/table/fence."""
    lines = outline.lines
    last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), None)
    if last is None:
        return None
    if outline.unclosed_fence:
        return last
    if outline.wrapper_closed:
        return None  # the model closed the block it wrote the answer in: it finished
    text = lines[last].strip()
    if any(n.line == last for n in outline.nodes) or outline.in_fence(last):
        return None
    if text.startswith("|"):
        table_start = last
        while table_start > 0 and lines[table_start - 1].lstrip().startswith("|"):
            table_start -= 1
        has_rows = any(TABLE_SEPARATOR.match(lines[i]) for i in range(table_start, last))
        return last if not text.endswith("|") or not has_rows else None
    if text.count("**") % 2 == 1 or text.endswith((",", ";", "(", "[", "{", "-", "–", "—", "/", "&", "+", "=")):
        return last
    if text.endswith(":") and label_title(text) is None:
        return last
    words = re.findall(r"[A-Za-z][A-Za-z.']*", text)
    if words and words[-1].lower().rstrip(".") in _DANGLING and not text.endswith((".", "!", "?")):
        return last
    is_list = LIST_LINE.match(lines[last]) is not None
    prose = not is_list and not text.startswith(">") and not re.search(r"[·•|✅✓;]", text)
    if prose and len(words) >= 8 and text[0].isupper() and text[-1].islower():
        return last
    return None
