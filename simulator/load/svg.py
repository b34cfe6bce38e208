"""Plots as inline SVG text: a line chart (answer times over time) and stacked bars (attempts over time).

No scripts, no fonts to fetch: plain SVG elements a browser draws from the file alone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Sequence

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 58, 130, 28, 40  # margins: axis labels left and bottom, legend right


@dataclass(frozen=True, slots=True)
class Series:
    """One named, coloured series: a value per x (None where there is none)."""

    name: str
    colour: str
    values: Sequence[float | None]


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top`` (1, 2 or 5 times a power of ten apart)."""
    if not math.isfinite(top) or top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    n = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(n + 1)]


class _Frame:
    """Plot coordinates: x from ``x0`` to ``x1``, y from 0 to the last tick."""

    def __init__(self, x0: float, x1: float, ticks: list[float]) -> None:
        self.x0, self.x1 = x0, x1 if x1 > x0 else x0 + 1
        self.ticks = ticks
        self.w, self.h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(self, value: float) -> float:
        return LEFT + (value - self.x0) / (self.x1 - self.x0) * self.w

    def y(self, value: float) -> float:
        return TOP + self.h - value / self.ticks[-1] * self.h

    def axes(self, title: str, x_label: str, y_label: str) -> list[str]:
        out = [f'<text x="{LEFT}" y="16" class="title">{escape(title)}</text>']
        for t in self.ticks:
            y = self.y(t)
            out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + self.w}" y2="{y:.1f}" class="grid"/>')
            out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{t:g}</text>')
        for t in nice_ticks(self.x1 - self.x0, 8):
            x = self.x(self.x0 + t)
            if x <= LEFT + self.w + 0.5:
                out.append(f'<text x="{x:.1f}" y="{TOP + self.h + 16}" text-anchor="middle">'
                           f'{self.x0 + t:g}</text>')
        out.append(f'<line x1="{LEFT}" y1="{TOP + self.h}" x2="{LEFT + self.w}" y2="{TOP + self.h}" class="axis"/>')
        out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + self.h}" class="axis"/>')
        out.append(f'<text x="{LEFT + self.w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle">{escape(x_label)}</text>')
        out.append(f'<text x="14" y="{TOP + self.h / 2:.1f}" text-anchor="middle" '
                   f'transform="rotate(-90 14 {TOP + self.h / 2:.1f})">{escape(y_label)}</text>')
        return out


def _legend(series: Sequence[Series]) -> list[str]:
    out = []
    for i, s in enumerate(series):
        y = TOP + 10 + i * 20
        x = WIDTH - RIGHT + 16
        out.append(f'<rect x="{x}" y="{y - 8}" width="14" height="10" fill="{s.colour}"/>')
        out.append(f'<text x="{x + 20}" y="{y + 1}" class="legend">{escape(s.name)}</text>')
    return out


def _svg(element_id: str, label: str, body: list[str]) -> str:
    style = ("<style>text{font:11px sans-serif;fill:#333}.title{font-weight:bold;font-size:13px}"
             ".grid{stroke:#e4e4e4}.axis{stroke:#555}</style>")
    return (f'<svg id="{escape(element_id)}" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}">{style}'
            + "".join(body) + "</svg>")


def line_chart(element_id: str, title: str, xs: Sequence[float], series: Sequence[Series], x_label: str,
               y_label: str, x_range: tuple[float, float] | None = None) -> str:
    """Lines through each series' values at ``xs``, broken where a value is None, with dots at the points."""
    top = max((v for s in series for v in s.values if v is not None), default=0.0)
    x0, x1 = x_range if x_range is not None else (min(xs, default=0.0), max(xs, default=1.0))
    frame = _Frame(x0, x1, nice_ticks(top))
    body = frame.axes(title, x_label, y_label)
    for s in series:
        run: list[str] = []
        runs: list[list[str]] = [run]
        for x, v in zip(xs, s.values):
            if v is None:
                run = []
                runs.append(run)
                continue
            point = f"{frame.x(x):.1f},{frame.y(v):.1f}"
            run.append(point)
            body.append(f'<circle cx="{frame.x(x):.1f}" cy="{frame.y(v):.1f}" r="2.5" fill="{s.colour}"/>')
        for points in runs:
            if len(points) > 1:
                body.append(f'<polyline class="series" data-series="{escape(s.name)}" points="{" ".join(points)}" '
                            f'fill="none" stroke="{s.colour}" stroke-width="2"/>')
    return _svg(element_id, title, body + _legend(series))


def stacked_bars(element_id: str, title: str, starts: Sequence[float], width: float, series: Sequence[Series],
                 x_label: str, y_label: str) -> str:
    """A bar per start (``width`` wide in x units), the series stacked bottom up."""
    totals = [sum(s.values[i] or 0.0 for s in series) for i in range(len(starts))]
    frame = _Frame(min(starts, default=0.0), max(starts, default=0.0) + width, nice_ticks(max(totals, default=0.0)))
    body = frame.axes(title, x_label, y_label)
    bar = max(1.0, frame.x(frame.x0 + width) - frame.x(frame.x0) - 2)
    for i, start in enumerate(starts):
        base = 0.0
        for s in series:
            value = s.values[i] or 0.0
            if value > 0:
                y0, y1 = frame.y(base), frame.y(base + value)
                body.append(f'<rect class="bar" data-series="{escape(s.name)}" x="{frame.x(start) + 1:.1f}" '
                            f'y="{y1:.1f}" width="{bar:.1f}" height="{y0 - y1:.1f}" fill="{s.colour}">'
                            f"<title>{start:g} s: {value:g} {escape(s.name)}</title></rect>")
            base += value
    return _svg(element_id, title, body + _legend(series))
