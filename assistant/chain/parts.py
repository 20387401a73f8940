"""Fan-out parts: the key each is stored under and how their answers become one document."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.packs import Checklist, Section
from assistant.validation import TitleMatcher, parse_outline


def part_key(step_id: str, part_id: str) -> str:
    """A part is stored beside its step (``runbooks:comms_lead``), so a resumed run finds the parts already done."""
    return f"{step_id}:{part_id}"


def join_parts(parts: list[Section], texts: Mapping[str, str]) -> str:
    """Join fan-out answers in manifest order, each under a heading naming its part."""
    blocks = []
    for part in parts:
        text = (texts.get(part.id) or "").strip()
        if not text:
            continue
        outline = parse_outline(text)
        first = outline.nodes[0] if outline.nodes else None
        names_part = first is not None and part.id in TitleMatcher(Checklist(sections=[part])).match(first.title)
        blocks.append(text if names_part else f"# {part.title}\n\n{text}")
    return "\n\n".join(blocks) + "\n"
