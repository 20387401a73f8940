"""Which checklist sections a heading's title names.

Models title the same section many ways ("Severity Tiers", "## 9) PIR / Root Cause"), so a
title is matched against each section's ``title`` and ``aliases`` after normalising case,
punctuation and numbering; an alias written ``=phrase`` must match the whole title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.packs import Checklist
from assistant.validation.textmatch import normalise, normalise_title


@dataclass(frozen=True)
class _Alias:
    section: str
    phrase: str
    exact: bool

    @property
    def weight(self) -> int:
        return len(self.phrase.split()) + (100 if self.exact else 0)


class TitleMatcher:
    """Which checklist sections a heading's title names."""

    _INTRO_TITLES = re.compile(
        r"^(introduction|intro|overview|purpose|scope|summary|executive summary|about( this \w+)?|how to use( this \w+)?|"
        r"context|background|preface|assumption|note|table of content|content|toc|conclusion|closing thought|next step|"
        r"(?:framework |guiding )?principle|framework)$"
    )
    _TOC_TITLES = re.compile(r"^(table of content|content|toc|outline|in this (document|playbook|guide))$")

    def __init__(self, checklist: Checklist) -> None:
        self._cache: dict[str, list[str]] = {}
        self.aliases: list[_Alias] = []
        for section in checklist.sections:
            for raw in [section.title, *section.aliases]:
                exact = raw.startswith("=")
                phrase = normalise_title(raw.lstrip("=")) if not exact else normalise(raw[1:])
                if phrase:
                    self.aliases.append(_Alias(section.id, phrase, exact))

    def match(self, title: str) -> list[str]:
        """Section ids the title names; several when it joins distinct sections ("Levels & Routing")."""
        if title not in self._cache:
            self._cache[title] = self._match(title)
        return self._cache[title]

    def _match(self, title: str) -> list[str]:
        norm = normalise_title(title)
        if not norm:
            return []
        found = self._match_words(norm.split())
        # "Customer and Internal Communication": also read "Customer Communication"
        words = norm.split()
        for index, word in enumerate(words[1:-1], 1):
            if word == "and":
                elided = [*words[:index], *words[index + 2 :]]
                found += [sid for sid in self._match_words(elided) if sid not in found]
        return found

    def _match_words(self, words: list[str]) -> list[str]:
        norm = " ".join(words)
        best: dict[str, tuple[int, range]] = {}
        for alias in self.aliases:
            if alias.exact:
                if norm != alias.phrase:
                    continue
                span = range(0, len(words))
            else:
                span = _find_span(words, alias.phrase.split())
                if span is None:
                    continue
            if alias.section not in best or alias.weight > best[alias.section][0]:
                best[alias.section] = (alias.weight, span)
        chosen: list[str] = []
        taken: set[int] = set()
        for section_id, (weight, span) in sorted(best.items(), key=lambda kv: -kv[1][0]):
            if taken.intersection(span):
                continue
            if chosen and weight < 2 and not _joined(words, span):
                continue
            chosen.append(section_id)
            taken.update(span)
        return chosen

    def names_whole(self, title: str, section_id: str) -> bool:
        """Does the title say little besides the section's name (at most one other word)?

        A "Title:" line inside a section is a sub-label; it names a section only this plainly
        ("Key metrics:"), never in passing ("To update the dashboard:").
        """
        words = normalise_title(title).split()
        return any(
            alias.section == section_id and len(words) - len(alias.phrase.split()) <= 1 and _find_span(words, alias.phrase.split())
            for alias in self.aliases
        )

    def is_intro(self, title: str) -> bool:
        return bool(self._INTRO_TITLES.match(normalise_title(title)))

    def is_toc(self, title: str) -> bool:
        return bool(self._TOC_TITLES.match(normalise_title(title)))


def _find_span(words: list[str], phrase: list[str]) -> range | None:
    size = len(phrase)
    for start in range(len(words) - size + 1):
        if words[start : start + size] == phrase:
            return range(start, start + size)
    return None


def _joined(words: list[str], span: range) -> bool:
    """A one-word alias counts as a second section only when joined by 'and' ("Intake and Routing")."""
    before = words[span.start - 1] if span.start > 0 else ""
    after = words[span.stop] if span.stop < len(words) else ""
    return "and" in (before, after)
