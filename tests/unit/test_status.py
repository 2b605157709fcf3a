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
    UNREPORTED,
    YELLOW,
    Milestone,
    ProjectFacts,
    Status,
    Thresholds,
    judged_plan,
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
    project = facts(year_plan_yuan=0, monthly_plan_yuan=None, done_yuan=0, last_report=AS_OF)
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
    project = facts(year_plan_yuan=0, monthly_plan_yuan=None, done_yuan=0, last_report=AS_OF)
    assert status(project, AS_OF, previous=Status(RED, (START_FAR_OVERDUE,), True)) == Status(
        GREEN
    )


# --- the start of a plan: judged from one month's share --------------------------------------

JAN3, NOV20 = date(2026, 1, 3), date(2026, 11, 20)
NEVER = {"done_yuan": 0, "stage": Stage.PRELIMINARY, "entered": date(2025, 12, 1)}


def test_plan_judged_from_one_twelfth_of_the_year() -> None:
    # 365万 a year without a monthly plan: 1万 a day; one month's share is 365 / 12 = 30.42万,
    # so the plan to date is judged from day 31 (31万), not on day 30 (30万).
    project = facts(year_plan_yuan=365 * WAN, monthly_plan_yuan=None, done_yuan=0)
    assert judged_plan(project, date(2026, 1, 30)) is None
    assert judged_plan(project, date(2026, 1, 31)) == 31 * WAN
    # A back-loaded monthly plan, nothing before July, 600万 a month for July..December
    # (3,600万 a year, a month's share 300万): judged from July 16 (600万 * 16 / 31 = 309.7万).
    late = facts(monthly_plan_yuan=(0,) * 6 + (600 * WAN,) * 6, done_yuan=0)
    assert judged_plan(late, date(2026, 6, 30)) is None
    assert judged_plan(late, date(2026, 7, 15)) is None  # 290.3万 < 300万
    assert judged_plan(late, date(2026, 7, 16)) == 3_096_774


def test_never_reported_in_january_is_not_red_but_turns_yellow_when_silent() -> None:
    # Jan 3: 1,200万 a year (100万 a month) puts 9.7万 of plan to date against 0 done. Under
    # the literal 序时进度 rule that is 100 points behind, red; it is not judged before a month.
    january = facts(**NEVER)
    assert status(january, JAN3) == Status(UNREPORTED)  # nothing to judge it by, never reported
    # Silent for 3 workdays (counted by domain.reporting_days): yellow like anyone silent.
    silent = replace(january, workdays_since_real_progress=3)
    assert status(silent, JAN3) == Status(YELLOW, (NO_REAL_PROGRESS,))
    # A report of any kind (even one that is not real progress) makes it judged: green.
    assert status(replace(january, last_report=JAN3), JAN3) == Status(GREEN)


def test_never_reported_in_november_is_red() -> None:
    # Nov 20: ten months in full (1,000万) + November 20/30 (66.67万) = 1,066.67万
    # planned, 0 done: 100 points behind, red, whatever else is known.
    november = facts(**NEVER, workdays_since_real_progress=2)
    assert status(november, NOV20) == Status(RED, (INVESTMENT_FAR_BEHIND,), since_red=True)
    # Silent long enough as well: both reasons, worst first.
    silent = replace(november, workdays_since_real_progress=40)
    assert status(silent, NOV20).reasons == (INVESTMENT_FAR_BEHIND, NO_REAL_PROGRESS)


def test_going_silent_never_looks_better_than_reporting_badly() -> None:
    # Same project, Nov 20: one sent 12% of its plan to date, one sent nothing at all.
    planned = planned_to_date(1200 * WAN, MONTHLY, NOV20)
    bad = facts(done_yuan=planned * 12 // 100, last_report=NOV20, last_real_progress=NOV20)
    silent = facts(**NEVER, workdays_since_real_progress=5)
    order = (GREEN, UNREPORTED, YELLOW, RED)
    assert status(bad, NOV20).color == RED
    assert order.index(status(silent, NOV20).color) >= order.index(status(bad, NOV20).color)


def test_unreported_only_with_nothing_to_judge() -> None:
    blank = facts(year_plan_yuan=0, monthly_plan_yuan=None, done_yuan=0, stage=None)
    assert status(blank, AS_OF) == Status(UNREPORTED)
    # A planned start that is due is something to judge by (not yet a month late: green).
    start_due = replace(blank, planned_start=AS_OF - timedelta(days=5))
    assert status(start_due, AS_OF) == Status(GREEN)
    # A milestone due, done on time: judged, green.
    node = replace(blank, milestones=(Milestone("施工许可", date(2025, 6, 1), date(2025, 5, 30)),))
    assert status(node, AS_OF) == Status(GREEN)
    # A plan judged to date: 0 done against it is red, never 未上报.
    assert status(replace(blank, year_plan_yuan=1200 * WAN), AS_OF).color == RED


def test_red_memory_while_the_plan_is_not_judged_yet() -> None:
    # Red in December; on Jan 3 the new year's plan is not judged yet, and no cause is left:
    # caught up, and with a report it is green (without one, 未上报).
    december_red = Status(RED, (INVESTMENT_FAR_BEHIND,), since_red=True)
    january = facts(done_yuan=0, last_report=date(2026, 1, 2))
    assert status(january, JAN3, previous=december_red) == Status(GREEN)
    # Still silent too long: yellow for that, and the red memory stays.
    silent = replace(january, workdays_since_real_progress=3)
    assert status(silent, JAN3, previous=december_red) == Status(
        YELLOW, (NO_REAL_PROGRESS,), since_red=True
    )
