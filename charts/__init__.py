"""Charts for the weekly ranking, the 龙虎榜 and the monthly bulletin: pure functions to PNG bytes.

Each takes plain frozen rows and a ChartText the caller fills from the message catalog, and
returns PNG bytes. Rendering takes tens of milliseconds of CPU, so call them from a handler
through `await asyncio.to_thread(unit_ranking_png, rows, text)`.
"""

from .board import project_board_png
from .bulletin import bulletin_png
from .fonts import CJKFontMissingError, cjk_font_path, missing_chars
from .model import BulletinBar, ChartText, ProjectBar, UnitBar
from .ranking import unit_ranking_png
from .text import display_width, shorten

__all__ = [
    "BulletinBar",
    "CJKFontMissingError",
    "ChartText",
    "ProjectBar",
    "UnitBar",
    "bulletin_png",
    "cjk_font_path",
    "display_width",
    "missing_chars",
    "project_board_png",
    "shorten",
    "unit_ranking_png",
]
