"""Bounded parsing of files and text people hand in: variables, policies, manifests, answers.

Every parser of untrusted text goes through here, so a hostile or clumsy file ends in a
one-line ``UserInputError`` (exit 2 in the CLI, an inline error in the app) in bounded time
and memory, never a traceback: a size limit before anything is parsed, YAML whose aliases
would expand past a node budget (a "billion laughs" file) refused while still a small graph,
nesting depth capped before Python's recursion limit, and numbers with more digits than
anyone writes refused instead of Python's own ``ValueError``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.errors import UserInputError

#: a variables file, a policy or a manifest is a few KB; 2 MB leaves room and stays cheap to parse
MAX_YAML_CHARS = 2_000_000
#: nodes a YAML document may have once every alias is expanded
MAX_YAML_NODES = 200_000
MAX_YAML_DEPTH = 64
#: a number longer than this is not a threshold, a minute count or a ticket id
MAX_NUMBER_DIGITS = 64
#: an answer to check: real answers are 10-250 KB; validation takes about 1-2 s per MB of Markdown
MAX_ANSWER_CHARS = 2_000_000
#: a policy file to audit (.docx, .html, .md): real ones are 5 KB-2 MB; 10 MB leaves room for pictures
MAX_DOCUMENT_BYTES = 10_000_000
#: what a .docx (a zip archive) may unpack to, and how many parts it may have: a zip bomb is refused unread
MAX_ARCHIVE_BYTES = 60_000_000
MAX_ARCHIVE_ENTRIES = 2_000


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a nesting-depth cap and an expansion budget for aliases."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.YAMLError(f"nested deeper than {MAX_YAML_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_NUMBER_DIGITS:
            raise yaml.YAMLError(f"a number with {digits:,} digits (at most {MAX_NUMBER_DIGITS})")
        return super().construct_yaml_int(node)


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)


def _expanded_nodes(root: yaml.Node) -> int:
    """How many nodes the document has with every alias expanded, counted without expanding."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            sizes[id(node)] = min(MAX_YAML_NODES + 1, 1 + sum(sizes.get(id(c), 0) for c in children))
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def check_size(text: str, limit: int, source: str, error: type[UserInputError] = UserInputError) -> None:
    """Refuse text over ``limit`` characters before any work is done on it."""
    if len(text) > limit:
        raise error(f"{source}: too large ({len(text):,} characters; the limit is {limit:,}).")


def check_archive(data: bytes, source: str, error: type[UserInputError] = UserInputError) -> None:
    """Refuse a zip archive (a .docx) that would unpack past the limits, before anything is unpacked.

    Python's zip reader never inflates an entry past its declared size, so the declared sizes
    bound the work; a file that is no zip at all is refused too.
    """
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise error(f"{source}: not a Word .docx file (it is no zip archive); save it from Word as .docx.") from None
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise error(f"{source}: a .docx with {len(entries):,} parts (at most {MAX_ARCHIVE_ENTRIES:,}) is not a document.")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_ARCHIVE_BYTES:
        raise error(
            f"{source}: would unpack to {unpacked:,} bytes (the limit is {MAX_ARCHIVE_BYTES:,}); "
            "save the document without embedded files or large pictures."
        )


def _yaml_error(source: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return f"{source}{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}."


def parse_yaml(
    text: str, source: str, error: type[UserInputError] = UserInputError, *, limit: int = MAX_YAML_CHARS
) -> tuple[Any, yaml.Node | None]:
    """Untrusted YAML, parsed safely: the data and its node tree (for messages that name a line).

    Every problem is ``error`` naming the source and, where known, the line and column.
    """
    check_size(text, limit, source, error)
    loader = _BoundedLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        if _expanded_nodes(root) > MAX_YAML_NODES:
            raise error(f"{source}: its aliases (&/*) expand to more than {MAX_YAML_NODES:,} values; write the values out.")
        return loader.construct_document(root), root
    except yaml.YAMLError as exc:
        raise error(_yaml_error(source, exc)) from None
    except (ValueError, RecursionError, OverflowError) as exc:
        raise error(f"{source}: cannot be read as YAML ({str(exc).splitlines()[0][:200]}).") from None
    finally:
        loader.dispose()


def load_yaml(text: str, source: str, error: type[UserInputError] = UserInputError, *, limit: int = MAX_YAML_CHARS) -> Any:
    """Untrusted YAML, parsed safely (see :func:`parse_yaml`)."""
    return parse_yaml(text, source, error, limit=limit)[0]


def read_text_file(path: Path, limit: int, error: type[UserInputError] = UserInputError) -> str:
    """A UTF-8 file's text, refused when larger than ``limit`` characters (checked on disk first)."""
    try:
        if path.stat().st_size > limit * 4:
            raise error(f"{path}: too large ({path.stat().st_size:,} bytes; the limit is {limit:,} characters).")
        with path.open(encoding="utf-8") as handle:
            text = handle.read(limit + 1)
    except FileNotFoundError:
        raise error(f"{path}: file not found.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot be read ({exc}).") from None
    check_size(text, limit, str(path), error)
    return text
