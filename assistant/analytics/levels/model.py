"""The levels of a playbook as data: the ladder, the severities that start at each rung, the routes.

Both faces of the diagram (the DOT drawing and the page's text lists) read the routes through
:meth:`LevelMap.routes_by_level`, so they show the same groups in the same order.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

#: routing rows a map keeps; a longer table is cut here and ``routes_left_out`` says how many were not kept
MAX_ROUTES = 40
_UNPLACED = {
    "draft": "Level not stated in the draft",
    "manifest": "Starting level not recognised",
    "variables": "Common escalation triggers",
}


class Level(BaseModel):
    number: int
    name: str
    lead: str = ""
    criteria: str = ""

    @property
    def key(self) -> str:
        return f"L{self.number}"


class Route(BaseModel):
    trigger: str
    team: str = ""
    ack: str = ""
    #: the level this escalation type starts at, when the source says so
    level: int | None = None


class LevelMap(BaseModel):
    #: the ladder, lowest level first
    levels: list[Level] = Field(min_length=1)
    routes: list[Route] = []
    #: severity (e.g. "P1") -> level number
    severities: dict[str, int] = {}
    #: notes shown beside the ladder (support hours, systems, channels)
    notes: list[str] = []
    source: Literal["draft", "manifest", "variables"]
    #: routing rows past :data:`MAX_ROUTES` that the source has and this map does not
    routes_left_out: int = 0

    @field_validator("levels")
    @classmethod
    def _lowest_first(cls, levels: list[Level]) -> list[Level]:
        """The ladder always reads from the lowest level down, whatever order the source listed it in."""
        return sorted(levels, key=lambda level: level.number)

    @property
    def paged(self) -> bool:
        """True when the routes name who gets paged (a routing table), not only the triggers."""
        return any(route.team for route in self.routes)

    @property
    def routes_title(self) -> str:
        """What the routes column shows: who gets paged (a routing table) or where each trigger starts."""
        return "Who gets paged" if self.paged else "Triggers by starting level"

    def routes_heading(self, level: Level | None) -> str:
        """The heading of one group of :meth:`routes_by_level`: "Paged at L3", "Level not stated in the draft"."""
        if level is None:
            return _UNPLACED[self.source]
        return f"{'Paged' if self.paged else 'Triggers starting'} at {level.key}"

    def severities_at(self, number: int) -> list[str]:
        """The severities that start at level ``number``, in their natural order (P1 before P2)."""
        return sorted(severity for severity, level in self.severities.items() if level == number)

    def routes_by_level(self) -> list[tuple[Level | None, list[Route]]]:
        """The routes beside their level, in ladder order, keeping the source's order within a level.

        Routes whose level the source does not state (or names a level not on the ladder) come
        last, under ``None``. Levels without routes are left out.
        """
        on_ladder = {level.number for level in self.levels}
        groups: list[tuple[Level | None, list[Route]]] = []
        for level in self.levels:
            routes = [route for route in self.routes if route.level == level.number]
            if routes:
                groups.append((level, routes))
        unplaced = [route for route in self.routes if route.level not in on_ladder]
        if unplaced:
            groups.append((None, unplaced))
        return groups
