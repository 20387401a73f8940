"""Prompt packs: the manifest models and the loader.

A pack is a folder under ``prompts/`` (or the user's ``PLAYBOOK_PROMPTS_DIR``)
holding ``manifest.yaml`` and Jinja2 templates. The manifest is data only: the
variables a user fills, the steps of the chain, and per step the checklist of
required sections. The deliverable list shown to the model and the checklist
used to validate its answer are the same entries, so they cannot drift apart.
"""

from __future__ import annotations

import os
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from assistant.bounded import MAX_YAML_CHARS, load_yaml, read_text_file
from assistant.errors import ManifestError, UnknownPackError

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
PackName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]


#: names the renderer puts into every template context; variables may not use them
RESERVED_NAMES = frozenset({"pack", "step", "inputs", "checklist", "checklists", "banned_phrases", "parts", "fill", "facts"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variable(_Strict):
    """One fact the user supplies, e.g. ``company_name``."""

    name: Identifier
    label: str
    help: str = ""
    example: str | list[str] = ""
    required: bool = True
    type: Literal["text", "list", "choice"] = "text"
    choices: list[str] = []
    multiline: bool = False
    max_length: int | None = Field(default=None, ge=1)

    @property
    def placeholder(self) -> str:
        """How the seed prompts write it: ``[COMPANY_NAME]``."""
        return f"[{self.name.upper()}]"

    @model_validator(mode="after")
    def _choices_need_values(self) -> Variable:
        if self.type == "choice" and not self.choices:
            raise ValueError("a 'choice' variable needs a non-empty 'choices' list")
        return self


class ChecklistItem(_Strict):
    """A required sub-point of a section. ``text`` is shown to the model; ``match`` finds it.

    A phrase written ``a + b`` is found only when both parts are; ``role`` adds the names the
    pack's vocabulary gives that role ("Incident Manager" for the incident commander).
    """

    text: str
    match: list[str] = []
    role: Identifier | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @property
    def phrases(self) -> list[str]:
        return self.match or [self.text]


class Section(_Strict):
    """A required section of a step's answer."""

    id: Identifier
    title: str
    aliases: list[str] = []
    items: list[ChecklistItem] = []
    listed: bool = Field(default=True, description="shown in the numbered deliverable list of the prompt")
    nested: bool = Field(default=False, description="may sit inside another section (e.g. a runbook window)")
    timed: bool = Field(default=False, description="actions here need timeframes (missing_timeframe lint)")
    part: bool = Field(default=False, description="a fan-out part (e.g. one role's runbook)")
    scheme: bool = Field(default=False, description="a tier scheme in a team's own naming (SEV-1…, P1–P4) is this section")
    ownership: bool = Field(default=False, description="a run of parts named after roles is this section")
    answer_only: bool = Field(
        default=False, description="a model answer's own summary (the deliverable checklist): not asked of a team's policy"
    )
    evidence: list[ChecklistItem] = Field(
        default=[],
        description="extra signs (never shown to the model) that a body under an unrecognised heading is this section",
    )


class Vocabulary(_Strict):
    """Words teams use for the pack's roles, as data: role id -> the names that stand for it.

    A name written ``Customer Liaison + Internal Liaison`` stands for the role only when both
    are there (together they do the communications lead's job). A user extends it per pack with
    a ``vocabulary.yaml`` in their own prompts folder (``PLAYBOOK_PROMPTS_DIR/<pack>/``).
    """

    roles: dict[Identifier, list[str]] = {}

    def extended(self, other: Vocabulary) -> Vocabulary:
        roles = {role: list(names) for role, names in self.roles.items()}
        for role, names in other.roles.items():
            roles[role] = [*roles.get(role, []), *(n for n in names if n not in roles.get(role, []))]
        return Vocabulary(roles=roles)


class Checklist(_Strict):
    sections: list[Section]

    @model_validator(mode="after")
    def _unique_ids(self) -> Checklist:
        seen: set[str] = set()
        for section in self.sections:
            if section.id in seen:
                raise ValueError(f"section id {section.id!r} appears twice")
            seen.add(section.id)
        return self

    @property
    def listed(self) -> list[Section]:
        return [s for s in self.sections if s.listed]

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)


class FanOut(_Strict):
    """Render a step once per item, run the items in parallel, join them in this order.

    ``items`` are ids of the step's own checklist sections (so each part is
    checked as that section), exposed to the template under ``as``.
    """

    as_: Identifier = Field(alias="as", default="part")
    items: list[Identifier] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Step(_Strict):
    id: Identifier
    title: str
    document_title: str | None = Field(
        default=None, description="this step's heading in an exported document set; default: title"
    )
    description: str = ""
    template: str
    needs: list[Identifier] = []
    fan_out: FanOut | None = None
    system: str | None = Field(default=None, description="system prompt template file")
    optional: bool = Field(default=False, description="not part of 'run all' unless asked for")
    max_tokens: int | None = Field(default=None, ge=16)
    expected_tokens: int = Field(default=2500, ge=1, description="typical answer size (per part), for estimates")
    variables: list[Identifier] | None = Field(
        default=None, description="the variables this step uses (its facts block and form); default: all"
    )


class Pack(_Strict):
    """A validated prompt pack."""

    name: PackName
    title: str
    description: str = ""
    source: str = ""
    variables: list[Variable] = []
    steps: list[Step] = Field(min_length=1)
    checklists: dict[Identifier, Checklist] = {}
    example: dict[str, str | list[str]] = {}
    banned_phrases: list[str] = []
    vocabulary: Vocabulary = Vocabulary()
    system: str | None = Field(default=None, description="system prompt template offered to every pack")
    directory: Path = Field(exclude=True)

    def document_titles(self) -> dict[str, str]:
        """Each step's heading in an exported document set, in chain order."""
        return {step.id: step.document_title or step.title for step in self.steps}

    @model_validator(mode="before")
    @classmethod
    def _role_names(cls, data: Any) -> Any:
        """Items that name a ``role`` also match every name the vocabulary gives it."""
        vocabulary = data.get("vocabulary") if isinstance(data, dict) else None
        roles = vocabulary.get("roles") if isinstance(vocabulary, dict) else None
        if isinstance(roles, dict) and isinstance(data.get("checklists"), dict):
            for item in _raw_items(data["checklists"]):
                if item.get("role") in roles:
                    item["match"] = list(dict.fromkeys([*item.get("match", []), *roles[item["role"]]]))
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Pack:
        names = [v.name for v in self.variables]
        if len(set(names)) != len(names):
            raise ValueError("variables: a variable name appears twice")
        clashes = sorted(set(names) & RESERVED_NAMES)
        if clashes:
            raise ValueError(f"variables: {', '.join(clashes)} is reserved for the template context; rename it")
        step_ids: list[str] = []
        for step in self.steps:
            if step.id in step_ids:
                raise ValueError(f"steps: step id {step.id!r} appears twice")
            for need in step.needs:
                if need not in step_ids:
                    raise ValueError(
                        f"steps.{step.id}.needs: {need!r} is not an earlier step (known: {', '.join(step_ids) or 'none'})"
                    )
            step_ids.append(step.id)
            unknown = [v for v in step.variables or [] if v not in names]
            if unknown:
                raise ValueError(f"steps.{step.id}.variables: {', '.join(unknown)} not declared under variables")
            if step.fan_out:
                checklist = self.checklists.get(step.id)
                known = {s.id for s in checklist.sections} if checklist else set()
                for item in step.fan_out.items:
                    if item not in known:
                        raise ValueError(f"steps.{step.id}.fan_out.items: {item!r} is not a section of checklists.{step.id}")
        for key, checklist in self.checklists.items():
            for section in checklist.sections:
                for item in section.items:
                    if item.role is not None and item.role not in self.vocabulary.roles:
                        raise ValueError(f"checklists.{key}.{section.id}: role {item.role!r} is not under vocabulary.roles")
        for key in self.checklists:
            if key not in step_ids:
                raise ValueError(f"checklists.{key}: no step with that id")
        for key in self.example:
            if key not in names:
                raise ValueError(f"example.{key}: not a declared variable")
        for path in [s.template for s in self.steps] + [s.system for s in self.steps if s.system] + (
            [self.system] if self.system else []
        ):
            if not (self.directory / path).is_file():
                raise ValueError(f"template file {path!r} does not exist in {self.directory}")
        return self

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise UnknownPackError(
            f"Pack {self.name!r} has no step {step_id!r}. Steps: {', '.join(s.id for s in self.steps)}."
        )

    def checklist_for(self, step_id: str) -> Checklist | None:
        return self.checklists.get(step_id)

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def variables_for(self, step: Step) -> list[Variable]:
        """The variables a step uses, in manifest order."""
        return [v for v in self.variables if step.variables is None or v.name in step.variables]

    @property
    def default_steps(self) -> list[Step]:
        """Steps run by 'run all': every non-optional step."""
        return [s for s in self.steps if not s.optional]

    @cached_property
    def fan_out_parts(self) -> dict[str, list[Section]]:
        return {
            s.id: [self.checklists[s.id].section(i) for i in s.fan_out.items]
            for s in self.steps
            if s.fan_out
        }


def _raw_items(checklists: dict[str, Any]) -> list[dict[str, Any]]:
    """Every checklist item of a manifest not yet validated, as its mapping."""
    return [
        item
        for checklist in checklists.values()
        if isinstance(checklist, dict)
        for section in checklist.get("sections") or []
        if isinstance(section, dict)
        for item in section.get("items") or []
        if isinstance(item, dict)
    ]


# --- loading -------------------------------------------------------------------------


def builtin_prompts_dir() -> Path:
    """The packs shipped with the project (source tree first, then the wheel's copy)."""
    source_tree = Path(__file__).resolve().parents[2] / "prompts"
    if source_tree.is_dir():
        return source_tree
    return Path(str(resources.files("assistant") / "_bundled_prompts"))


def _describe(error: ValidationError) -> str:
    parts = []
    for err in error.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def load_pack(directory: Path) -> Pack:
    """Load and validate one pack folder; errors name the file and the field."""
    manifest_path = directory / "manifest.yaml"
    if not manifest_path.is_file():
        raise ManifestError(f"{manifest_path}: file not found; every pack folder needs a manifest.yaml")
    raw = load_yaml(read_text_file(manifest_path, MAX_YAML_CHARS, ManifestError), str(manifest_path), ManifestError)
    if not isinstance(raw, dict):
        raise ManifestError(f"{manifest_path}: expected a mapping of fields (name, title, variables, steps, ...)")
    raw.setdefault("name", directory.name)
    raw["directory"] = directory
    try:
        return Pack.model_validate(raw)
    except ValidationError as exc:
        raise ManifestError(f"{manifest_path}: {_describe(exc)}") from None


def pack_dirs(extra_dir: Path | None = None) -> list[Path]:
    """Folders searched for packs: the built-in ones, then the user's (which may override)."""
    dirs = [builtin_prompts_dir()]
    user = extra_dir or (Path(os.environ["PLAYBOOK_PROMPTS_DIR"]) if os.environ.get("PLAYBOOK_PROMPTS_DIR") else None)
    if user is not None:
        if not user.is_dir():
            raise ManifestError(f"{user}: PLAYBOOK_PROMPTS_DIR is not a folder; point it at a folder of pack folders")
        dirs.append(user)
    return dirs


class PackLibrary:
    """All packs found in the built-in and user folders, loaded once."""

    def __init__(self, extra_dir: Path | None = None) -> None:
        self.packs: dict[str, Pack] = {}
        for root in pack_dirs(extra_dir):
            for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
                if not (folder / "manifest.yaml").is_file() and (folder / "vocabulary.yaml").is_file():
                    self._extend_vocabulary(folder)
                    continue
                pack = load_pack(folder)
                self.packs[pack.name] = pack

    def _extend_vocabulary(self, folder: Path) -> None:
        """A folder holding only ``vocabulary.yaml`` adds its role names to the pack of that name."""
        path = folder / "vocabulary.yaml"
        pack = self.packs.get(folder.name)
        if pack is None:
            raise ManifestError(f"{path}: no pack named {folder.name!r} to extend; name the folder after a pack.")
        raw = load_yaml(read_text_file(path, MAX_YAML_CHARS, ManifestError), str(path), ManifestError)
        try:
            extra = Vocabulary.model_validate(raw or {})
        except ValidationError as exc:
            raise ManifestError(f"{path}: {_describe(exc)}") from None
        data = pack.model_dump(by_alias=True)
        data["vocabulary"] = pack.vocabulary.extended(extra).model_dump()
        self.packs[pack.name] = Pack.model_validate({**data, "directory": pack.directory})

    def get(self, name: str) -> Pack:
        try:
            return self.packs[name]
        except KeyError:
            raise UnknownPackError(f"Unknown pack {name!r}. Available packs: {', '.join(self.names)}.") from None

    @property
    def names(self) -> list[str]:
        return sorted(self.packs)

    def resolve(self, ref: str) -> tuple[Pack, Step]:
        """``pack/step`` -> (pack, step)."""
        pack_name, sep, step_id = ref.partition("/")
        if not sep or not step_id:
            raise UnknownPackError(f"Expected PACK/STEP (e.g. escalation-procedure/playbook), got {ref!r}.")
        pack = self.get(pack_name)
        return pack, pack.step(step_id)

    def system_prompt_packs(self) -> list[Pack]:
        """Packs that offer a system prompt usable by any pack (the expert persona)."""
        return [p for p in self.packs.values() if p.system]
