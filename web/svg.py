"""Charts drawn on the server as inline SVG: nothing to download, nothing run in the browser.

Colours come from the stylesheet (classes), and every status also has its own fill pattern
(defined once in the page, see base.html) and a text label beside it, so charts read in
greyscale. Bars that sit in table cells stretch to the cell (preserveAspectRatio="none")
while their labels stay HTML text, so they are as legible on a phone as on a wall screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from storage.dashboard import WeekScore


def _pct(value: float) -> str:
    return f"{value:.2f}%"


def bar(
    value: float | None, marker: float | None, css: str, label: str, top: float = 1.2
) -> Markup:
    """A bar for `value` on a 0..`top` scale with an optional marker line (序时进度).

    Sizes are percentages of the cell, not a stretched viewBox, so patterns keep their shape.
    """
    parts = [
        f'<svg class="bar" role="img" aria-label="{escape(label)}">',
        '<rect class="bar-track" x="0" y="0" width="100%" height="100%"/>',
    ]
    if value is not None:
        width = min(max(value, 0.0), top) / top * 100
        parts.append(
            f'<rect class="bar-fill {css}" x="0" y="15%" width="{_pct(width)}" height="70%"/>'
        )
    if marker is not None:
        x = min(max(marker, 0.0), top) / top * 100
        parts.append(f'<line class="bar-mark" x1="{_pct(x)}" x2="{_pct(x)}" y1="0" y2="100%"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked(counts: Sequence[tuple[str, int]], label: str) -> Markup:
    """One bar split by status (worst first), each part in its status's colour and pattern."""
    total = sum(n for _, n in counts) or 1
    parts = [f'<svg class="stack" role="img" aria-label="{escape(label)}">']
    x = 0.0
    for color, n in counts:
        if n:
            width = n / total * 100
            parts.append(
                f'<rect class="st-{escape(color)}" x="{_pct(x)}" y="0"'
                f' width="{_pct(width)}" height="100%"/>'
            )
            x += width
    parts.append("</svg>")
    return Markup("".join(parts))


def score_columns(history: Sequence[WeekScore], label: str) -> Markup:
    """Weekly scores as columns, each with its score on top and its week below."""
    if not history:
        return Markup("")
    step, left, height, base = 44, 8, 150, 124
    width = left * 2 + step * len(history)
    top = max(100.0, *(h.score for h in history))
    parts = [
        f'<svg class="columns" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" role="img"'
        f' aria-label="{escape(label)}">',
        f'<line class="axis" x1="{left}" x2="{width - left}" y1="{base}" y2="{base}"/>',
    ]
    for i, h in enumerate(history):
        x = left + i * step + 5
        tall = max(h.score / top * 96, 0.0)
        parts.append(
            f'<rect class="col" x="{x}" y="{base - tall:.1f}" width="{step - 10}"'
            f' height="{tall:.1f}"/>'
            f'<text class="col-value" x="{x + (step - 10) / 2}" y="{base - tall - 4:.1f}">'
            f"{h.score:.0f}</text>"
            f'<text class="col-label" x="{x + (step - 10) / 2}" y="{base + 16}">'
            f"{escape(h.period[-3:])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
