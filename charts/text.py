"""Fitting names into a column: display width (汉字 count 2) and middle ellipsis."""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
# Unicode calls "…" ambiguous width, but Chinese fonts draw it a full em wide, like a 汉字.
ELLIPSIS_WIDTH = 2


def char_width(ch: str) -> int:
    """Columns one character takes: 2 for wide (CJK, full-width), 0 for combining marks, else 1."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns `text` takes on screen, counting each Chinese character as 2."""
    return sum(char_width(ch) for ch in text)


def shorten(name: str, width: int) -> str:
    """`name` cut to at most `width` columns, keeping its start and end around an ellipsis.

    The ellipsis counts ELLIPSIS_WIDTH (2) columns, as drawn in a Chinese font.

    Both ends matter in project names: the start says where or who ("某某区…"), the end what
    ("…污水处理厂二期"), so the middle goes. E.g. shorten("经济技术开发区管委会", 12) ->
    "经济…管委会".
    """
    if display_width(name) <= width:
        return name
    if width < ELLIPSIS_WIDTH:
        return ""
    budget = width - ELLIPSIS_WIDTH
    head, used = _take(name, (budget + 1) // 2)
    # Columns the head could not use (a 汉字 does not fit in one) go to the tail.
    tail, _ = _take(name[len(head) :][::-1], budget - used)
    return head + ELLIPSIS + tail[::-1]


def _take(text: str, width: int) -> tuple[str, int]:
    """The longest prefix of `text` within `width` columns, and the columns it uses."""
    used = 0
    for i, ch in enumerate(text):
        w = char_width(ch)
        if used + w > width:
            return text[:i], used
        used += w
    return text, used


# A line may not start with these (避头尾): they stay at the end of the line before.
_NO_LINE_START = "，。、；：！？）》」』”’,.;:!?)%"


def wrap(text: str, width: int) -> list[str]:
    """`text` broken into lines of at most `width` columns: at its own line breaks, then between
    any two characters (Chinese has no spaces); a closing punctuation mark stays with the word
    before it, one past `width`."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for ch in paragraph:
            w = char_width(ch)
            if used + w > width and line and ch not in _NO_LINE_START:
                lines.append(line)
                line, used = "", 0
            line += ch
            used += w
        if line:
            lines.append(line)
    return lines
