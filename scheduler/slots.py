"""When each scheduled run is due and until when it is still worth sending (pure functions).

A run is identified by (kind, period): the day for daily kinds, the ISO week for the weekly
ranking, the month for the bulletin. Times are the configured zone's wall-clock times,
converted to UTC, so a zone with daylight saving keeps its 16:00 at 16:00.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.workdays import WorkCalendar
from storage.schedule import ScheduleItem

DAILY = ("remind1", "remind2", "board", "digest")
REMINDERS = ("remind1", "remind2")


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
    at = items[kind].at
    if kind in DAILY:
        expires = _end_of_day(day, tz)
        board = items.get("board")
        if kind in REMINDERS and board and board.enabled and board.at > at:
            expires = at_local(day, board.at, tz)  # a reminder after the deadline is noise
        return Slot(kind, day.isoformat(), day, at_local(day, at, tz), expires)
    if kind == "weekly":
        monday = day - timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        return Slot(
            kind, f"{year}-W{week:02d}", monday, at_local(monday, at, tz),
            at_local(monday + timedelta(days=7), time(0, 0), tz),
        )  # fmt: skip
    if kind == "monthly":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Slot(
            kind, first.strftime("%Y-%m"), first, at_local(first, at, tz),
            at_local(following, time(0, 0), tz),
        )  # fmt: skip
    raise ValueError(f"unknown schedule kind {kind!r}")


def due_slots(
    items: Mapping[str, ScheduleItem], now: datetime, tz: ZoneInfo, calendar: WorkCalendar
) -> list[Slot]:
    """Runs whose time has come and that are still useful at `now` (UTC)."""
    day = now.astimezone(tz).date()
    found = []
    for kind, item in items.items():
        if not item.enabled:
            continue
        slot = current_slot(kind, items, day, tz)
        if kind in DAILY and not calendar.is_workday(slot.day):
            continue
        if slot.due <= now < slot.expires:
            found.append(slot)
    return sorted(found, key=lambda s: s.due)
