"""The period an export covers, as admins type it (pure)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from domain.dates import parse_day
from domain.text import squash

_MONTH = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})月?$")
MAX_DAYS = 366


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def parse_period(args: list[str], today: date) -> tuple[date, date] | None:
    """`[]` → this month up to today; `2026-11` / `11月` → that month; one day; or two days
    (start and end, inclusive). None when the words do not make a period of at most a year."""
    if not args:
        return today.replace(day=1), today
    if len(args) > 2:
        return None
    if len(args) == 1:
        word = squash(args[0])
        match = _MONTH.match(word)
        if match and (match.group(1) or word.endswith("月")):
            year = int(match.group(1) or today.year)
            month = int(match.group(2))
            return month_bounds(year, month) if 1 <= month <= 12 else None
        day = parse_day(word, today)
        return (day, day) if day else None
    start, end = parse_day(args[0], today), parse_day(args[1], today)
    if start is None or end is None or end < start or (end - start).days >= MAX_DAYS:
        return None
    return start, end
