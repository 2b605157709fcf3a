"""Scores, explanations (domain.scoring) and quarter themes (domain.quarterly), hand-computed."""

from dataclasses import replace
from datetime import date

import pytest

from domain.quarterly import quarter_theme, quarterly_metric
from domain.scoring import (
    Explanation,
    MetricLine,
    Past,
    explain_project,
    explain_unit,
    explain_units,
    pool,
    project_metrics,
)
from domain.stages import Stage
from domain.status import Milestone, ProblemFacts, ProjectFacts
from domain.weights import (
    COMPLETION,
    INVESTMENT,
    METRICS,
    MILESTONES,
    PROBLEMS,
    REPORTING,
    START,
    ReportingWeightError,
    ScoringConfig,
)

WAN = 10_000
AS_OF = date(2025, 6, 30)
CONFIG = ScoringConfig()


def plan(to_date: int) -> tuple[int, ...]:
    """A monthly plan with everything in January: by June 30 the plan to date is ``to_date``."""
    return (to_date,) + (0,) * 11


def facts(**changes: object) -> ProjectFacts:
    """A project where only investment applies unless a test adds more."""
    base = ProjectFacts(
        project_id=1,
        code="P1",
        name="Project 1",
        unit="Unit A",
        group="county",
        total_yuan=5000 * WAN,
        year_plan_yuan=1200 * WAN,
        monthly_plan_yuan=plan(600 * WAN),
        done_yuan=600 * WAN,
        stage=Stage.CONSTRUCTION,
    )
    return replace(base, **changes)


def values(explanation: Explanation | None) -> dict[str, float | None]:
    assert explanation is not None
    return {line.metric: line.value for line in explanation.lines}


# --- config --------------------------------------------------------------------------------


def test_default_weights_sum_to_one_and_cover_every_metric() -> None:
    assert set(CONFIG.weights) == set(METRICS)
    assert sum(CONFIG.weights.values()) == pytest.approx(1)
    assert CONFIG.cap(INVESTMENT) == 1.2
    assert CONFIG.cap(REPORTING) == 1.0
    assert CONFIG.flag_count == 3
    assert CONFIG.group_of("zone") == CONFIG.group_of("county") == "county"
    assert CONFIG.group_of("department") == "department"


