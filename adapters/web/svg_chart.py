"""A tiny server-side SVG line chart (no JavaScript, no external assets): percentages per day."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 72  # plot margins
MAX_X_LABELS = 8


@dataclass(frozen=True, slots=True)
class Series:
    """One line: a name for the legend, a colour, and one value in [0, 1] per x position."""

    name: str
    colour: str
    values: tuple[float, ...]


def line_chart(x_labels: list[str], series: list[Series], *, x_title: str, y_title: str) -> str:
    """An `<svg>` with a 0-100 % y axis, a label under some of the x positions, one polyline
    and one `<circle class="point">` (with a `<title>` tooltip) per value of each series."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(y_title)} by {escape(x_title)}" class="chart">',
        *_axes(x_labels, x_title, y_title),
    ]
    for n, line in enumerate(series):
        parts += _line(x_labels, line)
        parts.append(_legend(n, line))
    parts.append("</svg>")
    return "\n".join(parts)


def _x(i: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner / 2 if count <= 1 else inner * i / (count - 1))


def _y(value: float) -> float:
    value = min(1.0, max(0.0, value))
    return TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - value)


def _axes(x_labels: list[str], x_title: str, y_title: str) -> list[str]:
    out = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _y(tick)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.0%}</text>')
    step = max(1, -(-len(x_labels) // MAX_X_LABELS))
    for i in range(0, len(x_labels), step):
        x = _x(i, len(x_labels))
        label = escape(x_labels[i])
        out.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{label}</text>'
        )
    mid_y = (TOP + HEIGHT - BOTTOM) / 2
    out.append(
        f'<text x="14" y="{mid_y:.1f}" text-anchor="middle" class="axis-title" '
        f'transform="rotate(-90 14 {mid_y:.1f})">{escape(y_title)}</text>'
    )
    out.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{HEIGHT - BOTTOM + 38}" text-anchor="middle" '
        f'class="axis-title">{escape(x_title)}</text>'
    )
    return out


def _line(x_labels: list[str], line: Series) -> list[str]:
    count = len(line.values)
    points = [(_x(i, count), _y(v), v) for i, v in enumerate(line.values)]
    colour = escape(line.colour)
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
    out = [f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>']
    for i, (x, y, v) in enumerate(points):
        when = escape(x_labels[i]) if i < len(x_labels) else ""
        out.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
            f"<title>{escape(line.name)}, {when}: {v:.0%}</title></circle>"
        )
    return out


def _legend(n: int, line: Series) -> str:
    x, y = LEFT + 240 * n, HEIGHT - 14
    colour = escape(line.colour)
    return (
        f'<g class="legend"><rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
        f'<text x="{x + 18}" y="{y}">{escape(line.name)}</text></g>'
    )
