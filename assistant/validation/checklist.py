"""The required-sections validator: is every section there, with a real body?

Pure text work (no providers, no store). Sections are found the way a careful
reader finds them:

* every heading and heading-like line is a candidate (see :mod:`assistant.outline`);
* a candidate's title is matched against each section's ``title`` and
  ``aliases`` after normalising case, punctuation and numbering;
* a candidate nested inside a matched section belongs to that section (so
  ``### Metrics to watch`` under the intake section does not make a metrics
  section), unless the checklist marks the section ``nested`` (runbook time
  windows, the final checklist);
* a candidate whose title matches nothing is recognised from its body when
  the body clearly covers a section's required items;
* a table of contents, an intro naming the sections, a keyword in another
  section's prose, or the model's own ticked checklist never make a section
  present.

A matched section is ``present`` with a real body, ``empty`` when it only has
"TBD"-style filler or sub-headings, else ``missing``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from assistant.validation.lints import LintFinding, banned_phrases, finding, has_timeframe, unfilled_placeholders
from assistant.validation.outline import FENCE_MARKER, LIST_LINE, RULE_LINE, TABLE_SEPARATOR, Node, Outline, label_title, parse_outline
from assistant.packs import Checklist, Pack, Section
from assistant.validation.textmatch import contains_phrase, normalise, normalise_title

Status = Literal["present", "empty", "missing"]


class SectionResult(BaseModel):
    id: str
    title: str
    status: Status
    line: int | None = None
    missing_items: list[str] = []


class ValidationReport(BaseModel):
    checklist: str
    ok: bool
    sections: list[SectionResult]
    missing: list[str]
    lints: list[LintFinding]
    truncated: bool = False

    @property
    def errors(self) -> list[LintFinding]:
        return [lint for lint in self.lints if lint.severity == "error"]

    def section(self, section_id: str) -> SectionResult:
        return next(s for s in self.sections if s.id == section_id)

    def contract(self) -> dict[str, object]:
        """The JSON shape printed by ``playbook validate --format json``."""
        return self.model_dump(mode="json")


# --- title matching ----------------------------------------------------------------


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


# --- section bodies -------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"\b(?:tbd|tbc|todo|to ?do|n/?a|none yet|coming soon|to be (?:completed|determined|defined|confirmed|added|written|"
    r"filled(?: in)?|decided|provided|drafted)|pending|placeholder|lorem ipsum|x{3,}|under construction|"
    r"work in progress|wip|details to follow|to follow|(?:content|details?|text) (?:goes|to go|will go) here|"
    r"insert [\w\s]{0,40} here|fill (?:in|this)(?: later| in later)?|left blank|intentionally blank|"
    r"(?:this section )?will be (?:completed|added|provided|defined|written|finali[sz]ed|confirmed|drafted))\b|\.\.\.|…",
    re.IGNORECASE,
)
#: a body this long is real even if it opens with "TBD"; shorter ones that open with filler are placeholders
_PLACEHOLDER_NOTE_WORDS = 15
_MARKUP = re.compile(r"[#>*_`|~\[\](){}]|^\s*(?:[-+•]|\d+[.)])\s+")
_WORD = re.compile(r"[^\W_]+")
_LABEL_WITH_FILLER = re.compile(r"^[^:]{1,60}:\s*(.*)$")


def _content_words(line: str) -> int:
    """Words of real content in one line (filler such as 'TBD' removed)."""
    stripped = line.strip()
    if not stripped or RULE_LINE.match(stripped) or TABLE_SEPARATOR.match(stripped) or FENCE_MARKER.match(stripped):
        return 0
    if stripped.startswith("|"):
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if all(not _WORD.search(_PLACEHOLDER.sub("", c)) for c in cells[1:]) and len(cells) > 1:
            return 0
    label = _LABEL_WITH_FILLER.match(_MARKUP.sub(" ", stripped).strip())
    if label and _PLACEHOLDER.search(label.group(1)) and not _WORD.search(_PLACEHOLDER.sub("", label.group(1))):
        return 0
    return len(_WORD.findall(_PLACEHOLDER.sub(" ", _MARKUP.sub(" ", stripped))))


def _table_scaffolding(lines: list[str], start: int, end: int) -> set[int]:
    """Table lines that carry no content: header rows, separators, and rows of a table
    that never got its separator (a header the model started and never filled)."""
    ignored: set[int] = set()
    index = start
    while index < end:
        if not lines[index].lstrip().startswith("|"):
            index += 1
            continue
        block_end = index
        while block_end < end and lines[block_end].lstrip().startswith("|"):
            block_end += 1
        separators = [i for i in range(index, block_end) if TABLE_SEPARATOR.match(lines[i])]
        if separators:
            ignored.update(range(index, separators[0] + 1))
        else:
            ignored.update(range(index, block_end))
        index = block_end
    return ignored


def has_real_body(outline: Outline, node: Node) -> bool:
    """At least a short sentence of content below the title (sub-headings and filler don't count).

    A body that opens with filler ("TBD — to be agreed with Finance", "Coming soon: ...") and
    says little else is still a placeholder, not a section.
    """
    titles = {n.line for n in node.descendants()}
    lines = outline.lines
    scaffolding = _table_scaffolding(lines, node.body_start, node.end)
    words = 0
    opens_with_filler: bool | None = None
    for index in range(node.body_start, node.end):
        if index in titles or index in scaffolding or not lines[index].strip():
            continue
        if opens_with_filler is None and not FENCE_MARKER.match(lines[index]):
            opening = _MARKUP.sub(" ", lines[index]).strip()
            opens_with_filler = bool(_PLACEHOLDER.match(opening))
        words += len(_WORD.findall(_MARKUP.sub(" ", lines[index])))
        if words >= _PLACEHOLDER_NOTE_WORDS:
            return True
    if opens_with_filler:
        return False
    return sum(_content_words(lines[i]) for i in range(node.body_start, node.end) if i not in titles and i not in scaffolding) >= 3


def _body_text(outline: Outline, node: Node) -> str:
    return normalise(" ".join(outline.lines[node.body_start : node.end]))


def _missing_items(section: Section, body: str) -> list[str]:
    return [
        item.text for item in section.items if not any(contains_phrase(body, normalise(p)) for p in item.phrases)
    ]


@dataclass
class _Claim:
    node: Node
    status: Status
    missing_items: list[str]

    @property
    def rank_key(self) -> tuple[int, int]:
        return (0 if self.status == "present" else 1, len(self.missing_items))


# --- truncation ---------------------------------------------------------------------

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


# --- the validator --------------------------------------------------------------------


def find_sections(text: str, checklist: Checklist) -> tuple[Outline, dict[str, list[_Claim]]]:
    """Every place in ``text`` that holds one of the checklist's sections."""
    matcher = TitleMatcher(checklist)
    sections = {s.id: s for s in checklist.sections}

    def promote(parent: Node, child: Node) -> bool:
        """Is this sub-heading really a sibling the model mis-levelled?"""
        child_ids = matcher.match(child.title)
        parent_ids = matcher.match(parent.title)
        if not child_ids or not parent_ids or not set(child_ids).isdisjoint(parent_ids):
            return False
        if child.number is not None and parent.number is not None:
            return child.number > parent.number  # "### 5)" or "**5) ...**" under "## 4)"
        if child.kind != "heading":
            return False  # an unnumbered bold line after a heading is a sub-label of its section
        return all(sections[c].part for c in child_ids) and all(sections[p].part for p in parent_ids)  # two roles

    outline = parse_outline(text, promote)
    claims: dict[str, list[_Claim]] = {}
    unmatched_leaves: list[Node] = []

    def claim(section_id: str, node: Node) -> None:
        section = sections[section_id]
        present = has_real_body(outline, node)
        missing = _missing_items(section, _body_text(outline, node)) if present else [i.text for i in section.items]
        claims.setdefault(section_id, []).append(_Claim(node, "present" if present else "empty", missing))

    def is_document_title(node: Node, matched: list[str]) -> bool:
        """A heading over two or more children that name other top-level sections is the document's title
        (unless it is itself a nested kind of section, like a time window holding the roles)."""
        if all(sections[sid].nested for sid in matched):
            return False
        others = {
            sid
            for child in node.children
            for sid in matcher.match(child.title)
            if sid not in matched and not sections[sid].nested
        }
        return len(others) >= 2

    def visit(node: Node, owners: list[str]) -> None:
        """``owners``: the sections claimed by the nearest matched ancestor (empty at the top).

        Inside a section only ``nested`` sections may be claimed, except that a nested kind of
        section (a time window) owns nothing exclusively: roles organised by window still count.
        """
        matched = matcher.match(node.title)
        if matched and not owners and is_document_title(node, matched):
            matched = []
        if owners:
            open_owner = all(sections[o].nested for o in owners)
            taken = [sid for sid in matched if sections[sid].nested or open_owner]
            for section_id in taken:
                claim(section_id, node)
            owners = taken if taken and open_owner else owners
        elif matched:
            for section_id in matched:
                claim(section_id, node)
            owners = matched
        elif matcher.is_toc(node.title):
            return
        elif not any(matcher.match(d.title) for d in node.descendants()):
            if not matcher.is_intro(node.title):
                unmatched_leaves.append(node)
        for child in node.children:
            visit(child, owners)

    for root in outline.roots:
        visit(root, [])
    _infer_from_bodies(outline, checklist, unmatched_leaves, claims)
    _fill_part_windows(outline, checklist, claims)
    return outline, {key: sorted(found, key=lambda c: c.rank_key) for key, found in claims.items()}


def section_spans(text: str, checklist: Checklist) -> tuple[Outline, dict[str, Node]]:
    """The best node for each section found (used to merge repairs into a draft)."""
    outline, claims = find_sections(text, checklist)
    return outline, {key: found[0].node for key, found in claims.items() if found}


def validate(
    text: str,
    checklist: Checklist,
    *,
    name: str = "",
    variables: Iterable[str] = (),
    banned: Iterable[str] = (),
    known_truncated: bool = False,
) -> ValidationReport:
    """Judge ``text`` against ``checklist`` and run the lints.

    ``known_truncated`` is set by the chain when the provider reported
    ``finish_reason=length``; otherwise truncation is detected from the text.
    """
    outline, claims = find_sections(text, checklist)
    results = []
    for section in checklist.sections:
        found = claims.get(section.id, [])
        if found:
            best = found[0]
            results.append(
                SectionResult(
                    id=section.id,
                    title=section.title,
                    status=best.status,
                    line=outline.original_line(best.node.line),
                    missing_items=best.missing_items,
                )
            )
        else:
            results.append(SectionResult(id=section.id, title=section.title, status="missing"))

    lints = _lints(outline, checklist, results, claims, variables, banned)
    cut_at = ends_mid_section(outline)
    truncated = known_truncated or cut_at is not None
    if truncated:
        last = cut_at if cut_at is not None else len(outline.lines) - 1
        line = outline.original_line(last)
        lints.append(finding("truncated", f"The answer stops mid-section (last line {line}).", line))
    lints.sort(key=lambda lint: (lint.line or 0, lint.code))
    missing = [r.id for r in results if r.status != "present"]
    ok = not missing and not any(lint.severity == "error" for lint in lints)
    return ValidationReport(checklist=name, ok=ok, sections=results, missing=missing, lints=lints, truncated=truncated)


def _infer_from_bodies(
    outline: Outline, checklist: Checklist, leaves: list[Node], claims: dict[str, list[_Claim]]
) -> None:
    """A heading that names no section still counts when its body clearly is one."""
    for node in leaves:
        if not has_real_body(outline, node):
            continue
        body = _body_text(outline, node)
        scored = []
        for section in checklist.sections:
            signs = [*section.items, *section.evidence]
            if len(signs) < 2 or any(c.status == "present" for c in claims.get(section.id, [])):
                continue
            found = sum(1 for sign in signs if any(contains_phrase(body, normalise(p)) for p in sign.phrases))
            ratio = found / len(signs)
            if found >= 3 or (found >= 2 and ratio >= 0.5):
                scored.append((ratio, found, section))
        scored.sort(key=lambda s: (-s[0], -s[1]))
        strong = [section for ratio, found, section in scored if ratio >= 0.75 and found >= 3]
        if len(strong) > 1:
            chosen = strong  # one heading over two whole sections ("Comms" covering customer and internal)
        elif scored and (len(scored) == 1 or scored[0][:2] != scored[1][:2]):
            chosen = [scored[0][2]]
        else:
            chosen = []
        for section in chosen:
            claims.setdefault(section.id, []).append(_Claim(node, "present", _missing_items(section, body)))


def _fill_part_windows(outline: Outline, checklist: Checklist, claims: dict[str, list[_Claim]]) -> None:
    """A nested section (e.g. 'First hour') also counts when a part writes it as a label of its
    own — a line or table cell that starts with it ("| 0–15 min | ...", "First hour: ...") —
    rather than as a heading. A mention in prose ("use the templates in section 5") does not."""
    parts = [s for s in checklist.sections if s.part]
    for section in checklist.sections:
        if not section.nested or any(c.status == "present" for c in claims.get(section.id, [])):
            continue
        for part in parts:
            item = next((i for i in part.items if normalise(i.text) == normalise(section.title)), None)
            if item is None:
                continue
            phrases = [normalise(p) for p in item.phrases]
            for claim in claims.get(part.id, []):
                if claim.status == "present" and _labels_with(outline, claim.node, phrases):
                    claims.setdefault(section.id, []).append(_Claim(claim.node, "present", []))
                    break


def _labels_with(outline: Outline, node: Node, phrases: list[str]) -> bool:
    for line in outline.lines[node.body_start : node.end]:
        for cell in line.split("|"):
            start = normalise(cell)
            if any(start == p or start.startswith(p + " ") for p in phrases):
                return True
    return False


def _lints(
    outline: Outline,
    checklist: Checklist,
    results: list[SectionResult],
    claims: dict[str, list[_Claim]],
    variables: Iterable[str],
    banned: Iterable[str],
) -> list[LintFinding]:
    lines = outline.lines
    found = list(unfilled_placeholders(lines, outline, variables))
    found.extend(banned_phrases(lines, outline, banned))
    for section, result in zip(checklist.sections, results, strict=True):
        if not section.timed or result.status != "present":
            continue
        node = claims[section.id][0].node
        if not has_timeframe("\n".join(lines[node.line : node.end])):
            found.append(
                finding(
                    "missing_timeframe",
                    f"Section “{section.title}” gives no timeframes for its actions.",
                    outline.original_line(node.line),
                )
            )
    return found


def validate_step(text: str, pack: Pack, step_id: str, *, known_truncated: bool = False) -> ValidationReport:
    """Validate an answer to one step of a pack (its checklist, variables and banned phrases)."""
    step = pack.step(step_id)
    checklist = pack.checklist_for(step.id) or Checklist(sections=[])
    return validate(
        text,
        checklist,
        name=f"{pack.name}/{step.id}",
        variables=[v.name for v in pack.variables],
        banned=pack.banned_phrases,
        known_truncated=known_truncated,
    )
