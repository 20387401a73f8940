"""Bar and line charts as inline SVG, so the standalone HTML report needs no script from anywhere.

Every label is escaped: ticket text (reasons, tiers) is data, never markup.
"""

from __future__ import annotations

import html
import math

_WIDTH, _BAR, _GAP, _LABEL = 640, 22, 8, 190


def format_value(value: float | None, kind: str) -> str:
    """A figure as the report shows it (count, share, hours or score); a missing one as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "hours":
        return f"{value:,.1f} h"
    if kind == "score":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def svg_bars(rows: list[tuple[str, float]], kind: str = "count", title: str = "") -> str:
    """A horizontal bar chart as inline SVG (labels escaped)."""
    if not rows:
        return '<p class="empty">No data.</p>'
    top = max((v for _, v in rows), default=0) or 1
    height = len(rows) * (_BAR + _GAP) + _GAP
    span = _WIDTH - _LABEL - 90
    parts = [f'<svg role="img" aria-label="{html.escape(title)}" width="{_WIDTH}" height="{height}" viewBox="0 0 {_WIDTH} {height}">']
    for index, (label, value) in enumerate(rows):
        y = _GAP + index * (_BAR + _GAP)
        width = max(1.0, span * (value or 0) / top)
        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + _BAR * 0.72:.1f}" text-anchor="end">{html.escape(str(label))}</text>'
            f'<rect x="{_LABEL}" y="{y}" width="{width:.1f}" height="{_BAR}" rx="3"><title>{html.escape(str(label))}: {format_value(value, kind)}</title></rect>'
            f'<text x="{_LABEL + width + 6:.1f}" y="{y + _BAR * 0.72:.1f}">{format_value(value, kind)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def svg_line(points: list[tuple[str, float]], kind: str = "pct", title: str = "") -> str:
    """A line chart as inline SVG: one point per label (weeks), y from zero to the maximum."""
    if not points:
        return '<p class="empty">No data.</p>'
    height, left, bottom, top_pad = 240, 56, 44, 14
    span_x = _WIDTH - left - 20
    span_y = height - bottom - top_pad
    top = max(v for _, v in points) or 1
    step = span_x / max(1, len(points) - 1)
    xy = [(left + i * step, top_pad + span_y * (1 - v / top)) for i, (_, v) in enumerate(points)]
    parts = [f'<svg role="img" aria-label="{html.escape(title)}" width="{_WIDTH}" height="{height}" viewBox="0 0 {_WIDTH} {height}">']
    parts.append(f'<line class="axis" x1="{left}" y1="{top_pad + span_y}" x2="{left + span_x}" y2="{top_pad + span_y}"/>')
    parts.append(f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end">{format_value(top, kind)}</text>')
    parts.append(f'<text x="{left - 6}" y="{top_pad + span_y}" text-anchor="end">{format_value(0.0, kind)}</text>')
    parts.append('<polyline fill="none" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>')
    every = max(1, len(points) // 6)
    for i, ((label, value), (x, y)) in enumerate(zip(points, xy)):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{html.escape(label)}: {format_value(value, kind)}</title></circle>')
        if i % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle">{html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
