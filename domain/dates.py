"""Days as people type them: 2026-11-25, 11-25, 11/25, 11月25日, 今天, 明天, 后天."""

from __future__ import annotations

import re
from datetime import date, timedelta

from domain.text import squash

_RELATIVE = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2}
_FULL = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_SHORT = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")


def parse_day(text: str, today: date) -> date | None:
    """The day meant by `text`, or None. A day without a year is this year's."""
    value = squash(text or "")
    if value in _RELATIVE:
        return today + timedelta(days=_RELATIVE[value])
    for pattern, year in ((_FULL, None), (_SHORT, today.year)):
        match = pattern.match(value)
        if match:
            parts = [int(p) for p in match.groups()]
            y, m, d = parts if year is None else [year, *parts]
            try:
                return date(y, m, d)
            except ValueError:
                return None
    return None
