"""Which workdays a project owed a report on, and for how many it has been silent.

Both count workdays only (the caller's WorkCalendar: holidays off, 调休 days on) and never
days before the project existed. The day a project entered the ledger (imported or added) is
a day of grace: it is not counted as silent, nor as a day a report was owed, unless the
project reported real progress on it; a project imported today is never behind today.

Silence is counted in days that are over: when the day of assessment is still going on
(``day_over`` False, as for a status recomputed during the day), it does not count as silent
yet, while real progress reported on it already does. So the status at 10:00 agrees with the
one of the run at the start of the day, and a report at 17:00 is never too late for it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date, timedelta


def silent_workdays(
    workdays: Sequence[date],
    as_of: date,
    last_real: date | None,
    entered: date | None,
    *,
    day_over: bool = True,
) -> int:
    """Workdays after the last real progress (or, without any, after the day the project
    entered the ledger) up to ``as_of`` (the day before when ``day_over`` is False).

    ``workdays`` is sorted and covers at least the days to count; a start before its first
    day counts from there (a bounded look back: beyond it the project is long since silent).
    """
    since = last_real if last_real is not None else entered
    until = as_of if day_over else as_of - timedelta(days=1)
    low = bisect.bisect_right(workdays, since) if since is not None else 0
    high = bisect.bisect_right(workdays, until)
    return max(0, high - low)


def owed_workdays(
    workdays: Sequence[date],
    start: date,
    end: date,
    entered: date | None,
    reported_on_entry: bool,
) -> int:
    """Workdays in ``start``..``end`` the project owed a report on.

    Those after the day it entered the ledger; that day itself only when it reported real
    progress on it (``reported_on_entry``), so that a report on the first day counts for the
    project and a late import never counts against it. ``entered`` None: every workday.
    """
    first = start if entered is None else max(start, entered + timedelta(days=1))
    owed = max(0, bisect.bisect_right(workdays, end) - bisect.bisect_left(workdays, first))
    on_entry = entered is not None and start <= entered <= end
    if on_entry and reported_on_entry and _is_in(workdays, entered):
        owed += 1
    return owed


def period_workdays(workdays: Sequence[date], start: date, end: date) -> int:
    """Workdays in ``start``..``end``."""
    return max(0, bisect.bisect_right(workdays, end) - bisect.bisect_left(workdays, start))


def _is_in(workdays: Sequence[date], day: date) -> bool:
    i = bisect.bisect_left(workdays, day)
    return i < len(workdays) and workdays[i] == day