@pytest.mark.parametrize(
    "weights",
    [{INVESTMENT: 0.5, START: 0.4}, {INVESTMENT: 1.1, START: -0.1}, {"speed": 1.0}],
)
def test_bad_weights_are_rejected(weights: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ScoringConfig(weights=weights)


@pytest.mark.parametrize(
    "weights", [{INVESTMENT: 0.85, START: 0.15}, {INVESTMENT: 0.85, START: 0.15, REPORTING: 0.0}]
)
def test_reporting_must_weigh_something_it_gates_the_rest(weights: dict[str, float]) -> None:
    with pytest.raises(ReportingWeightError):
        ScoringConfig(weights=weights)


# --- metrics of a project ------------------------------------------------------------------


def full_project() -> ProjectFacts:
    return facts(
        done_yuan=660 * WAN,  # 660 / 600 = 1.1
        planned_start=date(2025, 3, 1),
        actual_start=date(2025, 3, 10),  # started this year: 1 / 1
        planned_completion=date(2026, 10, 1),  # not due: n/a
        milestones=(
            Milestone("m1", date(2025, 3, 31), date(2025, 3, 30)),  # on time
            Milestone("m2", date(2025, 5, 31), date(2025, 6, 5)),  # late
            Milestone("m3", date(2025, 6, 15)),  # overdue, open
            Milestone("m4", date(2025, 9, 30)),  # not due yet: left out
        ),  # 1 on time of 3 due
        problems=(
            ProblemFacts(date(2025, 4, 1), date(2025, 5, 1), date(2025, 4, 20)),  # on time
            ProblemFacts(date(2025, 5, 1), date(2025, 6, 1), date(2025, 6, 10)),  # late
            ProblemFacts(date(2025, 6, 1), None, None),  # no deadline: left out
        ),  # 1 of 2
        real_progress_days=4,
        workdays=5,
    )


def test_project_metrics_are_numerator_and_denominator() -> None:
    assert project_metrics(full_project(), AS_OF) == {
        INVESTMENT: (660 * WAN, 600 * WAN),
        START: (1, 1),
        COMPLETION: None,
        MILESTONES: (1, 3),
        PROBLEMS: (1, 2),
        REPORTING: (4, 5),
    }


def test_explanation_renormalises_weights_when_a_metric_is_not_applicable() -> None:
    explanation = explain_project(full_project(), AS_OF, CONFIG)
    assert explanation is not None
    # Completion (0.10) is n/a; the rest weigh 0.35 + 0.15 + 0.15 + 0.10 + 0.15 = 0.90.
    # Investment is 1.1 (ahead of plan) but earns at most its full weight, as if 1.0:
    # Score = 100 * (0.35*1 + 0.15*1 + 0.15*(1/3) + 0.10*0.5 + 0.15*0.8) / 0.90
    #       = 100 * (0.35 + 0.15 + 0.05 + 0.05 + 0.12) / 0.90 = 100 * 0.72 / 0.9 = 80.0
    assert explanation.score == 80.0
    investment = explanation.line(INVESTMENT)
    assert investment is not None
    assert investment.value == pytest.approx(1.1)  # shown as it is: 110%
    assert investment.weight == pytest.approx(0.35 / 0.9)
    assert investment.points == pytest.approx(100 * 0.35 / 0.9)  # 38.89: the full weight
    assert explanation.line(COMPLETION) == MetricLine(COMPLETION, None, 0.0, 0.0, None, None, None)
    assert sum(line.weight for line in explanation.lines) == pytest.approx(1)
    assert sum(line.points for line in explanation.lines) == pytest.approx(80.0)
    assert (explanation.gated, explanation.members) == (0, 1)


def test_capped_investment_gets_the_cap_not_three_and_the_score_stops_at_100() -> None:
    # 1,800万 done against 600万 planned to date = 300%; capped at 1.2. Only investment applies.
    explanation = explain_project(facts(done_yuan=1800 * WAN), AS_OF, CONFIG)
    assert values(explanation)[INVESTMENT] == 1.2
    assert explanation is not None and explanation.score == 100.0  # 100 * 1.0 * min(1.2, 1)


def test_every_metric_at_target_is_exactly_100() -> None:
    at_target = replace(full_project(), milestones=(), problems=(), real_progress_days=5)
    explanation = explain_project(at_target, AS_OF, CONFIG)
    assert explanation is not None and explanation.score == 100.0


def test_project_without_plan_has_investment_not_applicable() -> None:
    project = facts(year_plan_yuan=0, monthly_plan_yuan=None, done_yuan=0, workdays=5)
    project = replace(project, real_progress_days=3)
    explanation = explain_project(project, AS_OF, CONFIG)
    assert values(explanation)[INVESTMENT] is None
    # Only reporting applies: weight 0.15 / 0.15 = 1, value 3 / 5 = 0.6 -> 60.
    assert explanation is not None and explanation.score == 60.0


def test_project_with_nothing_applicable_has_no_score() -> None:
    project = facts(year_plan_yuan=0, monthly_plan_yuan=None, done_yuan=0)
    assert explain_project(project, AS_OF, CONFIG) is None


def test_start_and_completion_rates_count_this_years_events() -> None:
    last_year = date(2024, 8, 1)
    continuing = facts(planned_start=last_year, actual_start=last_year)  # 续建
    overdue = facts(stage=Stage.PRELIMINARY, planned_start=last_year)  # still not started
    early = facts(planned_start=date(2025, 9, 1), actual_start=date(2025, 6, 1))
    not_due = facts(stage=Stage.PRELIMINARY, planned_start=date(2025, 9, 1))
    due_today = facts(stage=Stage.PRELIMINARY, planned_start=AS_OF)
    staged = facts(stage=Stage.COMPLETED, planned_completion=date(2025, 6, 1))  # no date
    assert project_metrics(continuing, AS_OF)[START] is None
    assert project_metrics(overdue, AS_OF)[START] == (0, 1)
    assert project_metrics(early, AS_OF)[START] == (1, 1)
    assert project_metrics(not_due, AS_OF)[START] is None
    assert project_metrics(due_today, AS_OF)[START] is None  # the day itself is not over
    assert project_metrics(staged, AS_OF)[COMPLETION] == (1, 1)


def test_change_since_last_week() -> None:
    last_week = explain_project(facts(done_yuan=480 * WAN), AS_OF, CONFIG)  # 0.8 -> 80
    this_week = explain_project(facts(done_yuan=660 * WAN), AS_OF, CONFIG, last_week)  # 1.1
    assert this_week is not None
    line = this_week.line(INVESTMENT)
    assert line is not None and line.change == pytest.approx(0.3)
    assert this_week.score_change == pytest.approx(20.0)  # 100 (1.1 earns 1.0) - 80
    assert explain_project(facts(), AS_OF, CONFIG).score_change is None  # type: ignore[union-attr]


def test_a_kept_week_gives_the_changes_its_explanation_gives() -> None:
    """Last week is read back as its score and metrics' values (Past), not rebuilt as an
    explanation: every line and change comes out the same, n/a metrics and a gate included."""
    weeks = [
        facts(done_yuan=480 * WAN, milestones=(Milestone("开工", date(2025, 3, 1)),)),
        facts(done_yuan=660 * WAN, real_progress_days=2, workdays=4, period_workdays=4),
        facts(done_yuan=700 * WAN, workdays=4, period_workdays=4),  # gated: no real progress
        facts(monthly_plan_yuan=None, planned_start=date(2025, 3, 1)),
    ]
    for before in weeks:
        last = explain_project(before, AS_OF, CONFIG)
        assert last is not None
        kept = Past(last.score, {line.metric: line.value for line in last.lines})
        for now in weeks:
            assert explain_project(now, AS_OF, CONFIG, kept) == explain_project(
                now, AS_OF, CONFIG, last
            )
        units = explain_units(weeks, AS_OF, CONFIG, {"Unit A": kept})
        assert units == explain_units(weeks, AS_OF, CONFIG, {"Unit A": last})


def test_custom_metric_set() -> None:
    config = ScoringConfig(weights={INVESTMENT: 0.5, REPORTING: 0.5})
    explanation = explain_project(full_project(), AS_OF, config)
    assert explanation is not None
    assert [line.metric for line in explanation.lines] == [INVESTMENT, REPORTING]
    # 100 * (0.5 * min(1.1, 1) + 0.5 * 0.8) = 90
    assert explanation.score == 90.0


# --- the reporting gate -------------------------------------------------------------------


def test_no_real_progress_in_the_week_scores_zero_on_every_metric() -> None:
    # At plan, started this year on time, but no real progress in a week of 5 workdays.
    idle = facts(
        planned_start=date(2025, 3, 1), actual_start=date(2025, 3, 10),
        real_progress_days=0, workdays=5, period_workdays=5,
    )  # fmt: skip
    assert project_metrics(idle, AS_OF) == {
        INVESTMENT: (0, 600 * WAN),  # judged, not skipped: the denominator stays
        START: (0, 1),
        COMPLETION: None,
        MILESTONES: None,
        PROBLEMS: None,
        REPORTING: (0, 5),
    }
    explanation = explain_project(idle, AS_OF, CONFIG)
    assert explanation is not None and explanation.score == 0.0
    assert (explanation.gated, explanation.members) == (1, 1)
    # One day of real progress lifts the gate: 100 * (0.35 + 0.15 + 0.15 * 0.2) / 0.65 = 81.54.
    moving = explain_project(replace(idle, real_progress_days=1), AS_OF, CONFIG)
    assert moving is not None and moving.score == 81.54 and moving.gated == 0


def test_a_week_without_workdays_has_no_gate_and_no_reporting() -> None:
    # 国庆 week: nobody owed a report, so the other metrics stand as they are.
    holiday = facts(real_progress_days=0, workdays=0, period_workdays=0)
    explanation = explain_project(holiday, AS_OF, CONFIG)
    assert values(explanation)[REPORTING] is None
    assert explanation is not None and explanation.score == 100.0 and explanation.gated == 0


def test_import_declared_facts_do_not_outscore_real_progress() -> None:
    # Observed: 东城区's only project never reported; the sheet said 在建 with a start planned
    # this year, so 开工率 1/1 made its score, above 西城区's real progress on 2 of 6 workdays.
    declared = facts(
        unit="东城区", year_plan_yuan=0, monthly_plan_yuan=None, done_yuan=0,
        planned_start=date(2025, 4, 1), real_progress_days=0, workdays=6, period_workdays=6,
    )  # fmt: skip
    small = facts(
        unit="西城区", done_yuan=30 * WAN, real_progress_days=2, workdays=6, period_workdays=6,
    )  # fmt: skip
    east = explain_unit("东城区", [declared], AS_OF, CONFIG)
    west = explain_unit("西城区", [small], AS_OF, CONFIG)
    assert east is not None and east.score == 0.0  # was 50: (0.15 * 1 + 0.15 * 0) / 0.30
    # 西城区: investment 30 / 600 = 0.05, reporting 2 / 6: 100 * (0.35*0.05 + 0.15/3) / 0.5
    #   = 100 * (0.0175 + 0.05) / 0.5 = 13.5
    assert west is not None and west.score == 13.5


def test_a_gated_project_still_counts_in_its_units_denominators() -> None:
    # Two projects of 600万 planned each: one at plan reporting every day, one silent.
    good = facts(name="good", real_progress_days=5, workdays=5, period_workdays=5)
    silent = facts(name="silent", done_yuan=600 * WAN, workdays=5, period_workdays=5)
    unit = explain_unit("Unit A", [good, silent], AS_OF, CONFIG)
    assert unit is not None
    # investment (600 + 0) / 1200 = 0.5 (the silent one's figure counts 0), reporting 5 / 10:
    # 100 * (0.35 * 0.5 + 0.15 * 0.5) / 0.5 = 50.
    assert unit.score == 50.0
    assert (unit.gated, unit.members) == (1, 2)
    line = unit.line(INVESTMENT)
    assert line is not None and (line.numerator, line.denominator) == (600 * WAN, 1200 * WAN)


def test_january_investment_is_not_applicable_before_a_months_share() -> None:
    # Jan 3, 100万 a month: 9.68万 planned to date, 0 done. Not judged yet, like the status.
    january = facts(
        monthly_plan_yuan=(100 * WAN,) * 12, done_yuan=0,
        real_progress_days=1, workdays=2, period_workdays=2,
    )  # fmt: skip
    explanation = explain_project(january, date(2026, 1, 3), CONFIG)
    assert values(explanation)[INVESTMENT] is None
    assert explanation is not None and explanation.score == 50.0  # reporting 1 / 2 alone


# --- units ---------------------------------------------------------------------------------


def test_unit_with_no_projects_gets_no_score_and_no_rank() -> None:
    assert explain_unit("Empty Zone", [], AS_OF, CONFIG) is None
    scored = explain_units([facts(unit="Unit A")], AS_OF, CONFIG)
    assert [unit for unit, _, _ in scored] == ["Unit A"]  # Empty Zone never appears


def test_units_pool_capped_projects_so_small_and_big_compare_fairly() -> None:
    # Small unit, 2 projects: 300% (capped: counts 1.2 * 100万 = 120万) and 50%.
    #   investment = (120 + 50) / (100 + 100) = 0.85 (uncapped pooling would give 1.75).
    #   reporting = (4 + 0) / (4 + 4) = 0.5
    small = [
        facts(name="s1", unit="Small", monthly_plan_yuan=plan(100 * WAN), done_yuan=300 * WAN),
        facts(name="s2", unit="Small", monthly_plan_yuan=plan(100 * WAN), done_yuan=50 * WAN),
    ]
    small = [replace(small[0], real_progress_days=4, workdays=4), replace(small[1], workdays=4)]
    # Big unit, 40 projects of 1亿 planned, 8,500万 done each: 0.85; reporting 2 / 4 each: 0.5.
    big = [
        facts(
            name=f"b{i}",
            unit="Big",
            monthly_plan_yuan=plan(10_000 * WAN),
            done_yuan=8_500 * WAN,
            real_progress_days=2,
            workdays=4,
        )
        for i in range(40)
    ]
    small_expl = explain_unit("Small", small, AS_OF, CONFIG)
    big_expl = explain_unit("Big", big, AS_OF, CONFIG)
    assert small_expl is not None and big_expl is not None
    assert values(small_expl)[INVESTMENT] == pytest.approx(0.85)
    assert values(big_expl)[INVESTMENT] == pytest.approx(0.85)
    # 100 * (0.35 * 0.85 + 0.15 * 0.5) / (0.35 + 0.15) = 100 * 0.3725 / 0.5 = 74.5 for both.
    assert small_expl.score == big_expl.score == 74.5
    line = small_expl.line(INVESTMENT)
    assert line is not None and (line.numerator, line.denominator) == (170 * WAN, 200 * WAN)


def test_unit_start_rate_counts_projects() -> None:
    started = facts(planned_start=date(2025, 3, 1), actual_start=date(2025, 3, 5))
    waiting = facts(stage=Stage.PRELIMINARY, planned_start=date(2025, 3, 1))
    ratios = pool([project_metrics(p, AS_OF) for p in (started, started, started, waiting)])
    assert ratios[START] == (3, 4)  # 开工率 75%


def test_explain_units_keeps_groups_and_previous() -> None:
    projects = [
        facts(unit="County A", group="county"),
        facts(unit="Bureau B", group="department", done_yuan=300 * WAN),
    ]
    last = {"County A": Explanation("County A", 90.0, ())}
    scored = {u: (g, e) for u, g, e in explain_units(projects, AS_OF, CONFIG, last)}
    assert scored["County A"][0] == "county"
    assert scored["County A"][1].score_change == pytest.approx(10.0)  # 100 - 90
    assert scored["Bureau B"] == ("department", scored["Bureau B"][1])
    assert scored["Bureau B"][1].score == 50.0  # 300 / 600


# --- quarter themes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "theme"),
    [
        (date(2025, 1, 1), "q1_starts"),
        (date(2025, 3, 31), "q1_starts"),
        (date(2025, 4, 1), "q2_half"),
        (date(2025, 9, 30), "q3_gap"),
        (date(2025, 12, 31), "q4_completion"),
    ],
)
def test_quarter_theme(day: date, theme: str) -> None:
    assert quarter_theme(day) == theme


