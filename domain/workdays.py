"""Workdays by the official Chinese calendar: statutory holidays off, 调休 weekend days on.

The calendar package knows the years the State Council has published (it is updated each
December). For a year it does not know yet we fall back to Monday–Friday and say so, and a
deployment's own exceptions (a local day off, an extra workday) always win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import chinese_calendar

OFF, WORK = "off", "work"


@lru_cache(maxsize=8192)  # ~22 years of days; the package's data does not change in a run
def official_workday(day: date) -> bool | None:
    """True/False from the official calendar; None when the package has no data for the year.

    Cached: the package takes min and max over all its holidays at every call (~30 µs), and
    each 确认 asks about the ~120 days the project's status looks back on."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar plus this deployment's exceptions ({day: "off" | "work"})."""

    exceptions: Mapping[date, str] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day] == WORK
        official = official_workday(day)
        return day.weekday() < 5 if official is None else official

    def knows_year(self, year: int) -> bool:
        return official_workday(date(year, 6, 1)) is not None

    def previous_workdays(self, day: date, count: int, *, include: bool = True) -> list[date]:
        """The `count` workdays up to `day` (included if a workday and `include`), newest first."""
        found: list[date] = []
        current = day if include else date.fromordinal(day.toordinal() - 1)
        for _ in range(count * 4 + 30):  # bounded: a long holiday is at most ~10 days
            if len(found) == count:
                break
            if self.is_workday(current):
                found.append(current)
            current = date.fromordinal(current.toordinal() - 1)
        return found
