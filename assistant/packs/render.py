"""Fill a pack's templates with the user's variables, safely.

Templates are the pack author's code and run in Jinja2's sandbox with
``StrictUndefined``. Variable values are the user's *data*: they are passed
into the context, never compiled, so ``{{ 7*7 }}`` typed into a form field is
sent to the model as exactly those characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from assistant.errors import TemplateRenderError, VariablesError
from assistant.packs.manifest import Pack, Section, Step, Variable
from assistant.packs.sandbox import environment

DEFAULT_MAX_CHARS = 4000


class ListValue(str):
    """A list variable: prints as a Markdown bullet list, ``.inline`` gives "a, b and c"."""

    items: tuple[str, ...]

    def __new__(cls, items: list[str]) -> ListValue:
        value = super().__new__(cls, "\n".join(f"- {item}" for item in items))
        value.items = tuple(items)
        return value

    @property
    def inline(self) -> str:
        if len(self.items) <= 1:
            return "".join(self.items)
        return ", ".join(self.items[:-1]) + " and " + self.items[-1]


@dataclass(frozen=True)
class RenderedPrompt:
    """What is sent to the model for one step (or one fan-out part)."""

    user: str
    system: str | None = None

    @property
    def text(self) -> str:
        """Both parts, for people who paste prompts into their own chat tool."""
        return f"{self.system.rstrip()}\n\n---\n\n{self.user}" if self.system else self.user


def _split_list(value: str) -> list[str]:
    separator = "\n" if "\n" in value else ","
    return [part.strip().lstrip("-*•").strip() for part in value.split(separator) if part.strip().lstrip("-*•").strip()]


def _coerce(variable: Variable, value: Any) -> str | list[str]:
    if isinstance(value, (list, tuple)):
        items = [str(v).strip() for v in value if v is not None and str(v).strip()]
        return items if variable.type == "list" else ", ".join(items)
    if isinstance(value, Mapping):
        raise TypeError("a mapping is not a valid value; give text or a list of text")
    text = "" if value is None else str(value).strip()
    return _split_list(text) if variable.type == "list" else text


def prepare_variables(
    pack: Pack, values: Mapping[str, Any], *, max_chars: int = DEFAULT_MAX_CHARS
) -> dict[str, str | list[str]]:
    """Check and normalise user values; report every problem at once.

    Returns plain strings and lists (what is stored and exported).
    """
    problems: dict[str, str] = {}
    known = {v.name for v in pack.variables}
    for name in values:
        if name not in known:
            problems[name] = f"unknown variable; {pack.name} takes: {', '.join(sorted(known))}"
    clean: dict[str, str | list[str]] = {}
    for variable in pack.variables:
        try:
            value = _coerce(variable, values.get(variable.name))
        except TypeError as exc:
            problems[variable.name] = str(exc)
            continue
        limit = variable.max_length or max_chars
        size = sum(len(v) for v in value) if isinstance(value, list) else len(value)
        if not value and variable.required:
            problems[variable.name] = "required"
        elif size > limit:
            problems[variable.name] = f"too long ({size:,} characters; the limit is {limit:,})"
        elif variable.type == "choice" and value and value not in variable.choices:
            problems[variable.name] = f"must be one of: {', '.join(variable.choices)}"
        clean[variable.name] = value
    if problems:
        missing = [n for n, p in problems.items() if p == "required"]
        other = {n: p for n, p in problems.items() if p != "required"}
        lines = []
        if missing:
            lines.append(f"Pack {pack.name!r} is missing required variable(s): {', '.join(missing)}.")
        lines.extend(f"Variable {n!r}: {p}." for n, p in other.items())
        lines.append("Fill them in (see `playbook example " + pack.name + "`) and try again.")
        raise VariablesError(" ".join(lines), problems)
    return clean


def _as_context(values: Mapping[str, str | list[str]]) -> dict[str, Any]:
    return {k: ListValue(v) if isinstance(v, list) else v for k, v in values.items()}


_PLACEHOLDER = re.compile(r"\[([A-Z][A-Z0-9_]*)\]")


def fill_placeholders(text: str, values: Mapping[str, Any]) -> str:
    """Swap seed-style ``[SYSTEMS_USED]`` in manifest text for the user's value.

    Manifest text (checklist items) keeps the seed's wording; this is plain
    string substitution, so values are never interpreted.
    """

    def swap(match: re.Match[str]) -> str:
        value = values.get(match.group(1).lower())
        if value is None or isinstance(value, jinja2.Undefined) or value == "":
            return match.group(0)
        if isinstance(value, list):
            value = ListValue(value)
        return value.inline if isinstance(value, ListValue) else str(value)

    return _PLACEHOLDER.sub(swap, str(text))


@jinja2.pass_context
def _fill_filter(context: jinja2.runtime.Context, text: str) -> str:
    """``{{ item.text | fill }}`` inside templates."""
    return fill_placeholders(text, context)


def _render_file(pack: Pack, name: str, context: dict[str, Any]) -> str:
    try:
        template = environment(pack.directory, (("fill", _fill_filter),)).get_template(name)
        return template.render(context).strip() + "\n"
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateRenderError(
            f"{pack.directory / (exc.filename or name)}, line {exc.lineno}: template syntax error: {exc.message}"
        ) from None
    except jinja2.UndefinedError as exc:
        raise TemplateRenderError(
            f"{pack.directory / name}: uses an undefined name ({exc.message}); declare it as a variable in manifest.yaml"
        ) from None
    except (jinja2.exceptions.SecurityError, OverflowError) as exc:
        raise TemplateRenderError(f"{pack.directory / name}: blocked by the template sandbox: {exc}") from None
    except RecursionError:
        raise TemplateRenderError(f"{pack.directory / name}: recursion too deep (a macro or include calls itself)") from None
    except jinja2.TemplateError as exc:
        raise TemplateRenderError(f"{pack.directory / name}: {exc}") from None


def render_step(
    pack: Pack,
    step: Step,
    variables: Mapping[str, str | list[str]],
    inputs: Mapping[str, str] | None = None,
    *,
    part: Section | None = None,
    system_pack: Pack | None = None,
) -> RenderedPrompt:
    """Render one step (one part of a fan-out step) to the text sent to the model.

    ``variables`` must come from :func:`prepare_variables`; ``inputs`` holds the
    outputs of the steps this one ``needs``; ``system_pack`` supplies a shared
    system prompt (the expert persona) that replaces the step's own.
    """
    missing_inputs = [n for n in step.needs if not (inputs or {}).get(n)]
    if missing_inputs:
        raise VariablesError(
            f"Step {step.id!r} reads the output of {', '.join(missing_inputs)}; run or paste that step first."
        )
    context: dict[str, Any] = _as_context(variables)
    context.update(
        facts=[
            {"name": v.name, "label": v.label, "help": v.help, "value": context[v.name], "is_list": v.type == "list"}
            for v in pack.variables_for(step)
            if context.get(v.name)
        ],
        pack={"name": pack.name, "title": pack.title},
        step={"id": step.id, "title": step.title},
        inputs=dict(inputs or {}),
        checklist=pack.checklist_for(step.id),
        checklists=pack.checklists,
        banned_phrases=pack.banned_phrases,
    )
    if step.fan_out:
        if part is None:
            raise TemplateRenderError(f"Step {step.id!r} is rendered once per part; name the part to render.")
        context[step.fan_out.as_] = part
        context["parts"] = pack.fan_out_parts[step.id]
    user = _render_file(pack, step.template, context)
    if system_pack is not None and system_pack.system:
        system = _render_file(system_pack, system_pack.system, _as_context(_fill_optional(system_pack, variables)))
    elif step.system:
        system = _render_file(pack, step.system, context)
    else:
        system = None
    return RenderedPrompt(user=user, system=system)


def _fill_optional(pack: Pack, variables: Mapping[str, str | list[str]]) -> dict[str, str | list[str]]:
    """Context for another pack's system template: its own variables, blank when not given."""
    return {v.name: variables.get(v.name, [] if v.type == "list" else "") for v in pack.variables}


def render_all_parts(
    pack: Pack,
    step: Step,
    variables: Mapping[str, str | list[str]],
    inputs: Mapping[str, str] | None = None,
    *,
    system_pack: Pack | None = None,
) -> list[tuple[Section | None, RenderedPrompt]]:
    """Every request a step makes: one, or one per fan-out part in manifest order."""
    if not step.fan_out:
        return [(None, render_step(pack, step, variables, inputs, system_pack=system_pack))]
    return [
        (part, render_step(pack, step, variables, inputs, part=part, system_pack=system_pack))
        for part in pack.fan_out_parts[step.id]
    ]


def render_offline(pack: Pack, template: str, task: Any) -> str:
    """Render a pack's hand-written offline draft template for a :class:`DraftTask`."""
    context = _as_context(task.variables)
    checklist = pack.checklist_for(task.step)
    context.update(
        checklist=checklist,
        part=checklist.section(task.part) if checklist and task.part else None,
        wanted=task.sections,
        banned_phrases=pack.banned_phrases,
    )
    for variable in pack.variables:
        context.setdefault(variable.name, ListValue([]) if variable.type == "list" else "")
    return _render_file(pack, template, context)
