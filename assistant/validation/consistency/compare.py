"""Compare what the documents state: the first document present is the reference for the others.

A target conflicts only when no reference value overlaps it, a level or role name only when it
is not the reference's name, and a level the reference never defines is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from assistant.validation.consistency.extract import extract
from assistant.validation.consistency.names import NameFact
from assistant.validation.consistency.report import Conflict, ConsistencyReport, Location
from assistant.validation.consistency.targets import TargetFact

KIND_LABELS: dict[str, str] = {"ack": "time to acknowledge", "update": "update cadence", "resolution": "resolution target"}
#: the order documents are compared in: the first present is the reference
DOCUMENT_ORDER = ("playbook", "runbooks", "training")


def _loc(fact: TargetFact | NameFact, value: str) -> Location:
    return Location(document=fact.document, line=fact.line, text=fact.text, value=value)


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", " ", name.lower()).split("(")[0].strip()


def _same_name(a: str, b: str) -> bool:
    ka, kb = " ".join(_name_key(a).split()), " ".join(_name_key(b).split())
    return ka == kb or ka in kb or kb in ka


def _target_conflicts(facts: list[TargetFact], order: list[str]) -> list[Conflict]:
    conflicts: list[Conflict] = []
    groups: dict[tuple[str, str], dict[str, list[TargetFact]]] = {}
    for fact in facts:
        groups.setdefault((fact.scope, fact.kind), {}).setdefault(fact.document, []).append(fact)
    for (scope, kind), by_doc in sorted(groups.items()):
        present = [d for d in order if d in by_doc]
        if len(present) < 2:
            continue
        # the first document that states this target is the reference (the playbook when it does)
        reference = by_doc[present[0]]
        for other in present[1:]:
            reported: set[int] = set()
            for fact in by_doc[other]:
                if fact.line in reported or any(fact.overlaps(r) for r in reference):
                    continue
                nearest = min(reference, key=lambda r: min(abs(r.low - fact.low), abs(r.high - fact.high)))
                reported.add(fact.line)
                subject = f"{scope} {KIND_LABELS[kind]}"
                conflicts.append(
                    Conflict(
                        kind="response_target",
                        severity="error",
                        subject=subject,
                        message=(
                            f"{subject}: {nearest.document} says {nearest.value} (line {nearest.line}) but "
                            f"{fact.document} says {fact.value} (line {fact.line})."
                        ),
                        first=_loc(nearest, nearest.value),
                        second=_loc(fact, fact.value),
                    )
                )
    return conflicts


def _level_conflicts(levels: list[NameFact], mentions: list[NameFact], order: list[str]) -> list[Conflict]:
    conflicts: list[Conflict] = []
    by_level: dict[str, dict[str, NameFact]] = {}
    for fact in levels:
        by_level.setdefault(fact.key, {}).setdefault(fact.document, fact)
    for key, by_doc in sorted(by_level.items()):
        present = [d for d in order if d in by_doc]
        if len(present) < 2:
            continue
        reference = by_doc[present[0]]
        for other in present[1:]:
            fact = by_doc[other]
            if not _same_name(reference.name, fact.name):
                conflicts.append(
                    Conflict(
                        kind="level_name",
                        severity="warning",
                        subject=f"{key} name",
                        message=f"{key} is '{reference.name}' in {reference.document} (line {reference.line}) but '{fact.name}' in {fact.document} (line {fact.line}).",
                        first=_loc(reference, reference.name),
                        second=_loc(fact, fact.name),
                    )
                )
    reference_doc = next((d for d in order if any(f.document == d for f in levels)), None)
    if reference_doc is not None:
        defined = {f.key for f in levels if f.document == reference_doc}
        highest = max(int(k.split()[1]) for k in defined)
        anchor = next(f for f in levels if f.document == reference_doc)
        seen: set[str] = set()
        for mention in mentions:
            if mention.document == reference_doc or mention.key in defined or mention.key in seen:
                continue
            if int(mention.key.split()[1]) > highest:
                seen.add(mention.key)
                conflicts.append(
                    Conflict(
                        kind="unknown_level",
                        severity="error",
                        subject=mention.key,
                        message=f"{mention.document} (line {mention.line}) refers to {mention.key}, which {reference_doc} does not define (its levels end at Level {highest}).",
                        first=_loc(anchor, f"levels up to Level {highest}"),
                        second=_loc(mention, mention.key),
                    )
                )
    return conflicts


def _role_conflicts(roles: list[NameFact], order: list[str]) -> list[Conflict]:
    reference_doc = next((d for d in order if any(r.document == d for r in roles)), None)
    if reference_doc is None:
        return []
    known: dict[str, NameFact] = {}
    for role in roles:
        if role.document == reference_doc:
            known.setdefault(role.key, role)
    conflicts: list[Conflict] = []
    seen: set[tuple[str, str]] = set()
    for role in roles:
        if role.document == reference_doc or role.key in known or any(role.key.endswith(" " + k) for k in known):
            continue
        words = role.key.split()
        same_doc = {r.key for r in roles if r.document == role.document}
        rivals = [
            k for k in known
            if len(k.split()) == len(words) and k.split()[:-1] == words[:-1] and k.split()[-1] != words[-1] and k not in same_doc
        ]
        if not rivals or (role.document, role.key) in seen:
            continue
        seen.add((role.document, role.key))
        rival = known[rivals[0]]
        conflicts.append(
            Conflict(
                kind="role_name",
                severity="warning",
                subject=f"role '{rival.name}'",
                message=f"{role.document} calls a role '{role.name}' (line {role.line}) where {reference_doc} says '{rival.name}' (line {rival.line}).",
                first=_loc(rival, rival.name),
                second=_loc(role, role.name),
            )
        )
    return conflicts


def check_consistency(documents: Mapping[str, str]) -> ConsistencyReport:
    """Compare the documents (keys such as "playbook", "runbooks", "training"; the playbook is the reference)."""
    order = [d for d in DOCUMENT_ORDER if d in documents] + [d for d in documents if d not in DOCUMENT_ORDER]
    extracted = {name: extract(name, text) for name, text in documents.items() if text and text.strip()}
    targets = [f for e in extracted.values() for f in e.targets]
    levels = [f for e in extracted.values() for f in e.levels]
    roles = [f for e in extracted.values() for f in e.roles]
    mentions = [f for e in extracted.values() for f in e.level_mentions]
    conflicts = _target_conflicts(targets, order) + _level_conflicts(levels, mentions, order) + _role_conflicts(roles, order)
    return ConsistencyReport(
        documents=[d for d in order if d in extracted],
        targets=len(targets),
        levels=len({(f.document, f.key) for f in levels}),
        roles=len({(f.document, f.key) for f in roles}),
        conflicts=conflicts,
    )


def documents_from_steps(steps: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``(step key, text)`` pairs (e.g. from a stored run) -> the documents to compare; fan-out parts are joined."""
    docs: dict[str, list[str]] = {}
    whole: dict[str, str] = {}
    for key, text in steps:
        base, _, part = key.partition(":")
        if part:
            docs.setdefault(base, []).append(text)
        else:
            whole[base] = text
    out = {k: "\n\n".join(v) for k, v in docs.items()}
    out.update({k: v for k, v in whole.items() if v.strip()})
    return {k: out[k] for k in DOCUMENT_ORDER if k in out}
