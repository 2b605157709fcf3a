"""Silent workdays and workdays owed (domain.reporting_days), on the official calendar."""

from datetime import date, timedelta

from domain.reporting_days import owed_workdays, period_workdays, silent_workdays
from domain.workdays import WorkCalendar


def workdays(first: date, last: date) -> list[date]:
    calendar = WorkCalendar()
    span = (last - first).days + 1
    return [d for d in (first + timedelta(days=i) for i in range(span)) if calendar.is_workday(d)]


NOV = workdays(date(2026, 11, 1), date(2026, 11, 30))  # Mon 23 .. Fri 27, Mon 30
MON, TUE, WED, THU, FRI = (date(2026, 11, d) for d in range(23, 28))
SUN, NEXT_MON = date(2026, 11, 29), date(2026, 11, 30)


def test_imported_today_is_never_silent_today() -> None:
    # Entered Monday, assessed Monday while the day goes on, and at its end: no day counts.
    assert silent_workdays(NOV, MON, None, MON, day_over=False) == 0
    assert silent_workdays(NOV, MON, None, MON) == 0


def test_silent_for_n_workdays_counts_from_entry_and_skips_the_weekend() -> None:
    # Entered Monday, never reported. Friday's run at 00:00 (the day not over) counts Tue, Wed,
    # Thu = 3; by the end of Friday 4; next Monday's run still 4 (Sat and Sun are days off).
    assert silent_workdays(NOV, THU, None, MON, day_over=False) == 2
    assert silent_workdays(NOV, FRI, None, MON, day_over=False) == 3
    assert silent_workdays(NOV, FRI, None, MON) == 4
    assert silent_workdays(NOV, NEXT_MON, None, MON, day_over=False) == 4


def test_silence_counts_from_the_last_real_progress() -> None:
    # Real progress Wednesday: Thursday and Friday are over by Monday's run: 2.
    assert silent_workdays(NOV, NEXT_MON, WED, MON, day_over=False) == 2
    # Real progress today counts at once, whether the day is over or not.
    assert silent_workdays(NOV, FRI, FRI, MON, day_over=False) == 0
    assert silent_workdays(NOV, FRI, FRI, MON) == 0


def test_days_before_the_project_existed_do_not_count() -> None:
    # Entered on Sunday: Monday's run counts nothing, Tuesday's counts Monday.
    assert silent_workdays(NOV, NEXT_MON, None, SUN, day_over=False) == 0
    assert silent_workdays(NOV, date(2026, 12, 1), None, SUN, day_over=False) == 1
    # A project entered after the day assessed is not silent.
    assert silent_workdays(NOV, MON, None, FRI) == 0


def test_holidays_are_not_silent_days() -> None:
    # 国庆 2026: Oct 1-7 off, Oct 8 (Thu) back, Oct 10 (Sat) a 调休 workday.
    autumn = workdays(date(2026, 9, 20), date(2026, 10, 12))
    # Last real progress Sep 30: by Oct 12's run, Oct 8, 9, 10 are over and silent = 3.
    assert silent_workdays(autumn, date(2026, 10, 12), date(2026, 9, 30), None,
                           day_over=False) == 3  # fmt: skip


def test_workdays_owed_in_a_week() -> None:
    # A project that existed before the week owes every workday of it: 5.
    assert owed_workdays(NOV, MON, SUN, date(2026, 1, 5), False) == 5
    assert period_workdays(NOV, MON, SUN) == 5
    # Entered Monday without a report that day: Tuesday to Friday, 4.
    assert owed_workdays(NOV, MON, SUN, MON, False) == 4
    # Entered Monday and reported real progress that day: the day counts for it, 5.
    assert owed_workdays(NOV, MON, SUN, MON, True) == 5
    # Entered Friday: nothing owed but Friday's own report, if any.
    assert owed_workdays(NOV, MON, SUN, FRI, False) == 0
    assert owed_workdays(NOV, MON, SUN, FRI, True) == 1
    # Entered after the week: nothing.
    assert owed_workdays(NOV, MON, SUN, NEXT_MON, False) == 0
    # Entered on a Sunday before the week: all 5.
    assert owed_workdays(NOV, MON, SUN, date(2026, 11, 22), False) == 5
