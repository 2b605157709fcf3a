"""The monthly bulletin's chart: per unit, investment completed, its share of the year plan
against 时间进度, the gap in percentage points, and starts; the city's line first."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ._page import (
    EMPTY_BODY,
    INK,
    MARGIN,
    MAX_BODY,
    MUTED,
    RULE,
    STRIPE,
    WIDTH,
    Gap,
    Page,
    bars,
    columns_for,
    elide,
    gap_row,
    ranks,
    rendered,
    row_font,
    row_height,
)
from .fonts import cjk_font
from .model import BulletinBar, ChartText
from .text import shorten, wrap

MAX_ROWS = 55  # with the city's line, the headers and a two-line footer: within 2,560 px
# Shares beyond this are drawn to the edge with a break mark: one unit at 400% of its plan
# must not squash everyone else's bars against the 时间进度 line.
CLIP = 1.5

# Columns, in inches from the left; figures are right-aligned at their x.
RANK_X = 0.6
NAME_X = 0.7
DONE_X = 2.95
BAR_LEFT = 3.1
BAR_MAX = 4.35
SHARE_X = 5.15
GAP_X = 6.05
STARTS_X = 6.9
HEAD = 0.5  # the column headers: two lines of small text

AHEAD = {"color": "#2f6f8f", "hatch": None, "hatchcolor": None}
# Behind differs from ahead in lightness and hatching, not only hue, so it reads in greyscale.
BEHIND = {"color": "#f4b183", "hatch": "xx", "hatchcolor": "#9a4a1c"}
PLAN = {"color": INK, "lw": 1.4, "ls": (0, (4, 2.5))}


def _legend(text: ChartText) -> list[tuple[object, str]]:
    return [
        (Line2D([], [], **PLAN), text.plan_line),
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


def bulletin_png(
    rows: Sequence[BulletinBar],
    text: ChartText,
    time_share: float,
    total: BulletinBar | None = None,
) -> bytes:
    """The units' figures as a table with bars, best share of plan at top, as a phone-width PNG.

    `total` (the city) comes first, set apart. Each unit's bar is its share of the year plan
    against a dashed line at `time_share` (时间进度, a fraction of the year); places are by
    share as shown, ties sharing a place, and units without a year plan come last, marked
    `text.no_data`. Beyond 55 units the middle is left out for a "… N more" row. Slow (tens
    of ms): call it through asyncio.to_thread.
    """
    return rendered(lambda: bulletin_page(rows, text, time_share, total))


def bulletin_page(
    rows: Sequence[BulletinBar],
    text: ChartText,
    time_share: float,
    total: BulletinBar | None = None,
) -> Page:
    """The bulletin's chart drawn on a page, not yet rendered (tests read what it holds)."""
    known = sorted((r for r in rows if _share(r) is not None), key=_share_key, reverse=True)
    unknown = [r for r in rows if _share(r) is None]
    places = dict(zip(map(id, known), ranks([_share_key(r) for r in known]), strict=True))
    listed: list[BulletinBar | Gap] = elide([*known, *unknown], MAX_ROWS - (total is not None))
    shown = [total, *listed] if total is not None and listed else listed
    row = row_height(len(shown), body=MAX_BODY - HEAD)
    size = min(row_font(row), 13.5)
    page = Page(text, (len(shown) * row + HEAD) if shown else EMPTY_BODY, _legend(text))
    if not shown:
        page.empty(text.empty)
        return page

    _headers(page, text)
    ax = page.table(page.body_top + HEAD, len(shown), row)
    shares = [(_share(r) or 0.0) / 100 for r in (*known, *([total] if total else []))]
    high = max(1.0, time_share * 1.15, min(CLIP, max(shares, default=1.0)))
    scale = (BAR_MAX - BAR_LEFT) / high
    cell = partial(ax.text, fontproperties=cjk_font(size), va="center", color=INK)
    name_columns = columns_for(DONE_X - 0.55 - NAME_X, size)

    by_side: dict[bool, list[tuple[int, float]]] = {True: [], False: []}
    for y, item in enumerate(shown):
        if isinstance(item, Gap):
            gap_row(ax, y, item, text, NAME_X, size)
            continue
        bold = {"fontweight": "bold"} if item is total else {}
        if item is not total and id(item) in places:
            cell(RANK_X, y, str(places[id(item)]), ha="right")
        cell(NAME_X, y, shorten(item.name, name_columns), **bold)
        cell(DONE_X, y, f"{item.done:.1f}", ha="right", **bold)
        if item.planned:
            cell(STARTS_X, y, f"{item.started}/{item.planned}", ha="right")
        else:
            cell(STARTS_X, y, "—", ha="right", color=MUTED)
        share = _share(item)
        if share is None:
            # The label's box, in the row's own background, keeps the line from striking it.
            background = STRIPE if y % 2 == 0 else "white"
            cell(BAR_LEFT + 0.04, y, text.no_data, color=MUTED, zorder=4,
                 bbox={"facecolor": background, "edgecolor": "none", "pad": 1})  # fmt: skip
            continue
        width = min(max(share / 100, 0.0), high) * scale
        by_side[(item.gap or 0.0) >= 0].append((y, width))
        if share / 100 > high:  # a break mark: this bar is longer than drawn
            cell(BAR_LEFT + width - 0.16, y, "//", ha="center", color="white", zorder=3)
        cell(SHARE_X, y, f"{share:.1f}%", ha="right", **bold)
        if item.gap is not None:
            cell(GAP_X, y, signed(item.gap), ha="right", **bold)

    for ahead, items in by_side.items():
        style = AHEAD if ahead else BEHIND
        if items:
            bars(ax, [y for y, _ in items], [w for _, w in items], left=BAR_LEFT, height=0.56,
                 color=style["color"], hatch=style["hatch"], hatchcolor=style["hatchcolor"],
                 zorder=2)  # fmt: skip
    ax.axvline(BAR_LEFT + time_share * scale, zorder=3, **PLAN)
    if total is not None:  # the city's line is set apart from the units under it
        ax.plot([MARGIN - 0.1, WIDTH - MARGIN + 0.1], [0.5, 0.5], color=RULE, lw=1.2, zorder=1)
    return page


def _headers(page: Page, text: ChartText) -> None:
    """Column headers in small type, each wrapped to two lines at most."""
    top = page.body_top + 0.02
    for x, words, ha, width in (
        (NAME_X, text.name_label, "left", 1.6),
        (DONE_X, text.done_label, "right", 1.0),
        (BAR_LEFT, text.share_label, "left", 2.0),
        (GAP_X, text.gap_label, "right", 0.85),
        (STARTS_X, text.starts_label, "right", 0.8),
    ):
        for i, line in enumerate(wrap(words, columns_for(width, 9.5))[:2]):
            page.text(x, top + i * 0.19, line, 9.5, color=MUTED, ha=ha)


def signed(points: float) -> str:
    """A gap in points with its sign, one decimal: +1.9, -3.4, 0.0."""
    return "0.0" if round(points, 1) == 0 else f"{points:+.1f}"


def _share(row: BulletinBar) -> float | None:
    # NaN (a 0/0 upstream) is no data, not a place in the ranking.
    share = row.share
    return None if share is None or math.isnan(share) else share


def _share_key(row: BulletinBar) -> float:
    return _share(row) or 0.0
