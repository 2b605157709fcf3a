"""序时进度 (domain.plan) and project status 红黄绿 (domain.status), with hand-computed cases."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from domain.plan import plan_ratio, planned_to_date, prorate
from domain.stages import Stage
from domain.status import (
    CATCHING_UP,
    GREEN,
    INVESTMENT_BEHIND,
    INVESTMENT_FAR_BEHIND,
    MILESTONE_OVERDUE,
    NO_REAL_PROGRESS,
    RED,
    START_FAR_OVERDUE,
    START_OVERDUE,
    YELLOW,
    Milestone,
    ProjectFacts,
    Status,
    Thresholds,
    status,
)

WAN = 10_000
AS_OF = date(2025, 6, 30)
# 100万 a month: by the end of June 30 the plan to date is 6 * 100万 = 600万 (June counts whole).
MONTHLY = (100 * WAN,) * 12
PLANNED = 600 * WAN


def facts(**changes: object) -> ProjectFacts:
    base = ProjectFacts(
        project_id=1,
        code="P1",
        name="Project 1",
        unit="Unit A",
        group="county",
        total_yuan=5000 * WAN,
        year_plan_yuan=1200 * WAN,
        monthly_plan_yuan=MONTHLY,
        done_yuan=PLANNED,
        stage=Stage.CONSTRUCTION,
    )
    return replace(base, **changes)


# --- 序时进度 ------------------------------------------------------------------------------


def test_prorate_rounds_half_up_with_integers() -> None:
    assert prorate(31, 3, 31) == 3
    assert prorate(1, 1, 2) == 1  # 0.5 -> 1
    assert prorate(1, 1, 3) == 0  # 0.33 -> 0
    with pytest.raises(ValueError):
        prorate(1, 1, 0)


def test_year_share_by_day_without_monthly_plan() -> None:
    # 2025 has 365 days. Jan 3 is day 3: 365,000 * 3 / 365 = 3,000.
    assert planned_to_date(365_000, None, date(2025, 1, 3)) == 3_000
    # Dec 31 is day 365: the whole plan.
    assert planned_to_date(365_000, None, date(2025, 12, 31)) == 365_000
    # 2024 is a leap year: Feb 29 is day 60 of 366 -> 366,000 * 60 / 366 = 60,000.
    assert planned_to_date(366_000, None, date(2024, 2, 29)) == 60_000


def test_year_boundary_with_monthly_plan() -> None:
    # Jan 3: no month before, January prorated 3/31: 100万 * 3 / 31 = 96,774.19 -> 96,774.
    assert planned_to_date(1200 * WAN, MONTHLY, date(2025, 1, 3)) == 96_774
    # Dec 31: eleven months in full plus December 31/31 = the whole 1,200万.
    assert planned_to_date(1200 * WAN, MONTHLY, date(2025, 12, 31)) == 1200 * WAN


def test_months_before_in_full_and_current_month_by_day() -> None:
    monthly = tuple(m * 10 * WAN for m in range(1, 13))  # 10万, 20万, ... 120万
    # Apr 15: Jan..Mar = 10 + 20 + 30 = 60万; April 40万 * 15 / 30 = 20万; total 80万.
    assert planned_to_date(780 * WAN, monthly, date(2025, 4, 15)) == 80 * WAN


def test_plan_changed_mid_year_uses_the_plan_given() -> None:
    old = MONTHLY
    # Revised in July: first half as before, then July 50万 and 150万 a month from August.
    new = (100 * WAN,) * 6 + (50 * WAN,) + (150 * WAN,) * 5
    jul31 = date(2025, 7, 31)
    assert planned_to_date(1200 * WAN, old, jul31) == 700 * WAN  # 7 * 100万
    assert planned_to_date(1200 * WAN, new, jul31) == 650 * WAN  # 6 * 100万 + 50万


def test_monthly_plan_not_adding_up_is_used_as_given() -> None:
    # Year plan says 2,000万 but the months add up to 1,200万: Dec 31 gives the months' 1,200万.
    assert planned_to_date(2000 * WAN, MONTHLY, date(2025, 12, 31)) == 1200 * WAN


def test_short_monthly_plan_is_padded_and_too_long_rejected() -> None:
    # Six months of 100 元, nothing after June: Dec 31 -> 600.
    assert planned_to_date(600, (100,) * 6, date(2025, 12, 31)) == 600
    with pytest.raises(ValueError):
        planned_to_date(1300, (100,) * 13, AS_OF)


def test_no_plan_is_zero_and_ratio_not_applicable() -> None:
    assert planned_to_date(0, None, AS_OF) == 0
    assert plan_ratio(100, 0) is None
    assert plan_ratio(450, 600) == 0.75


# --- investment -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("done_wan", "expected"),
    [
        (600, Status(GREEN)),  # 600 / 600 = at plan
        (700, Status(GREEN)),  # ahead
        (550, Status(GREEN)),  # 550 / 600 = 91.67%: 8.33 points behind, inside the tolerance
        (540, Status(YELLOW, (INVESTMENT_BEHIND,))),  # 540 / 600 = 90%: exactly 10 behind
        (420, Status(YELLOW, (INVESTMENT_BEHIND,))),  # 420 / 600 = 70%: exactly 30, not more
        (419, Status(RED, (INVESTMENT_FAR_BEHIND,), True)),  # 69.83%: more than 30 behind
        (0, Status(RED, (INVESTMENT_FAR_BEHIND,), True)),
    ],
)
def test_investment_against_plan_to_date(done_wan: int, expected: Status) -> None:
    assert status(facts(done_yuan=done_wan * WAN), AS_OF) == expected


def test_exact_thirty_points_is_not_a_float_accident() -> None:
    # 0.7 in floats gives 30.000000000000004 points behind; exact arithmetic gives 30 -> yellow.
    project = facts(year_plan_yuan=100, monthly_plan_yuan=None, done_yuan=70)
    dec31 = date(2025, 12, 31)  # planned to date = the whole 100
    assert status(project, dec31).color == YELLOW


def test_no_year_plan_means_investment_not_checked() -> None:
    project = facts(year_plan_yuan=0, monthly_plan_yuan=None, done_yuan=0)
    assert status(project, AS_OF) == Status(GREEN)


def test_thresholds_are_configurable() -> None:
    strict = Thresholds(yellow_points=5, red_points=8)
    # 550 / 600 is 8.33 behind: more than 8 -> red under the strict thresholds.
    assert status(facts(done_yuan=550 * WAN), AS_OF, strict).color == RED
    # 565 / 600 = 94.17%: 5.83 behind -> yellow.
    assert status(facts(done_yuan=565 * WAN), AS_OF, strict).color == YELLOW


# --- schedule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_late", "expected"),
    [
        (30, Status(GREEN)),  # one month is allowed
        (31, Status(YELLOW, (START_OVERDUE,))),
        (90, Status(YELLOW, (START_OVERDUE,))),
        (91, Status(RED, (START_FAR_OVERDUE,), True)),
    ],
)
def test_start_overdue(days_late: int, expected: Status) -> None:
    project = facts(stage=Stage.PRELIMINARY, planned_start=AS_OF - timedelta(days=days_late))
    assert status(project, AS_OF) == expected


def test_started_project_is_not_start_overdue() -> None:
    planned = AS_OF - timedelta(days=120)
    by_date = facts(stage=Stage.PRELIMINARY, planned_start=planned, actual_start=AS_OF)
    by_stage = facts(stage=Stage.CONSTRUCTION, planned_start=planned, actual_start=None)
    assert status(by_date, AS_OF).color == GREEN
    assert status(by_stage, AS_OF).color == GREEN


def test_overdue_milestone_turns_yellow() -> None:
    yesterday, today = AS_OF - timedelta(days=1), AS_OF
    overdue = facts(milestones=(Milestone("主体封顶", yesterday),))
    due_today = facts(milestones=(Milestone("主体封顶", today),))
    done_late = facts(milestones=(Milestone("主体封顶", date(2025, 5, 1), date(2025, 5, 20)),))
    assert status(overdue, AS_OF) == Status(YELLOW, (MILESTONE_OVERDUE,))
    assert status(due_today, AS_OF).color == GREEN  # the due day still belongs to the project
    assert status(done_late, AS_OF).color == GREEN  # late nodes cost score, not colour


# --- reporting ------------------------------------------------------------------------------


def test_no_real_progress_for_three_workdays() -> None:
    assert status(facts(workdays_since_real_progress=2), AS_OF).color == GREEN
    assert status(facts(workdays_since_real_progress=3), AS_OF) == Status(
        YELLOW, (NO_REAL_PROGRESS,)
    )
    lenient = Thresholds(no_progress_workdays=5)
    assert status(facts(workdays_since_real_progress=4), AS_OF, lenient).color == GREEN


def test_reasons_worst_first() -> None:
    project = facts(
        done_yuan=0,
        milestones=(Milestone("环评批复", date(2025, 6, 1)),),
        workdays_since_real_progress=10,
    )
    assert status(project, AS_OF).reasons == (
        INVESTMENT_FAR_BEHIND,
        MILESTONE_OVERDUE,
        NO_REAL_PROGRESS,
    )


# --- red stays until caught up -------------------------------------------------------------


def test_red_comes_back_to_green_only_by_catching_up() -> None:
    # Week 1: 400 / 600 = 66.7% -> red.
    week1 = status(facts(done_yuan=400 * WAN), AS_OF)
    assert week1 == Status(RED, (INVESTMENT_FAR_BEHIND,), since_red=True)
    # Week 2: 550 / 600, 8.33 behind. Fresh that is green, but it was red: held at yellow.
    week2 = status(facts(done_yuan=550 * WAN), AS_OF, previous=week1)
    assert week2 == Status(YELLOW, (CATCHING_UP,), since_red=True)
    # Week 3: still 550 / 600. The week ended, nothing caught up: still held.
    week3 = status(facts(done_yuan=550 * WAN), AS_OF, previous=week2)
    assert week3 == week2
    # Week 4: 600 / 600, at plan -> green, and the memory is gone.
    week4 = status(facts(done_yuan=600 * WAN), AS_OF, previous=week3)
    assert week4 == Status(GREEN)
    # Week 5: 550 / 600 again, but never red since: inside the tolerance band -> green.
    assert status(facts(done_yuan=550 * WAN), AS_OF, previous=week4) == Status(GREEN)


def test_red_improves_to_yellow_and_keeps_its_memory() -> None:
    red = status(facts(done_yuan=400 * WAN), AS_OF)
    # 420 / 600 is exactly 30 behind: yellow by its own cause, right away.
    yellow = status(facts(done_yuan=420 * WAN), AS_OF, previous=red)
    assert yellow == Status(YELLOW, (INVESTMENT_BEHIND,), since_red=True)
    # Then 580 / 600 (3.33 behind): fresh green, but red since and not at plan -> yellow.
    assert status(facts(done_yuan=580 * WAN), AS_OF, previous=yellow) == Status(
        YELLOW, (CATCHING_UP,), since_red=True
    )


def test_red_for_a_late_start_clears_when_started_and_at_plan() -> None:
    late = facts(stage=Stage.PRELIMINARY, planned_start=AS_OF - timedelta(days=100))
    red = status(late, AS_OF)
    assert red.color == RED
    started = replace(late, stage=Stage.CONSTRUCTION, actual_start=AS_OF)
    assert status(started, AS_OF, previous=red) == Status(GREEN)  # at plan: 600 / 600


def test_red_with_nothing_planned_is_caught_up_once_the_cause_is_gone() -> None:
    project = facts(year_plan_yuan=0, monthly_plan_yuan=None, done_yuan=0)
    assert status(project, AS_OF, previous=Status(RED, (START_FAR_OVERDUE,), True)) == Status(
        GREEN
    )
