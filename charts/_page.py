"""The page every chart is drawn on: a phone-width portrait canvas laid out in inches.

Charts place things in inches from the page's top left rather than in figure fractions, so a
header or a row keeps its size however many rows the page grows to hold.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.text import Text

import heap

from .canvas import ChartCanvas
from .fonts import cjk_font
from .model import ChartText
from .png import encode
from .text import display_width, shorten, wrap

T = TypeVar("T")

DPI = 150
WIDTH = 7.2  # inches: 1080 px, a phone screen's width, so Telegram need not shrink the text
MARGIN = 0.3
# Telegram keeps photos up to 2560 px on the long side; a taller page is scaled down, text and
# all, so rows stop growing the page at this height and get thinner instead (down to MIN_ROW).
MAX_BODY = 14.2
MIN_ROW = 0.24
MAX_ROW = 0.6
FOOTER = 0.3  # blank space under the body; a footer note adds its lines to it
FOOTER_SIZE = 10
FOOTER_LINE = 0.2
EMPTY_BODY = 1.6

INK = "#1a1a1a"
MUTED = "#5f5f5f"
RULE = "#b8b8b8"
STRIPE = "#f2f2f2"


@dataclass(frozen=True)
class Gap:
    """Stands for `n` rows left out of a long list."""

    n: int


def elide(
    items: Sequence[T], limit: int, keep: Literal["both", "head", "tail"] = "both"
) -> list[T | Gap]:
    """`items` cut to at most `limit` rows, one of them a Gap for those left out.

    A ranking is read at its ends, the best to praise and the worst to name, so "both" keeps
    the top and the bottom and drops the middle.
    """
    if len(items) <= limit:
        return list(items)
    shown = limit - 1
    gap = Gap(len(items) - shown)
    if keep == "head":
        return [*items[:shown], gap]
    if keep == "tail":
        return [gap, *items[len(items) - shown :]]
    head = shown // 2
    return [*items[:head], gap, *items[len(items) - (shown - head) :]]


def row_height(n: int, body: float = MAX_BODY, largest: float = MAX_ROW) -> float:
    """Inches per row: generous for a few rows, thinner for many, so the page fits `body`."""
    return max(MIN_ROW, min(largest, body / max(n, 1)))


def row_font(row: float) -> float:
    """Points for a row's main text: about half the row, readable on a phone at the least."""
    return max(10.0, min(15.0, row * 72 * 0.5))


def columns_for(width: float, size: float) -> int:
    """Display columns (汉字 = 2) that fit in `width` inches at `size` points."""
    # A 汉字 is one em wide, so a column is half an em.
    return int(width / (size / 72 / 2))


def ranks(scores: Sequence[float]) -> list[int]:
    """Places for scores sorted best first, ties sharing a place: 1, 2, 2, 4."""
    places: list[int] = []
    for i, score in enumerate(scores):
        places.append(places[-1] if i and score == scores[i - 1] else i + 1)
    return places


