"""When each scheduled run is due and until when it is still worth sending (pure functions).

A run is identified by (kind, period): the day for daily kinds, the ISO week for the weekly
ranking, the month for the bulletin. Times are the configured zone's wall-clock times,
converted to UTC, so a zone with daylight saving keeps its 16:00 at 16:00.

Besides the items admins schedule, every workday has a status run (``STATUS``): every
project's status recomputed (ranking.service.refresh_statuses), once per workday.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.schedule_kinds import BY_NAME, DAILY, MONTHLY, REMINDERS, STATUS, WEEKLY, WORKDAY
from domain.workdays import WorkCalendar
from storage.schedule import ScheduleItem

# The status run is due at the very start of each workday: the day before is then over, so
# its silence counts (domain.reporting_days), and every push of the day, whatever time admins
# give it, draws today's statuses; reports and admin edits update their projects at once.
# It stays due until the next workday begins, so downtime over a night, a weekend or a
# holiday is caught up at the first tick after it; the run assesses the day it runs on.
STATUS_AT = time(0, 0)
_LOOK_BACK_DAYS = 40  # the longest run of days off (春节 with weekends) is well under this


@dataclass(frozen=True)
class Slot:
    kind: str
    period: str
    day: date  # the local day the run belongs to
    due: datetime  # UTC
    expires: datetime  # UTC; at or after this the run is no longer useful


def at_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time on a day."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return at_local(day + timedelta(days=1), time(0, 0), tz)


def current_slot(kind: str, items: Mapping[str, ScheduleItem], day: date, tz: ZoneInfo) -> Slot:
    """The run of `kind` for the period containing local day `day`."""
    if kind not in BY_NAME:
        raise ValueError(f"unknown schedule kind {kind!r}")
    at, cadence = items[kind].at, BY_NAME[kind].cadence
    if cadence == WORKDAY:
        expires = _end_of_day(day, tz)
        board = items.get("board")
        if kind in REMINDERS and board and board.enabled and board.at > at:
            expires = at_local(day, board.at, tz)  # a reminder after the deadline is noise
        return Slot(kind, day.isoformat(), day, at_local(day, at, tz), expires)
    if cadence == WEEKLY:
        monday = day - timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        return Slot(
            kind, f"{year}-W{week:02d}", monday, at_local(monday, at, tz),
            at_local(monday + timedelta(days=7), time(0, 0), tz),
        )  # fmt: skip
    assert cadence == MONTHLY, cadence
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Slot(
        kind, first.strftime("%Y-%m"), first, at_local(first, at, tz),
        at_local(following, time(0, 0), tz),
    )  # fmt: skip


def status_slot(now: datetime, tz: ZoneInfo, calendar: WorkCalendar) -> Slot | None:
    """The status run of the latest workday begun by `now` (UTC), due until the next begins;
    None when no workday is in sight (a calendar of days off only)."""
    day = now.astimezone(tz).date()
    workday = next(
        (d for d in (day - timedelta(days=i) for i in range(_LOOK_BACK_DAYS))
         if calendar.is_workday(d)),
        None,
    )  # fmt: skip
    if workday is None:
        return None
    following = next(
        (d for d in (day + timedelta(days=i) for i in range(1, _LOOK_BACK_DAYS))
         if calendar.is_workday(d)),
        day + timedelta(days=1),
    )  # fmt: skip
    due, expires = at_local(workday, STATUS_AT, tz), at_local(following, STATUS_AT, tz)
    return Slot(STATUS, workday.isoformat(), workday, due, expires)


def due_slots(
    items: Mapping[str, ScheduleItem], now: datetime, tz: ZoneInfo, calendar: WorkCalendar
) -> list[Slot]:
    """Runs whose time has come and that are still useful at `now` (UTC). The status run is
    made while planning, pushes are drawn when sent (after planning): a push of the same tick
    draws the statuses it made."""
    day = now.astimezone(tz).date()
    found = []
    status = status_slot(now, tz, calendar)
    if status is not None and status.due <= now < status.expires:
        found.append(status)
    for kind, item in items.items():
        if not item.enabled:
            continue
        slot = current_slot(kind, items, day, tz)
        if kind in DAILY and not calendar.is_workday(slot.day):
            continue
        if slot.due <= now < slot.expires:
            found.append(slot)
    return sorted(found, key=lambda s: s.due)
