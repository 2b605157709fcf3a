"""龙虎榜: the best and the worst projects, stacked, with unit, score and status light."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ._page import (
    EMPTY_BODY,
    INK,
    MARGIN,
    MUTED,
    RULE,
    WIDTH,
    Gap,
    Page,
    bars,
    columns_for,
    elide,
    gap_row,
    rendered,
    row_height,
)
from .fonts import cjk_font
from .model import ChartText, ProjectBar
from .text import shorten

# Rows per list at most: two lists of two-line rows fill a phone-sized page at 15 each.
MAX_ROWS = 15
HEADING = 0.5  # a list's heading
BETWEEN = 0.2  # space between the two lists

RANK_X = 0.72
STATUS_X = 0.95
NAME_X = 1.2
BAR_LEFT = 4.95
BAR_MAX = 6.3

BAR = "#7f9fc6"
# Lights differ in shape as well as hue and lightness: a circle, a diamond and a square read
# apart in greyscale and to colour-blind eyes. 未上报 (nothing known to judge by) is a hollow
# cross: no colour at all, so unknown never passes for green, in colour or in grey.
STATUS_STYLE = {
    "green": ("o", "#3cb371"),
    "yellow": ("D", "#f2d24b"),
    "red": ("s", "#b22222"),
    "unreported": ("X", "#ffffff"),
}


def _status_handle(status: str) -> Line2D:
    marker, color = STATUS_STYLE[status]
    return Line2D(
        [],
        [],
        ls="",
        marker=marker,
        markersize=11,
        markerfacecolor=color,
        markeredgecolor=INK,
        markeredgewidth=0.8,
    )


def project_board_png(
    top: Sequence[ProjectBar], bottom: Sequence[ProjectBar], text: ChartText
) -> bytes:
    """The 龙虎榜 as a phone-width PNG: the top list above the bottom list.

    Each list is shown by rank; one longer than 15 keeps its ends nearest the page's extremes
    (the best of the top list, the worst of the bottom list) behind a "… N more" row. An empty
    list is not drawn (one project makes a top list alone). Slow (tens of ms): call it through
    asyncio.to_thread.
    """
    return rendered(lambda: board_page(top, bottom, text))


def board_page(top: Sequence[ProjectBar], bottom: Sequence[ProjectBar], text: ChartText) -> Page:
    """The 龙虎榜 drawn on a page, not yet rendered (tests read what it holds)."""
    lists = [
        (heading, elide(sorted(rows, key=lambda p: p.rank), MAX_ROWS, keep=keep))
        for heading, rows, keep in (
            (text.top_label, top, "head"),
            (text.bottom_label, bottom, "tail"),
        )
        if rows
    ]
    count = sum(len(rows) for _, rows in lists)
    headings = len(lists) * HEADING + (len(lists) - 1) * BETWEEN
    row = row_height(count, body=14.4 - 2 * HEADING - BETWEEN, largest=0.62)
    row = max(row, 0.42)  # two lines of text need this much
    legend = [(_status_handle(s), getattr(text, f"status_{s}")) for s in STATUS_STYLE]
    if not lists:
        page = Page(text, EMPTY_BODY, legend)
        page.empty(text.empty)
        return page

    page = Page(text, count * row + headings, legend)
    scores = [p.score for p in (*top, *bottom)]
    low, high = min(0.0, *scores), max(0.0, *scores)
    # Both lists share one scale, so a bar in the top list compares honestly with one below.
    scale = (BAR_MAX - BAR_LEFT) / ((high - low) or 1.0)
    y = page.body_top
    for heading, rows in lists:
        page.text(MARGIN, y + 0.08, heading, 14.5)
        ax = page.table(y + HEADING, len(rows), row)
        ax.plot([MARGIN - 0.1, WIDTH - MARGIN + 0.1], [-0.5, -0.5], color=RULE, lw=1.2)
        _draw_rows(ax, rows, text, row, low, scale)
        y += HEADING + len(rows) * row + BETWEEN
    return page


def _draw_rows(
    ax: Axes,
    rows: list[ProjectBar | Gap],
    text: ChartText,
    row: float,
    low: float,
    scale: float,
) -> None:
    size = max(11.0, min(14.0, row * 72 * 0.3))
    small = max(9.5, size * 0.8)
    unit_font = cjk_font(small)
    cell = partial(ax.text, fontproperties=cjk_font(size), va="center", color=INK)
    width = BAR_LEFT - NAME_X - 0.15
    name_columns, unit_columns = columns_for(width, size), columns_for(width, small)
    zero = BAR_LEFT - low * scale
    # Two lines in a row: the name above, its unit below, in row units from the row's centre.
    upper, lower = -0.2, 0.24
    by_status: dict[str, list[int]] = {}
    rows_drawn: list[tuple[int, float]] = []
    for y, item in enumerate(rows):
        if isinstance(item, Gap):
            gap_row(ax, y, item, text, NAME_X, small)
            continue
        by_status.setdefault(item.status, []).append(y)
        rows_drawn.append((y, item.score * scale))
        cell(RANK_X, y, str(item.rank), ha="right")
        cell(NAME_X, y + upper, shorten(item.name, name_columns))
        cell(
            NAME_X,
            y + lower,
            shorten(item.unit, unit_columns),
            fontproperties=unit_font,
            color=MUTED,
        )
        end = zero + max(item.score, 0.0) * scale
        cell(end + 0.06, y, text.score_format.format(item.score))
    bars(ax, [y for y, _ in rows_drawn], [w for _, w in rows_drawn], left=zero, height=0.5,
         color=BAR, zorder=2)  # fmt: skip
    for status, ys in by_status.items():
        marker, color = STATUS_STYLE[status]
        ax.scatter(
            [STATUS_X] * len(ys),
            ys,
            marker=marker,
            s=(size * 0.95) ** 2,
            c=color,
            edgecolors=INK,
            linewidths=0.8,
            zorder=3,
        )
