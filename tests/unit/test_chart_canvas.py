"""charts.canvas draws text as matplotlib's own Agg path does, in about half the time.

It uses matplotlib internals (RendererAgg._prepare_font, the C++ draw_text_image), so a
matplotlib upgrade that changes them must fail here rather than draw wrong charts.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from charts.canvas import ChartCanvas
from charts.fonts import cjk_font

WORDS = ("城关区", "经济技术开发区管委会", "100.0", "▲12", "数据截至 2026-11-30 09:00", "新")


def drawn(canvas: type[FigureCanvasAgg]) -> np.ndarray:
    fig = Figure(figsize=(4, 3), dpi=150, facecolor="white")
    canvas(fig)
    for i, words in enumerate(WORDS):
        for j, (ha, va) in enumerate((("left", "top"), ("right", "center"), ("center", "top"))):
            fig.text(0.05 + 0.45 * j, 0.95 - i * 0.15, words, fontproperties=cjk_font(9 + i),
                     ha=ha, va=va, color="#1a1a1a")  # fmt: skip
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


def blurred(pixels: np.ndarray, k: int = 4) -> np.ndarray:
    """Grey levels averaged over k x k blocks: hinting moves a stroke by a fraction of a
    pixel, a misplaced or wrong string moves whole blocks."""
    h, w = pixels.shape[0] // k * k, pixels.shape[1] // k * k
    grey = pixels[:h, :w].mean(axis=2)
    return grey.reshape(h // k, k, w // k, k).mean(axis=(1, 3))


def ink(pixels: np.ndarray) -> tuple[int, int, int, int]:
    """The bounding box of everything not white: (top, bottom, left, right)."""
    rows, cols = np.nonzero((pixels < 200).any(axis=2))
    return rows.min(), rows.max(), cols.min(), cols.max()


def test_text_lands_where_matplotlib_puts_it() -> None:
    ours, theirs = drawn(ChartCanvas), drawn(FigureCanvasAgg)
    assert all(abs(a - b) <= 1 for a, b in zip(ink(ours), ink(theirs), strict=True))
    # The same strokes, give or take hinting and antialiasing at their edges (a 3-pixel
    # shift of the same picture differs by ~7 here).
    dark_ours, dark_theirs = (ours < 128).all(axis=2), (theirs < 128).all(axis=2)
    assert abs(int(dark_ours.sum()) - int(dark_theirs.sum())) < 0.1 * dark_theirs.sum()
    assert np.abs(blurred(ours) - blurred(theirs)).mean() < 4


def test_a_string_is_drawn_as_itself_whatever_was_measured_last() -> None:
    """The shortcut (draw the string just measured) never draws another string's glyphs:
    here "丙"'s size is known from the first draw, and "甲乙" was measured last."""

    def picture(canvas: type[FigureCanvasAgg]) -> np.ndarray:
        fig = Figure(figsize=(2, 1), dpi=100, facecolor="white")
        canvas(fig)
        fig.text(0.1, 0.2, "丙", fontproperties=cjk_font(12))
        fig.canvas.draw()
        other = fig.text(0.1, 0.6, "甲乙", fontproperties=cjk_font(12))
        other.get_window_extent(fig.canvas.get_renderer())
        other.set_visible(False)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)

    ours, theirs = picture(ChartCanvas), picture(FigureCanvasAgg)
    assert np.abs(blurred(ours) - blurred(theirs)).mean() < 4
    assert all(abs(a - b) <= 1 for a, b in zip(ink(ours), ink(theirs), strict=True))
