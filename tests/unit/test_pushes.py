"""What the weekly pushes show, read from the week's results: caption names, lists, places."""

from __future__ import annotations

from datetime import date

import pytest

from domain.leaderboard import board_lists
from domain.ranking import Ranked
from domain.scoring import Explanation
from domain.status import UNREPORTED, ProjectFacts, Status
from domain.weights import ScoringConfig
from ranking.service import Week
from scheduler.periodic import city_board, flagged, project_bars, unit_board


def ranked(*rows: tuple[str, float, int], flags: dict[str, str] | None = None) -> list[Ranked]:
    """(subject, score, place) rows of one group, flags by subject."""
    flags = flags or {}
    return [Ranked(s, "g", score, place, None, flags.get(s)) for s, score, place in rows]


def subjects(rows: list[Ranked]) -> list[str]:
    return [r.subject for r in rows]


def test_caption_names_are_the_flagged_units_and_only_them() -> None:
    rows = ranked(("甲", 90, 1), ("乙", 80, 2), ("丙", 70, 3), ("丁", 60, 4), ("戊", 50, 5),
                  flags={"甲": "red", "乙": "red", "丁": "yellow", "戊": "yellow"})  # fmt: skip
    assert flagged(rows) == (["甲", "乙"], ["戊", "丁"])  # laggards worst first
    assert flagged(ranked(("甲", 0, 1), ("乙", 0, 1))) == ([], [])  # no flags, no names
    tie = ranked(("甲", 90, 1), ("乙", 50, 2), ("丙", 0, 3), ("丁", 0, 3),
                 flags={"甲": "red", "丙": "yellow", "丁": "yellow"})  # fmt: skip
    assert flagged(tie) == (["甲"], sorted(["丙", "丁"]))  # a tie shares its place: by name


def test_lists_of_distinct_scores() -> None:
    rows = ranked(*((f"P{i}", 100.0 - i, i + 1) for i in range(8)))
    top, bottom = board_lists(rows, 3)
    assert subjects(top) == ["P0", "P1", "P2"]
    assert subjects(bottom) == ["P5", "P6", "P7"]


def test_a_tie_at_a_cut_is_kept_whole() -> None:
    rows = ranked(("A", 90, 1), ("B", 80, 2), ("C", 70, 3), ("D", 70, 3), ("E", 50, 5),
                  ("F", 40, 6), ("G", 30, 6), ("H", 20, 8))  # fmt: skip
    top, bottom = board_lists(rows, 3)
    assert subjects(top) == ["A", "B", "C", "D"]
    assert subjects(bottom) == ["F", "G", "H"]


def test_the_top_list_never_praises_a_score_of_zero() -> None:
    all_zero = ranked(*((f"P{i}", 0.0, 1) for i in range(6)))
    top, bottom = board_lists(all_zero, 3)
    assert top == [] and len(bottom) == 6  # all tied: the whole tie is the bottom list
    rows = ranked(("A", 12.0, 1), ("B", 0.0, 2), ("C", 0.0, 2), ("D", 0.0, 2))
    top, bottom = board_lists(rows, 2)
    assert subjects(top) == ["A"] and subjects(bottom) == ["B", "C", "D"]


@pytest.mark.parametrize(("score", "in_top"), [(55.0, True), (0.0, False)])
def test_one_project_makes_one_list(score: float, in_top: bool) -> None:
    top, bottom = board_lists(ranked(("A", score, 1)), 1)
    assert (subjects(top), subjects(bottom)) == ((["A"], []) if in_top else ([], ["A"]))


def facts(code: str, unit: str, group: str, project_id: int) -> ProjectFacts:
    return ProjectFacts(
        project_id=project_id, code=code, name=f"项目{code}", unit=unit, group=group,
        total_yuan=10**9, year_plan_yuan=10**8, monthly_plan_yuan=None, done_yuan=0,
    )  # fmt: skip


# Two ranking groups; each group's own places restart at 1, the city's list must not.
SCORES = [
    ("C1", "城关区", "county", 91.0), ("C2", "城关区", "county", 40.0),
    ("C3", "城关区", "county", 12.0), ("E1", "东城区", "county", 75.0),
    ("J1", "住建局", "department", 88.0), ("J2", "住建局", "department", 8.0),
]  # fmt: skip
WEEK = Week(
    period="2026-W48",
    start=date(2026, 11, 23),
    end=date(2026, 11, 29),
    projects=[
        (facts(code, unit, group, i), Explanation(f"项目{code}", score, ()))
        for i, (code, unit, group, score) in enumerate(SCORES)
    ],
    units={},
    unit_ranks=[],
    project_ranks=[],
    statuses={0: Status("green"), 1: Status(UNREPORTED), 3: Status("red")},
)


def test_the_city_board_numbers_all_projects_on_one_list() -> None:
    top, bottom = city_board(WEEK, ScoringConfig())
    assert [(r.subject, r.rank) for r in top] == [("C1", 1), ("J1", 2), ("E1", 3)]
    assert [(r.subject, r.rank) for r in bottom] == [("C2", 4), ("C3", 5), ("J2", 6)]


def test_a_units_chart_shows_places_within_the_unit() -> None:
    top, bottom = unit_board(WEEK, "城关区", ScoringConfig())
    assert [(r.subject, r.rank) for r in top] == [("C1", 1), ("C2", 2)]
    assert [(r.subject, r.rank) for r in bottom] == [("C3", 3)]
    top, bottom = unit_board(WEEK, "东城区", ScoringConfig())  # one project: a top list alone
    assert [(r.subject, r.rank) for r in top] == [("E1", 1)] and bottom == []


def test_no_known_status_is_drawn_as_unreported_never_green() -> None:
    top, bottom = city_board(WEEK, ScoringConfig())
    lights = [(bar.name, bar.status) for bar in project_bars(WEEK, [*top, *bottom])]
    assert lights == [("项目C1", "green"), ("项目J1", "unreported"), ("项目E1", "red"),
                      ("项目C2", "unreported"), ("项目C3", "unreported"),
                      ("项目J2", "unreported")]  # fmt: skip
