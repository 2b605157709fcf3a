"""Scores, explanations, rankings and quarter themes (domain.scoring), hand-computed."""

import time
from dataclasses import replace
from datetime import date, timedelta

import pytest

from domain.scoring import (
    COMPLETION,
    INVESTMENT,
    METRICS,
    MILESTONES,
    PROBLEMS,
    REPORTING,
    START,
    Explanation,
    MetricLine,
    Ranked,
    ScoringConfig,
    explain_project,
    explain_unit,
    explain_units,
    pool,
    project_metrics,
    quarter_theme,
    quarterly_metric,
    rank,
)
from domain.stages import Stage
from domain.status import Milestone, ProblemFacts, ProjectFacts, status

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
    # Score = 100 * (0.35*1.1 + 0.15*1 + 0.15*(1/3) + 0.10*0.5 + 0.15*0.8) / 0.90
    #       = 100 * (0.385 + 0.15 + 0.05 + 0.05 + 0.12) / 0.90 = 100 * 0.755 / 0.9 = 83.89
    assert explanation.score == 83.89
    investment = explanation.line(INVESTMENT)
    assert investment is not None
    assert investment.weight == pytest.approx(0.35 / 0.9)
    assert investment.points == pytest.approx(100 * 0.35 / 0.9 * 1.1)  # 42.78
    assert explanation.line(COMPLETION) == MetricLine(COMPLETION, None, 0.0, 0.0, None, None, None)
    assert sum(line.weight for line in explanation.lines) == pytest.approx(1)
    assert sum(line.points for line in explanation.lines) == pytest.approx(83.8889, abs=1e-4)


def test_capped_investment_gets_the_cap_not_three() -> None:
    # 1,800万 done against 600万 planned to date = 300%; capped at 1.2. Only investment applies.
    explanation = explain_project(facts(done_yuan=1800 * WAN), AS_OF, CONFIG)
    assert values(explanation)[INVESTMENT] == 1.2
    assert explanation is not None and explanation.score == 120.0  # 100 * 1.0 * 1.2


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
    assert this_week.score_change == pytest.approx(30.0)  # 110 - 80
    assert explain_project(facts(), AS_OF, CONFIG).score_change is None  # type: ignore[union-attr]


def test_custom_metric_set() -> None:
    config = ScoringConfig(weights={INVESTMENT: 0.5, REPORTING: 0.5})
    explanation = explain_project(full_project(), AS_OF, config)
    assert explanation is not None
    assert [line.metric for line in explanation.lines] == [INVESTMENT, REPORTING]
    # 100 * (0.5 * 1.1 + 0.5 * 0.8) = 95
    assert explanation.score == 95.0


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


# --- ranking -------------------------------------------------------------------------------


def test_ranking_with_ties_broken_by_name() -> None:
    ranked = rank([("Chen", "county", 80.0), ("Bai", "county", 80.0), ("Ai", "county", 70.0)], {})
    assert [(r.subject, r.rank) for r in ranked] == [("Bai", 1), ("Chen", 2), ("Ai", 3)]


def test_rank_change_arrows() -> None:
    entries = [("A", "county", 90.0), ("B", "county", 80.0), ("C", "county", 70.0)]
    ranked = {r.subject: r.change for r in rank(entries, {"A": 3, "B": 2})}
    assert ranked == {"A": 2, "B": 0, "C": None}  # A up two; B same; C is new


def test_groups_are_ranked_apart() -> None:
    entries = [("Bureau", "department", 50.0), ("County", "county", 40.0)]
    ranked = rank(entries, {})
    assert [(r.group, r.subject, r.rank) for r in ranked] == [
        ("county", "County", 1),
        ("department", "Bureau", 1),
    ]


@pytest.mark.parametrize(
    ("count", "red", "yellow"),
    [
        (1, 0, 0),  # alone: neither
        (2, 1, 1),
        (5, 2, 2),  # fewer than 2N = 6: N becomes 5 // 2 = 2
        (6, 3, 3),
        (10, 3, 3),
    ],
)
def test_flags_with_few_units(count: int, red: int, yellow: int) -> None:
    entries = [(f"U{i:02}", "county", float(100 - i)) for i in range(count)]
    ranked = rank(entries, {}, CONFIG)
    flags = [r.flag for r in ranked]
    assert flags == ["red"] * red + [None] * (count - red - yellow) + ["yellow"] * yellow


def test_flag_count_is_configurable() -> None:
    entries = [(f"U{i}", "county", float(i)) for i in range(6)]
    ranked = rank(entries, {}, ScoringConfig(flag_count=1))
    assert ranked[0] == Ranked("U5", "county", 5.0, 1, None, "red")
    assert [r.flag for r in ranked].count("yellow") == 1


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


# --- performance ---------------------------------------------------------------------------


def test_weekly_scoring_of_5000_projects_is_fast() -> None:
    projects = [
        facts(
            project_id=i,
            name=f"P{i:04}",
            unit=f"U{i % 150:03}",
            group="county" if i % 150 < 10 else "department",
            done_yuan=(i % 13) * 50 * WAN,
            planned_start=date(2025, 1, 1) + timedelta(days=i % 200),
            milestones=tuple(Milestone(f"m{k}", date(2025, 1 + k, 10)) for k in range(6)),
            problems=(ProblemFacts(date(2025, 3, 1), date(2025, 5, 1), None),),
            real_progress_days=i % 6,
            workdays=5,
            workdays_since_real_progress=i % 5,
        )
        for i in range(5000)
    ]
    started = time.perf_counter()
    colours = [status(p, AS_OF) for p in projects]
    scores = []
    for project in projects:
        explanation = explain_project(project, AS_OF, CONFIG)
        if explanation is not None:
            scores.append((project.name, project.group, explanation.score))
    project_ranks = rank(scores, {})
    unit_ranks = rank([(u, g, x.score) for u, g, x in explain_units(projects, AS_OF)], {})
    elapsed = time.perf_counter() - started
    assert len(colours) == len(project_ranks) == 5000
    assert len(unit_ranks) == 150
    assert elapsed < 1.0, f"weekly scoring took {elapsed:.2f}s"
