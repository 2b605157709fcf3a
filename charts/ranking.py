"""The weekly ranking of responsible units, with 红旗 / 黄旗 and the change since last week."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path

from ._page import (
    EMPTY_BODY,
    INK,
    MUTED,
    RULE,
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
from .model import ChartText, UnitBar
from .text import shorten

MAX_ROWS = 55  # with the headers and a two-line footer: within Telegram's 2,560 px

# Columns, in inches from the left.
RANK_X = 0.78  # right edge of the place number
FLAG_X = 1.0
NAME_X = 1.22
BAR_LEFT = 3.5
BAR_MAX = 5.45  # the best score's bar ends here; its label goes to the right
CHANGE_X = 6.45

# Flags differ in lightness and hatching as well as hue, so they read in greyscale and to
# colour-blind eyes: dark red with light stripes against pale yellow with dark dots.
PLAIN = {"color": "#7f9fc6", "hatch": None, "hatchcolor": None}
BAR_STYLE = {
    "red": {"color": "#b22222", "hatch": "///", "hatchcolor": "#f3c6c6"},
    "yellow": {"color": "#f2d24b", "hatch": "..", "hatchcolor": "#6b5400"},
}
UP = "#c0392b"  # red for rising, as in Chinese boards (红涨绿跌); the arrow carries the meaning
DOWN = "#1e7d45"
NEW = "#1f4e99"
ARROWS = {"▲": "^", "▼": "v"}

# A flag on a pole, as a marker: a thin pole and a pennant flying right.
FLAG = Path.make_compound_path(
    Path([(-0.8, -1.0), (-0.58, -1.0), (-0.58, 1.0), (-0.8, 1.0), (-0.8, -1.0)], closed=True),
    Path([(-0.58, 1.0), (0.9, 0.5), (-0.58, 0.0), (-0.58, 1.0)], closed=True),
)


def change_mark(change: int | None, text: ChartText) -> tuple[str, str, str]:
    """The change column's arrow ("▲", "▼" or ""), words and colour: ▲2, ▼1, – or new."""
    if change is None:
        return "", text.new, NEW
    if change > 0:
        return "▲", str(change), UP
    if change < 0:
        return "▼", str(-change), DOWN
    return "", "–", MUTED


def _flag_handle(flag: str) -> tuple[Line2D, Patch]:
    style = BAR_STYLE[flag]
    marker = Line2D(
        [],
        [],
        ls="",
        marker=FLAG,
        markersize=13,
        markerfacecolor=style["color"],
        markeredgecolor=INK,
        markeredgewidth=0.8,
    )
    return marker, Patch(
        facecolor=style["color"],
        hatch=style["hatch"],
        hatchcolor=style["hatchcolor"],
        edgecolor="none",
    )


def unit_ranking_png(rows: Sequence[UnitBar], text: ChartText) -> bytes:
    """The units ranked by score, best at top, as a phone-width PNG.

    Rows may come in any order, drawn by score; each shows its own rank, or else its place by
    score, ties sharing it. Beyond 55 units the middle is left out for a "… N more" row. Slow
    (tens of ms): call it through asyncio.to_thread.
    """
    return rendered(lambda: unit_ranking_page(rows, text))


def unit_ranking_page(rows: Sequence[UnitBar], text: ChartText) -> Page:
    """The units' ranking drawn on a page, not yet rendered (tests read what it holds)."""
    ordered = sorted(rows, key=lambda r: (-r.score, r.rank or 0, r.name))
    by_score = ranks([r.score for r in ordered])
    places = {id(r): r.rank or place for r, place in zip(ordered, by_score, strict=True)}
    shown = elide(ordered, MAX_ROWS)
    headed = bool(text.name_label or text.score_label or text.change_label)
    row = row_height(len(shown) + headed)
    size = row_font(row)
    legend = [(_flag_handle("red"), text.red_flag), (_flag_handle("yellow"), text.yellow_flag)]
    if not any(r.flag for r in rows):
        legend = []
    page = Page(text, len(shown) * row + headed * 0.36 if shown else EMPTY_BODY, legend)
    if not shown:
        page.empty(text.empty)
        return page

    top = page.body_top
    if headed:
        for x, words, ha in (
            (NAME_X, text.name_label, "left"),
            (BAR_LEFT, text.score_label, "left"),
            (CHANGE_X, text.change_label, "center"),
        ):
            page.text(x, top + 0.04, words, 10.5, color=MUTED, ha=ha)
        top += 0.36
    ax = page.table(top, len(shown), row)

    scores = [r.score for r in ordered]
    low, high = min(0.0, *scores), max(0.0, *scores)
    scale = (BAR_MAX - BAR_LEFT) / ((high - low) or 1.0)
    zero = BAR_LEFT - low * scale
    cell = partial(ax.text, fontproperties=cjk_font(size), va="center", color=INK)
    name_columns = columns_for(BAR_LEFT - NAME_X - 0.12, size)

    styled: dict[str, list[tuple[int, float]]] = {}
    arrows: dict[str, list[int]] = {}
    for y, item in enumerate(shown):
        if isinstance(item, Gap):
            gap_row(ax, y, item, text, NAME_X, size)
            continue
        styled.setdefault(item.flag or "", []).append((y, item.score * scale))
        cell(RANK_X, y, str(places[id(item)]), ha="right")
        cell(NAME_X, y, shorten(item.name, name_columns))
        end = zero + max(item.score, 0.0) * scale
        cell(end + 0.06, y, text.score_format.format(item.score))
        arrow, words, color = change_mark(item.change, text)
        if arrow:
            # Drawn as a marker, not the font's ▲, which is too small to see in a thin row.
            arrows.setdefault(arrow, []).append(y)
            cell(CHANGE_X - 0.02, y, words, color=color)
        else:
            cell(CHANGE_X, y, words, ha="center", color=color)

    # One collection per style rather than a patch per row.
    for flag, items in styled.items():
        style = BAR_STYLE.get(flag, PLAIN)
        bars(ax, [y for y, _ in items], [w for _, w in items], left=zero, height=0.62,
             color=style["color"], hatch=style["hatch"], hatchcolor=style["hatchcolor"],
             zorder=2)  # fmt: skip
        if flag:
            ax.scatter(
                [FLAG_X] * len(items),
                [y for y, _ in items],
                marker=FLAG,
                s=(size * 1.25) ** 2,
                c=style["color"],
                edgecolors=INK,
                linewidths=0.8,
                zorder=3,
            )
    for arrow, ys in arrows.items():
        ax.scatter(
            [CHANGE_X - 0.1] * len(ys),
            ys,
            marker=ARROWS[arrow],
            s=(size * 0.62) ** 2,
            c=UP if arrow == "▲" else DOWN,
            linewidths=0,
            zorder=3,
        )
    if low < 0:  # a zero line, only needed when some bars go left of it
        ax.axvline(zero, color=RULE, lw=1, zorder=1)
    return page
