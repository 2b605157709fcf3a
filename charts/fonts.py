"""Find, once per process, a font with Chinese glyphs, so charts draw 汉字 rather than boxes."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from matplotlib import font_manager
from matplotlib.font_manager import FontPath, FontProperties
from matplotlib.ft2font import FT2Font

APT_PACKAGE = "fonts-wqy-microhei"

# Best first: WenQuanYi is what scripts/setup installs on Debian; the rest are the usual Simplified
# Chinese fonts of other distributions, macOS and Windows, so a developer's machine works too.
PREFERRED_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)

# A font "has Chinese" when it draws these; a few common ones stand in for the whole script.
PROBE = "重点项目进展排名"


class CJKFontMissingError(RuntimeError):
    """No installed font can draw Chinese text."""


@functools.cache
def _charmap(font: FontPath) -> dict[int, int]:
    """Code point -> glyph index of a font face."""
    return FT2Font(font.path, face_index=font.face_index).get_charmap()


def missing_chars(text: str, font: FontPath | None = None) -> str:
    """The distinct characters of `text` (whitespace aside) that `font` has no glyph for."""
    charmap = _charmap(font or cjk_font_path())
    seen = dict.fromkeys(ch for ch in text if not ch.isspace() and ord(ch) not in charmap)
    return "".join(seen)


def _draws_chinese(font: FontPath) -> bool:
    try:
        charmap = _charmap(font)
    except (OSError, RuntimeError):  # an unreadable or broken font file is not a candidate
        return False
    # Each probe character needs a glyph of its own: matplotlib's LastResort font maps every
    # code point to a few placeholder boxes, and would otherwise pass for a Chinese font.
    glyphs = {charmap.get(ord(ch)) for ch in PROBE}
    return None not in glyphs and len(glyphs) == len(set(PROBE))


def _registered() -> Iterator[tuple[str, FontPath]]:
    # Upright regular faces first: a chart in italic or thin type reads badly on a phone.
    entries = sorted(
        font_manager.fontManager.ttflist,
        key=lambda e: (e.style != "normal", abs(_weight(e.weight) - 400)),
    )
    for entry in entries:
        yield entry.name, FontPath(entry.fname, entry.index)


def _weight(weight: int | str) -> int:
    return weight if isinstance(weight, int) else font_manager.weight_dict.get(weight, 400)


def _unregistered() -> Iterator[tuple[str, FontPath]]:
    # matplotlib caches its font list on first use; a font installed later (say by scripts/setup
    # after a test run) is missing from it until that cache is rebuilt, so look on disk as well.
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path in known:
            continue
        try:
            faces = FT2Font(path).num_faces
            for index in range(faces):
                yield FT2Font(path, face_index=index).family_name, FontPath(path, index)
        except (OSError, RuntimeError):
            continue


def _choose(candidates: list[tuple[str, FontPath]]) -> FontPath | None:
    for family in PREFERRED_FAMILIES:
        for name, font in candidates:
            if name == family and _draws_chinese(font):
                return font
    for _name, font in candidates:
        if _draws_chinese(font):
            return font
    return None


@functools.cache
def cjk_font_path() -> FontPath:
    """The font file (and face in a .ttc) every chart uses; raises if none draws Chinese."""
    font = _choose(list(_registered())) or _choose(list(_unregistered()))
    if font is None:
        raise CJKFontMissingError(
            "No font with Chinese glyphs is installed, so charts cannot be drawn. Install one, "
            f"e.g. `sudo apt-get install {APT_PACKAGE}`, or run scripts/setup."
        )
    return font


def cjk_font(size: float) -> FontProperties:
    """Font properties for text of `size` points in the chosen Chinese font.

    Given to each text explicitly rather than through rcParams, which are process-global and
    not safe to change while another thread renders a chart.
    """
    return FontProperties(fname=cjk_font_path(), size=size)
