"""One place in a document that holds a checklist section, and what was found there."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.validation.outline import Node


@dataclass
class Claim:
    """A place holding a section; the best place ranks first (with a body, named by its title, fewest gaps).

    ``renamed`` places were recognised without their title naming the section (from the body, a
    tier scheme or a run of role parts); ``evidence`` holds the 0-based lines that show it.
    """

    node: Node
    #: a real body below the title (not only "TBD", a table header or sub-headings)
    has_body: bool
    missing_items: list[str]
    renamed: bool = False
    evidence: list[int] = field(default_factory=list)

    @property
    def rank_key(self) -> tuple[int, int, int]:
        return (0 if self.has_body else 1, 1 if self.renamed else 0, len(self.missing_items))
