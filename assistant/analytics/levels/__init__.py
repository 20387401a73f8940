"""Escalation levels of a playbook: read from a draft or the pack, drawn as DOT, saved as SVG and PNG.

:func:`levels_from_draft` reads the draft's own levels, severities and routing;
:func:`levels_from_manifest` gives the pack's level model with the profile's facts before any
draft exists; :func:`to_dot` lays the ladder out; :func:`render_diagram` turns the DOT text into
files with Graphviz's `dot` program. No providers, no store.
"""

from assistant.analytics.levels.dot import to_dot
from assistant.analytics.levels.draft import levels_from_draft
from assistant.analytics.levels.manifest import levels_from_manifest
from assistant.analytics.levels.model import MAX_ROUTES, Level, LevelMap, Route
from assistant.analytics.levels.render import IMAGE_FORMATS, MEDIA_TYPES, DiagramUnavailable, ImageFormat, render_diagram

__all__ = [
    "IMAGE_FORMATS",
    "MAX_ROUTES",
    "MEDIA_TYPES",
    "DiagramUnavailable",
    "ImageFormat",
    "Level",
    "LevelMap",
    "Route",
    "levels_from_draft",
    "levels_from_manifest",
    "render_diagram",
    "to_dot",
]
