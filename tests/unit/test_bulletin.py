"""The monthly bulletin's figures and its opening paragraph, computed by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from domain.bulletin import (
    NOT_STARTED,
    STARTED,
    Figures,
    bulletin,
    percent,
    start_state,
    tenth,
    time_progress,
    yi,
)
from domain.stages import Stage
from domain.status import ProjectFacts
from scheduler.periodic import bar, months, paragraph

YI = 100_000_000
NOV = date(2026, 11, 30)


def project(
    code: str,
    unit: str,
    *,
    total: int = 10 * YI,
    plan: int = 2 * YI,
    done: int = 0,
    planned_start: date | None = None,
    actual_start: date | None = None,
    stage: Stage | None = Stage.PRELIMINARY,
) -> ProjectFacts:
    return ProjectFacts(
        project_id=hash(code) % 10_000, code=code, name=f"项目{code}", unit=unit, group="county",
        total_yuan=total, year_plan_yuan=plan, monthly_plan_yuan=None, done_yuan=done,
        stage=stage, planned_start=planned_start, actual_start=actual_start,
    )  # fmt: skip


# Five projects in two units, as of November 30.
CITY = [
    # Planned in March, started in April: due and started.
    project(
        "A1",
        "东城区",
        done=int(1.5 * YI),
        planned_start=date(2026, 3, 1),
        actual_start=date(2026, 4, 10),
        stage=Stage.CONSTRUCTION,
    ),
    # Planned in September, not started: due, not started.
    project("A2", "东城区", total=3 * YI, plan=YI, planned_start=date(2026, 9, 1)),
    # 续建: started last year, so not this year's start at all.
    project("B1", "西城区", done=YI, actual_start=date(2025, 5, 1), stage=Stage.CONSTRUCTION),
    # Planned for December 15: not due yet on November 30.
    project("B2", "西城区", plan=0, planned_start=date(2026, 12, 15)),
    # Planned for December 15, started early on November 2: counts as due and started.
    project(
        "B3",
        "西城区",
        total=5 * YI,
        plan=YI,
        done=int(0.75 * YI),
        planned_start=date(2026, 12, 15),
        actual_start=date(2026, 11, 2),
        stage=Stage.CONSTRUCTION,
    ),
]


@pytest.mark.parametrize(
    ("code", "state"), [("A1", STARTED), ("A2", NOT_STARTED), ("B1", None), ("B2", None),
                        ("B3", STARTED)],
)  # fmt: skip
def test_start_state_counts_as_the_start_rate_does(code: str, state: str | None) -> None:
    (facts,) = [p for p in CITY if p.code == code]
    assert start_state(facts, NOV) == state


def test_a_started_project_silent_this_month_is_still_started() -> None:
    # The scores give it 0 on every metric (no real progress: the reporting gate); a count of
    # starts is a count of facts.
    (started,) = [p for p in CITY if p.code == "A1"]
    silent = replace(started, workdays=20, period_workdays=20, real_progress_days=0)
    assert start_state(silent, NOV) == STARTED
    assert bulletin([silent], NOV).city.actual_starts == 1


@pytest.mark.parametrize(
    ("day", "share"),
    [(date(2026, 1, 31), Fraction(1, 12)), (date(2026, 6, 30), Fraction(1, 2)),
     (NOV, Fraction(11, 12)), (date(2026, 12, 31), Fraction(1))],
)  # fmt: skip
def test_time_progress_is_the_months_elapsed(day: date, share: Fraction) -> None:
    assert time_progress(day) == share


def test_city_and_unit_figures() -> None:
    b = bulletin(CITY, NOV, "全市")
    # Totals 10+3+10+10+5 = 38亿; plans 2+1+2+0+1 = 6亿; done 1.5+0+1+0+0.75 = 3.25亿.
    assert b.city == Figures("全市", 5, 38 * YI, 6 * YI, int(3.25 * YI), 3, 2)
    assert b.units == (
        Figures("东城区", 2, 13 * YI, 3 * YI, int(1.5 * YI), 2, 1),
        Figures("西城区", 3, 25 * YI, 3 * YI, int(1.75 * YI), 1, 1),
    )
    assert b.city.share == Fraction(13, 24)  # 3.25 / 6
    assert b.time == Fraction(11, 12)
    # 54.1666…% - 91.6666…% = -37.5 points exactly.
    assert b.city.gap(b.time) == Fraction(-75, 2)
    assert b.city.start_rate == Fraction(2, 3)


def test_the_paragraph_a_bulletin_opens_with() -> None:
    assert paragraph(bulletin(CITY, NOV, "全市")) == (
        "全市重点项目5项，总投资38.0亿元，年度计划投资6.0亿元；1-11月累计完成投资3.3亿元，"
        "占年度计划的54.2%，落后时间进度37.5个百分点；计划开工3项，实际开工2项，开工率66.7%。"
    )


def test_ahead_level_and_without_plan_or_starts() -> None:
    june = date(2026, 6, 30)
    ahead = [project("X", "东城区", plan=4 * YI, done=int(2.1 * YI))]  # 52.5% vs 50%
    assert "占年度计划的52.5%，超过时间进度2.5个百分点" in paragraph(bulletin(ahead, june))
    level = [project("X", "东城区", plan=4 * YI, done=2 * YI)]
    assert "占年度计划的50.0%，与时间进度持平；" in paragraph(bulletin(level, june))
    text = paragraph(bulletin([project("X", "东城区", plan=0)], date(2026, 1, 31)))
    assert "1月累计完成投资0.0亿元，暂无年度计划投资；计划开工0项，实际开工0项。" in text
    assert "开工率" not in text  # no project was due to start: no rate to give
    assert paragraph(bulletin([], NOV)).startswith("全市重点项目0项，总投资0.0亿元")


def test_rounding_is_half_up_from_the_exact_figure() -> None:
    assert yi(12_345_678_900) == Decimal("123.5")
    assert yi(4_999_999) == Decimal("0.0") and yi(5_000_000) == Decimal("0.1")
    assert percent(Fraction(1, 3)) == Decimal("33.3")
    assert percent(Fraction(2, 3)) == Decimal("66.7")
    assert tenth(Fraction(-5, 100)) == Decimal("-0.1")  # away from zero: 落后 0.1
    assert months(date(2026, 1, 31)) == "1月" and months(NOV) == "1-11月"


def test_chart_rows_round_as_the_paragraph_does() -> None:
    b = bulletin(CITY, NOV, "全市")
    east = bar(b.units[0], b)
    # 1.5亿 of 3亿 is 50.0%; 50 - 91.666… = -41.666… points.
    assert (east.name, east.done, east.share, east.gap) == ("东城区", 1.5, 50.0, -41.7)
    assert (east.started, east.planned) == (1, 2)
    city = bar(b.city, b)
    assert (city.done, city.share, city.gap) == (3.3, 54.2, -37.5)
    no_plan = bar(bulletin([project("X", "南城区", plan=0)], NOV).units[0], b)
    assert (no_plan.share, no_plan.gap) == (None, None)
