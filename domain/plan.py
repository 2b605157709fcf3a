"""序时进度: how much of the year's planned investment is due by a given day.

A day counts whole: by the end of ``as_of`` its share of the plan is due. Amounts are integer
元 and the prorated part is rounded half-up with integer arithmetic (no floats).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

MONTHS = 12


def prorate(amount: int, part: int, whole: int) -> int:
    """``amount * part / whole`` rounded half-up to an int: prorate(31, 3, 31) == 3."""
    if whole <= 0:
        raise ValueError("whole must be positive")
    return (2 * amount * part + whole) // (2 * whole)


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def planned_to_date(
    year_plan_yuan: int, monthly_plan_yuan: Sequence[int] | None, as_of: date
) -> int:
    """Planned investment due by the end of ``as_of`` (序时进度), in 元.

    With a monthly plan (per-month amounts, January first, for ``as_of``'s year): the months
    before ``as_of`` in full plus the current month prorated by day. A plan shorter than 12
    months is padded with zeros. A monthly plan that does not add up to the year plan is used
    as given: it is the newer, finer statement of intent (plans change mid-year and the caller
    passes whichever plan is in force), so ``year_plan_yuan`` is then ignored.

    Without a monthly plan: the year plan times the share of the year elapsed (day of year).

    Raises:
        ValueError: a monthly plan with more than 12 months.
    """
    if monthly_plan_yuan is None:
        return prorate(year_plan_yuan, as_of.timetuple().tm_yday, days_in_year(as_of.year))
    if len(monthly_plan_yuan) > MONTHS:
        raise ValueError(f"a monthly plan has at most 12 months, got {len(monthly_plan_yuan)}")
    months = list(monthly_plan_yuan) + [0] * (MONTHS - len(monthly_plan_yuan))
    before = sum(months[: as_of.month - 1])
    month_days = calendar.monthrange(as_of.year, as_of.month)[1]
    return before + prorate(months[as_of.month - 1], as_of.day, month_days)


def plan_ratio(done_yuan: int, planned_yuan: int) -> float | None:
    """Completed / planned-to-date; None when nothing is planned yet (not applicable)."""
    if planned_yuan <= 0:
        return None
    return done_yuan / planned_yuan
