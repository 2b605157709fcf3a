"""The monthly bulletin's chart: each unit's investment completed against 序时进度."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ._page import (
    EMPTY_BODY,
    INK,
    MUTED,
    STRIPE,
    Gap,
    Page,
    columns_for,
    elide,
    gap_row,
    ranks,
    row_font,
    row_height,
)
from .fonts import cjk_font
from .model import BulletinBar, ChartText
from .text import shorten

MAX_ROWS = 60
# Ratios beyond this are drawn to the edge and labelled with their value: one unit at 400% must
# not squash everyone else's bars against the 100% line.
CLIP = 2.0

RANK_X = 0.72
NAME_X = 0.95
BAR_LEFT = 3.2
BAR_MAX = 6.1

AHEAD = {"color": "#2f6f8f", "hatch": None, "hatchcolor": None}
# Behind differs from ahead in lightness and hatching, not only hue, so it reads in greyscale.
BEHIND = {"color": "#f4b183", "hatch": "xx", "hatchcolor": "#9a4a1c"}
PLAN = {"color": INK, "lw": 1.6, "ls": (0, (5, 3))}


def _legend(text: ChartText) -> list[tuple[object, str]]:
    return [
        (Line2D([], [], **PLAN), text.plan_line and f"{text.plan_line} 100%"),
        (Patch(facecolor=AHEAD["color"], edgecolor="none"), text.ahead),
        (
            Patch(
                facecolor=BEHIND["color"],
                hatch=BEHIND["hatch"],
                hatchcolor=BEHIND["hatchcolor"],
                edgecolor="none",
            ),
            text.behind,
        ),
    ]


def bulletin_png(rows: Sequence[BulletinBar], text: ChartText) -> bytes:
    """Units by investment completed / planned to date, best at top, as a phone-width PNG.

    A dashed line marks 100% (on schedule); units with no ratio come last, marked
    `text.no_data`. Beyond 60 units the middle is left out for a "… N more" row. Slow (tens of
    ms): call it through asyncio.to_thread.
    """
    known = [r for r in rows if _ratio(r) is not None]
    known.sort(key=lambda r: _ratio(r) or 0.0, reverse=True)
    unknown = [r for r in rows if _ratio(r) is None]
    places = dict(zip(map(id, known), ranks([_ratio(r) or 0.0 for r in known]), strict=True))
    shown = elide([*known, *unknown], MAX_ROWS)
    row = row_height(len(shown) + 1)
    size = row_font(row)
    page = Page(text, (len(shown) * row + 0.36) if shown else EMPTY_BODY, _legend(text))
    if not shown:
        page.empty(text.empty)
        return page.png()

    page.text(NAME_X, page.body_top + 0.04, text.name_label, 10.5, color=MUTED)
    ax = page.table(page.body_top + 0.36, len(shown), row)
    ratios = [_ratio(r) or 0.0 for r in known]
    high = max(1.2, min(CLIP, max(ratios, default=1.0)))
    scale = (BAR_MAX - BAR_LEFT) / high
    plan_x = BAR_LEFT + scale
    page.text(plan_x, page.body_top + 0.04, "100%", 10.5, color=MUTED, ha="center")
    cell = partial(ax.text, fontproperties=cjk_font(size), va="center", color=INK)
    name_columns = columns_for(BAR_LEFT - NAME_X - 0.12, size)

    ahead: list[tuple[int, float]] = []
    behind: list[tuple[int, float]] = []
    for y, item in enumerate(shown):
        if isinstance(item, Gap):
            gap_row(ax, y, item, text, NAME_X, size)
            continue
        ratio = _ratio(item)
        cell(NAME_X, y, shorten(item.name, name_columns))
        if ratio is None:
            cell(BAR_LEFT + 0.06, y, text.no_data, color=MUTED)
            continue
        cell(RANK_X, y, str(places[id(item)]), ha="right")
        width = min(max(ratio, 0.0), high) * scale
        (ahead if ratio >= 1 else behind).append((y, width))
        if ratio > high:  # a break mark: this bar is longer than drawn
            cell(BAR_LEFT + width - 0.22, y, "//", ha="center", color="white", zorder=3)
        # The label's box, in the row's own background, keeps the plan line from striking it.
        background = STRIPE if y % 2 == 0 else "white"
        cell(
            BAR_LEFT + width + 0.06,
            y,
            percent(ratio),
            zorder=4,
            bbox={"facecolor": background, "edgecolor": "none", "pad": 1},
        )

    for items, style in ((ahead, AHEAD), (behind, BEHIND)):
        if items:
            ax.barh(
                [y for y, _ in items],
                [w for _, w in items],
                left=BAR_LEFT,
                height=0.62,
                color=style["color"],
                hatch=style["hatch"],
                hatchcolor=style["hatchcolor"],
                edgecolor="none",
                zorder=2,
            )
    ax.axvline(plan_x, zorder=3, **PLAN)
    return page.png()


def percent(ratio: float) -> str:
    """A ratio as a whole percent, rounded down: 99.7% behind schedule must not read "100%"."""
    # The epsilon undoes float error: 0.29 * 100 is 28.999999999999996.
    return f"{math.floor(ratio * 100 + 1e-9)}%"


def _ratio(row: BulletinBar) -> float | None:
    # NaN (a 0/0 upstream) is no data, not a place in the ranking.
    ratio = row.ratio_to_plan
    return None if ratio is None or math.isnan(ratio) else ratio
