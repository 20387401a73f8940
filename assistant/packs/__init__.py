"""Prompt packs: manifests (variables, steps, checklists), sandboxed rendering and variables files."""

from assistant.packs.manifest import Checklist, Pack, PackLibrary, Section, Step, Variable, Vocabulary, builtin_prompts_dir
from assistant.packs.render import (
    ListValue,
    RenderedPrompt,
    fill_placeholders,
    prepare_variables,
    render_all_parts,
    render_offline,
    render_step,
)
from assistant.packs.varsfile import dump_variables_yaml, load_variables_file, parse_overrides, parse_variables_yaml

__all__ = [
    "Checklist",
    "ListValue",
    "Pack",
    "PackLibrary",
    "RenderedPrompt",
    "Section",
    "Step",
    "Variable",
    "Vocabulary",
    "builtin_prompts_dir",
    "dump_variables_yaml",
    "fill_placeholders",
    "load_variables_file",
    "parse_overrides",
    "parse_variables_yaml",
    "prepare_variables",
    "render_all_parts",
    "render_offline",
    "render_step",
]