def test_quarterly_metrics() -> None:
    # Both plan 1,000万 for the year, 500万 of it to date by June 30 (all in January).
    ahead = facts(
        year_plan_yuan=1000 * WAN, monthly_plan_yuan=plan(500 * WAN), done_yuan=600 * WAN
    )
    behind = replace(ahead, done_yuan=400 * WAN)
    pair = [ahead, behind]
    # q2: done / half the year plan, each capped at 1.2: (min(600, 600) + 400) / (500 + 500) = 1.
    assert quarterly_metric("q2_half", pair, AS_OF) == pytest.approx(1.0)
    # q3: done / planned to date: (600 + 400) / (500 + 500) = 1.0; ahead alone: 1.2.
    assert quarterly_metric("q3_gap", pair, AS_OF) == pytest.approx(1.0)
    assert quarterly_metric("q3_gap", [ahead], AS_OF) == pytest.approx(1.2)
    # q4: done / year plan: (600 + 400) / (1000 + 1000) = 0.5.
    assert quarterly_metric("q4_completion", pair, AS_OF) == pytest.approx(0.5)
    # q1: started / due to start: 1 of 2.
    started = facts(planned_start=date(2025, 2, 1), actual_start=date(2025, 2, 3))
    waiting = facts(stage=Stage.PRELIMINARY, planned_start=date(2025, 2, 1))
    assert quarterly_metric("q1_starts", [started, waiting], AS_OF) == pytest.approx(0.5)
    # No denominator: no figure.
    assert quarterly_metric("q1_starts", [ahead], AS_OF) is None
    assert quarterly_metric("q4_completion", [], AS_OF) is None
