"""When runs are due and until when they are useful; workdays with holidays and 调休."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.schedule_kinds import STATUS
from domain.workdays import OFF, WORK, WorkCalendar
from scheduler.slots import current_slot, due_slots, status_slot
from storage.schedule import ScheduleItem

SHANGHAI = ZoneInfo("Asia/Shanghai")
ITEMS = {
    k: ScheduleItem(k, time.fromisoformat(v), True)
    for k, v in {"remind1": "16:00", "remind2": "17:30", "board": "18:00", "digest": "20:00",
                 "weekly": "09:00", "monthly": "09:00"}.items()
}  # fmt: skip


def utc(local: str, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=tz).astimezone(UTC)


def kinds(now: str, items=ITEMS) -> list[str]:
    return [s.kind for s in due_slots(items, utc(now), SHANGHAI, WorkCalendar())]


def test_times_are_local_and_stored_utc() -> None:
    slot = current_slot("remind1", ITEMS, date(2026, 11, 23), SHANGHAI)
    assert slot.due == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert slot.expires == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # the 18:00 deadline
    assert slot.period == "2026-11-23"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # November's bulletin (due on the 1st) stays due all month: catch-up after downtime.
        # The status run of the day (00:00) is due from the start of each workday.
        ("2026-11-23 08:59", ["monthly", "status"]),
        ("2026-11-23 09:00", ["monthly", "status", "weekly"]),
        ("2026-11-23 16:00", ["monthly", "status", "weekly", "remind1"]),
        ("2026-11-23 17:45", ["monthly", "status", "weekly", "remind1", "remind2"]),
        ("2026-11-23 18:00", ["monthly", "status", "weekly", "board"]),  # reminders stale
        ("2026-11-23 23:59", ["monthly", "status", "weekly", "board", "digest"]),
        # A Sunday: no daily runs; Friday's status run is still due until Monday begins.
        ("2026-11-22 16:00", ["monthly", "weekly", "status"]),
        ("2026-10-01 16:00", ["weekly", "status", "monthly"]),  # 国庆: Sep 30's status run
        ("2026-10-10 16:00", ["monthly", "weekly", "status", "remind1"]),  # 调休 Saturday
    ],
)
def test_due_slots(now: str, expected: list[str]) -> None:
    assert kinds(now) == expected


def test_disabled_items_never_come_due() -> None:
    items = {**ITEMS, "remind1": ScheduleItem("remind1", time(16), False)}
    assert "remind1" not in kinds("2026-11-23 16:30", items)


def test_reminder_without_board_is_useful_until_midnight() -> None:
    items = {**ITEMS, "board": ScheduleItem("board", time(18), False)}
    assert "remind1" in kinds("2026-11-23 19:00", items)


def test_weekly_and_monthly_periods() -> None:
    weekly = current_slot("weekly", ITEMS, date(2026, 12, 31), SHANGHAI)
    assert weekly.period == "2026-W53" and weekly.day == date(2026, 12, 28)
    monthly = current_slot("monthly", ITEMS, date(2026, 12, 31), SHANGHAI)
    assert monthly.period == "2026-12"
    assert monthly.expires == utc("2027-01-01 00:00")


def test_daylight_saving_zone_keeps_wall_clock_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    before = current_slot("remind1", ITEMS, date(2026, 3, 27), berlin)  # CET, UTC+1
    after = current_slot("remind1", ITEMS, date(2026, 3, 30), berlin)  # CEST, UTC+2
    assert before.due.hour == 15 and after.due.hour == 14
    assert before.due.astimezone(berlin).hour == after.due.astimezone(berlin).hour == 16


def test_local_exceptions_win_over_the_official_calendar() -> None:
    calendar = WorkCalendar({date(2026, 11, 24): OFF, date(2026, 11, 29): WORK})
    assert not calendar.is_workday(date(2026, 11, 24))  # a Tuesday made a day off
    assert calendar.is_workday(date(2026, 11, 29))  # a Sunday made a workday
    assert calendar.is_workday(date(2026, 11, 25))


def test_unknown_year_falls_back_to_monday_to_friday() -> None:
    calendar = WorkCalendar()
    if calendar.knows_year(2031):
        pytest.skip("the installed calendar already knows 2031")
    assert calendar.is_workday(date(2031, 1, 1))  # a Wednesday; New Year is unknown there
    assert not calendar.is_workday(date(2031, 1, 4))  # a Saturday


def test_previous_workdays_skip_holidays() -> None:
    days = WorkCalendar().previous_workdays(date(2026, 10, 9), 3)
    # 10-09 Fri, 10-08 Thu, then back over the National Day holiday to 09-30 Wed.
    assert days == [date(2026, 10, 9), date(2026, 10, 8), date(2026, 9, 30)]


def test_status_run_once_per_workday_and_due_until_the_next_begins() -> None:
    calendar = WorkCalendar()
    monday = status_slot(utc("2026-11-23 00:00"), SHANGHAI, calendar)
    assert monday is not None and monday.kind == STATUS and monday.period == "2026-11-23"
    assert monday.due == utc("2026-11-23 00:00") and monday.expires == utc("2026-11-24 00:00")
    # Friday's run stays due over the weekend (downtime caught up), until Monday begins.
    friday = status_slot(utc("2026-11-29 23:59"), SHANGHAI, calendar)
    assert friday is not None and friday.period == "2026-11-27"
    assert friday.expires == utc("2026-11-30 00:00")
    # Over 国庆, Sep 30's run is the latest, due until the first workday after it (Oct 8).
    holiday = status_slot(utc("2026-10-05 12:00"), SHANGHAI, calendar)
    assert holiday is not None and holiday.period == "2026-09-30"
    assert holiday.expires == utc("2026-10-08 00:00")
    # A local day off moves it like any workday.
    off = WorkCalendar({date(2026, 11, 24): OFF})
    tuesday = status_slot(utc("2026-11-24 12:00"), SHANGHAI, off)
    assert tuesday is not None and tuesday.period == "2026-11-23"
