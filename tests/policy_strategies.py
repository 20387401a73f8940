"""Hypothesis strategies for valid escalation policies: any level set, trigger and target a person could write."""

from __future__ import annotations

from hypothesis import strategies as st

from assistant.analytics.policy import Condition, EscalationPolicy, LevelPolicy, Naming, ResponseTargets, Role, Trigger, WarRoom
from assistant.analytics.tickets.fields import BOOLEAN_COLUMNS, CONDITION_COLUMNS, NUMERIC_COLUMNS, TEXT_COLUMNS

_words = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "Pd")), min_size=1, max_size=30).filter(str.strip)
_minutes = st.floats(min_value=1, max_value=60 * 24 * 14, allow_nan=False).map(lambda m: round(m, 1))
ROLE_NAMES = ["Escalation Owner", "Incident Commander", "Comms Lead", "SME Lead", "Executive Sponsor"]


@st.composite
def conditions(draw: st.DrawFn) -> Condition:
    kind = draw(st.sampled_from(["numeric", "text", "flag"]))
    if kind == "numeric":
        op = draw(st.sampled_from([">", ">=", "<", "<=", "==", "!="]))
        threshold = draw(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
        return Condition(column=draw(st.sampled_from(sorted(NUMERIC_COLUMNS & CONDITION_COLUMNS))), op=op, threshold=threshold)
    if kind == "text":
        values = draw(st.lists(_words, min_size=1, max_size=3))
        return Condition(column=draw(st.sampled_from(sorted(TEXT_COLUMNS & CONDITION_COLUMNS))), op=draw(st.sampled_from(["in", "not_in"])), values=values)
    return Condition(column=draw(st.sampled_from(sorted(BOOLEAN_COLUMNS & CONDITION_COLUMNS))), op=draw(st.sampled_from(["is_true", "is_false"])))


@st.composite
def levels(draw: st.DrawFn, number: int) -> LevelPolicy:
    triggers = draw(st.lists(st.builds(Trigger, name=_words, match=st.sampled_from(["all", "any"]),
                                       conditions=st.lists(conditions(), min_size=1, max_size=3)), min_size=1, max_size=3))
    targets = ResponseTargets(
        ack_minutes=draw(_minutes), update_minutes=draw(st.none() | _minutes), resolution_minutes=draw(st.none() | _minutes)
    )
    return LevelPolicy(
        level=number, name=draw(_words), match=draw(st.sampled_from(["any", "all"])), triggers=triggers, targets=targets,
        severity=draw(st.none() | st.sampled_from(["P1", "P2", "P3", "P4"])), routing=draw(st.just("") | _words),
        roles=draw(st.lists(st.sampled_from(ROLE_NAMES), unique=True, max_size=3)), criteria=draw(st.just("") | _words),
    )


@st.composite
def policies(draw: st.DrawFn) -> EscalationPolicy:
    """A valid policy: one to four distinct levels, triggers on any ticket field, any targets."""
    numbers = draw(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=4, unique=True))
    return EscalationPolicy(
        title=draw(_words),
        levels=[draw(levels(n)) for n in numbers],
        roles=[Role(name=name) for name in ROLE_NAMES],
        war_room=draw(st.none() | st.builds(WarRoom, opens_at_level=st.integers(1, 4))),
        naming=Naming(tag_prefix=draw(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True))),
    )
