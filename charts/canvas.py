"""The Agg canvas charts are drawn on, with a text path about twice as fast as matplotlib's.

matplotlib 3.11 lays out and rasterises every string glyph by glyph in Python (to support
font features and fallback), and each string is shaped twice: once to measure it, once to
draw it. A chart is mostly text (a 55-row ranking holds ~270 strings), so that is most of
its drawing time. Charts use one font that has every glyph they draw (a missing glyph fails
the render, see charts.fonts), no features and no rotation, so the whole-string path that
FreeType offers (`set_text` + `draw_glyphs_to_bitmap`) draws the same pixels; the string
measured last is drawn without shaping it again. Glyphs are not hinted: at 150 dpi hinting
changes nothing a reader sees and costs a third of the shaping.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.font_manager import get_font
from matplotlib.ft2font import FT2Font, LoadFlags

FLAGS = LoadFlags.NO_HINTING


class ChartRenderer(RendererAgg):
    """RendererAgg whose plain text is shaped once per string and drawn whole."""

    def __init__(self, width: int, height: int, dpi: float) -> None:
        super().__init__(width, height, dpi)
        # What a font holds laid out right after measuring it: (font, string, properties,
        # its size in 1/64 pixels), so drawing that very string need not shape it again.
        self._laid_out: tuple[FT2Font, str, Any, tuple[int, int]] | None = None

    def _prepare_font(self, font_prop: Any) -> FT2Font:
        self._laid_out = None  # clear() below drops whatever the font held
        path = font_prop.get_file()
        if path is None:
            return super()._prepare_font(font_prop)
        # A font given by its file (charts.fonts) is that file: what matplotlib's font search
        # returns for it too, after a search per family and text (a tenth of a chart's time).
        font = get_font(path)
        font.clear()
        font.set_size(font_prop.get_size_in_points(), self.dpi)
        return font

    def _get_font_height_metrics(self, font_prop: Any) -> tuple[float | None, ...]:
        """(ascent, descent, line gap) in pixels of a font given by its file, as Text's layout
        reads them from the font's tables for every text: read once per size here."""
        path = font_prop.get_file()
        if path is None:
            return None, None, None  # Text reads the tables itself
        return _height_metrics(path, font_prop.get_size_in_points(), self.dpi)

    def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> Any:
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        font = self._prepare_font(prop)
        font.set_text(s, 0.0, flags=FLAGS)
        w, h = font.get_width_height()  # 1/64 pixels, unrotated
        self._laid_out = (font, s, prop, (w, h))
        return w / 64.0, h / 64.0, font.get_descent() / 64.0

    def draw_text(
        self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
        ismath: Any = False, mtext: Any = None,
    ) -> None:  # fmt: skip
        if ismath:
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            return
        laid_out, self._laid_out = self._laid_out, None
        if (
            laid_out is not None
            and laid_out[1] == s
            and laid_out[2] == prop
            and laid_out[0].get_width_height() == laid_out[3]  # nothing else laid out since
        ):
            font = laid_out[0]
        else:
            font = self._prepare_font(prop)
            font.set_text(s, 0, flags=FLAGS)
        font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
        # As matplotlib 3.10 placed a whole string's bitmap (backend_agg.draw_text).
        descent = font.get_descent() / 64.0
        xo, yo = (v / 64.0 for v in font.get_bitmap_offset())
        rad = math.radians(angle)
        x = round(x + xo + descent * math.sin(rad))
        y = round(y + yo + descent * math.cos(rad))
        self._renderer.draw_text_image(font.get_image(), x, y + 1, angle, gc)


@functools.lru_cache(maxsize=64)
def _height_metrics(path: Any, size: float, dpi: float) -> tuple[float | None, ...]:
    """As matplotlib's Text._get_layout (3.11) computes them: OS/2's typographic metrics, else
    hhea's, scaled to `size` points at `dpi`."""
    font = get_font(path)
    for table_name, gap, ascent, descent in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * size * dpi / 72
        return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    return None, None, None


class ChartCanvas(FigureCanvasAgg):
    """FigureCanvasAgg drawing with a ChartRenderer."""

    def get_renderer(self) -> RendererAgg:
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = ChartRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