class Page:
    """A figure with the chart's header drawn on it, and room below for `body` inches."""

    def __init__(
        self, text: ChartText, body: float, legend: Sequence[tuple[object, str]] = ()
    ) -> None:
        legend = [(handle, label) for handle, label in legend if label]
        lines: list[tuple[str, float, str, float]] = [(text.title, 19, INK, 0.44)]
        if text.subtitle:
            lines.append((text.subtitle, 12.5, MUTED, 0.3))
        if text.as_of:
            lines.append((text.as_of, 11, MUTED, 0.3))
        header = 0.3 + sum(line[3] for line in lines) + (0.42 if legend else 0.08)
        footer = wrap(text.footer, columns_for(WIDTH - 2 * MARGIN, FOOTER_SIZE))
        self.height = header + body + FOOTER + len(footer) * FOOTER_LINE
        self.body_top = header
        self.fig = Figure(figsize=(WIDTH, self.height), dpi=DPI, facecolor="white")
        ChartCanvas(self.fig)  # Agg, with its faster text, whatever pyplot's backend would be
        y = 0.3
        for words, size, color, advance in lines:
            self.text(MARGIN, y, *fit(words, WIDTH - 2 * MARGIN, size), color=color)
            y += advance
        for i, words in enumerate(footer):
            top = header + body + 0.16 + i * FOOTER_LINE
            self.text(MARGIN, top, words, FOOTER_SIZE, color=MUTED)
        if legend:
            handles = [handle for handle, _ in legend]
            self.fig.legend(
                handles,
                [label for _, label in legend],
                loc="upper left",
                bbox_to_anchor=(MARGIN / WIDTH - 0.01, 1 - (y - 0.02) / self.height),
                ncols=len(legend),
                frameon=False,
                prop=cjk_font(11.5),
                handlelength=1.8,
                handleheight=1.0,
                columnspacing=1.4,
                borderaxespad=0,
                handler_map={tuple: HandlerTuple(ndivide=None, pad=0.3)},
            )

    def text(self, x: float, y: float, words: str, size: float, **kwargs: object) -> Text:
        """Text at `x` inches from the left, its top `y` inches from the page's top."""
        kwargs.setdefault("va", "top")
        kwargs.setdefault("color", INK)
        return self.fig.text(
            x / WIDTH, 1 - y / self.height, words, fontproperties=cjk_font(size), **kwargs
        )

    def table(self, top: float, rows: int, row: float) -> Axes:
        """Axes for `rows` rows of `row` inches from `top`: x in inches, row i centred at y=i."""
        height = rows * row
        ax = self.fig.add_axes(
            (0, 1 - (top + height) / self.height, 1, height / self.height), frameon=False
        )
        ax.set_axis_off()
        ax.set_xlim(0, WIDTH)
        ax.set_ylim(rows - 0.5, -0.5)
        # Faint bands on every other row guide the eye from a name to its bar on a small screen.
        stripes = range(0, rows, 2)
        bars(ax, stripes, [WIDTH - 2 * MARGIN + 0.2] * len(stripes), left=MARGIN - 0.1,
             height=1.0, color=STRIPE, zorder=0)  # fmt: skip
        return ax

    def empty(self, message: str) -> None:
        """The message shown in place of rows when there are none."""
        y = self.body_top + EMPTY_BODY / 2
        self.text(WIDTH / 2, y, message, 15, color=MUTED, ha="center", va="center")

    def png(self) -> bytes:
        """The page as PNG bytes (charts.png: RGB, written straight from the pixels)."""
        canvas = self.fig.canvas
        canvas.draw()
        return encode(np.asarray(canvas.buffer_rgba()), DPI)


def bars(
    ax: Axes,
    ys: Sequence[float],
    widths: Sequence[float],
    *,
    left: float,
    height: float,
    color: str,
    zorder: float,
    hatch: str | None = None,
    hatchcolor: str | None = None,
) -> PolyCollection:
    """Horizontal bars of `widths` from `left`, centred on `ys`, as barh draws them, but as one
    collection: barh makes a patch per bar, each updating the axes' limits (fixed here anyway)
    and drawn on its own, a quarter of a chart's drawing time."""
    half = height / 2
    shapes = [((left, y - half), (left + w, y - half), (left + w, y + half), (left, y + half))
              for y, w in zip(ys, widths, strict=True)]  # fmt: skip
    collection = PolyCollection(shapes, facecolors=color, edgecolors="none", hatch=hatch,
                                hatchcolors=hatchcolor, zorder=zorder)  # fmt: skip
    ax.add_collection(collection, autolim=False)
    return collection


def rendered(draw: Callable[[], Page]) -> bytes:
    """PNG bytes of the page `draw` makes, its figure freed at once.

    A figure is a web of reference cycles holding a ~10 MB pixel buffer; left to the cyclic
    collector's own schedule, several dead ones pile up (40-50 MB of RSS). Drawn with no
    collector pass (heap.quiet), the figure's objects are all still in the youngest
    generation when it is done, so collecting that generation alone frees it: a few
    milliseconds, where a full pass would walk the week's scores too.
    """
    with heap.quiet():
        png = draw().png()
    gc.collect(0)
    return png


def fit(words: str, width: float, size: float) -> tuple[str, float]:
    """Words and a size that fit `width` inches: down to 70% of `size` first, then an ellipsis."""
    need = display_width(words) * size / 144
    if need > width:
        size = max(size * 0.7, size * width / need)
    return shorten(words, columns_for(width, size)), size


def gap_row(ax: Axes, y: float, gap: Gap, text: ChartText, x: float, size: float) -> None:
    """The "… N more" row standing for the rows left out of a list, on a dotted rule."""
    words = text.more.format(n=gap.n)
    ax.text(x, y, words, fontproperties=cjk_font(size), color=MUTED, va="center")
    # The rule stops short of the words: a background box would hide the row's stripe.
    end = x + display_width(words) * size / 144 + 0.12
    for left, right in ((MARGIN, x - 0.12), (end, WIDTH - MARGIN)):
        if right > left:
            ax.plot([left, right], [y, y], color=RULE, lw=1, ls=(0, (2, 3)), zorder=1)
