"""Places and flags (domain.ranking): competition ranking, ties at the flag boundary."""

import pytest

from domain.ranking import Ranked, flag_of, rank
from domain.weights import ScoringConfig

CONFIG = ScoringConfig()  # 3 flags


def places(entries: list[tuple[str, float]], progressed: set[str] | None = None) -> list[tuple]:
    """(subject, place, flag) in listed order, for one group."""
    everyone = {name for name, _ in entries} if progressed is None else progressed
    ranked = rank([(n, "county", s) for n, s in entries], {}, CONFIG, everyone)
    return [(r.subject, r.rank, r.flag) for r in ranked]


def test_ties_share_a_place_and_the_name_does_not_break_them() -> None:
    ranked = places([("Chen", 80.0), ("Bai", 80.0), ("Ai", 70.0)])
    # Listed by name inside the tie; one place for both; the next place is 3 (1, 1, 3).
    assert [(s, p) for s, p, _ in ranked] == [("Bai", 1), ("Chen", 1), ("Ai", 3)]


def test_competition_places_with_a_tie_in_the_middle() -> None:
    ranked = places([("A", 90.0), ("B", 80.0), ("C", 80.0), ("D", 70.0), ("E", 60.0)])
    assert [p for _, p, _ in ranked] == [1, 2, 2, 4, 5]


def test_all_tied_at_zero_in_a_fresh_week() -> None:
    # Nobody is praised for 0; the whole tie is named (its place from the bottom is 1).
    ranked = places([(f"U{i}", 0.0) for i in range(6)], progressed=set())
    assert ranked == [(f"U{i}", 1, "yellow") for i in range(6)]


def test_group_of_four_tie_at_the_boundary_qualifying_for_both_gets_neither() -> None:
    # N = min(3, 4 // 2) = 2. Places 1, 2, 2, 4. Top: A (1) and the B-C tie (2 <= 2).
    # From the bottom: D 1, the B-C tie 1 + 1 = 2 <= 2. B and C qualify for both: neither.
    ranked = places([("A", 90.0), ("B", 80.0), ("C", 80.0), ("D", 70.0)])
    assert ranked == [("A", 1, "red"), ("B", 2, None), ("C", 2, None), ("D", 4, "yellow")]


def test_group_of_five_a_tie_straddling_the_top_boundary_all_get_the_flag() -> None:
    # N = min(3, 5 // 2) = 2. Places 1, 2, 2, 4, 5: the B-C tie holds place 2 <= N, so both
    # are praised (3 red flags for N = 2); from the bottom B and C are 1 + 2 = 3 > N.
    ranked = places([("A", 90.0), ("B", 80.0), ("C", 80.0), ("D", 70.0), ("E", 60.0)])
    assert ranked == [
        ("A", 1, "red"), ("B", 2, "red"), ("C", 2, "red"), ("D", 4, "yellow"), ("E", 5, "yellow")
    ]  # fmt: skip


def test_group_of_five_a_tie_at_the_bottom_boundary_is_named_whole() -> None:
    # Places 1, 2, 3, 3, 3: from the bottom the C-D-E tie is 1 <= 2: all three yellow.
    ranked = places([("A", 90.0), ("B", 80.0), ("C", 10.0), ("D", 10.0), ("E", 10.0)])
    assert ranked == [
        ("A", 1, "red"), ("B", 2, "red"), ("C", 3, "yellow"), ("D", 3, "yellow"),
        ("E", 3, "yellow"),
    ]  # fmt: skip


def test_a_tie_just_outside_the_top_gets_no_flag() -> None:
    # Group of 6, N = 3: places 1, 2, 2, 2, 5, 6. The tie at 2 is inside: 4 red flags. From
    # the bottom: F 1, E 2, the tie 3: <= 3 as well, so the tie gets neither.
    ranked = places([("A", 90.0), ("B", 70.0), ("C", 70.0), ("D", 70.0), ("E", 50.0),
                     ("F", 40.0)])  # fmt: skip
    assert [f for _, _, f in ranked] == ["red", None, None, None, "yellow", "yellow"]


def test_praise_needs_a_score_above_zero_and_real_progress() -> None:
    # N = 2. A leads but had no real progress in the period: no praise, and the flag does not
    # pass down to C (place 3 > N); from the bottom C (2) and D (1) are named.
    ranked = places([("A", 60.0), ("B", 50.0), ("C", 40.0), ("D", 0.0)], progressed={"B", "C"})
    assert ranked == [("A", 1, None), ("B", 2, "red"), ("C", 3, "yellow"), ("D", 4, "yellow")]
    assert flag_of(1, 4, 0.0, True, 2) is None  # a score of 0 is never praised


def test_a_reporting_subject_is_never_below_a_silent_one() -> None:
    # Silent subjects score 0 (the gate); any real progress scores above 0.
    ranked = places([("silent", 0.0), ("small", 0.5), ("idle", 0.0)], progressed={"small"})
    assert ranked[0][:2] == ("small", 1)
    assert {s for s, p, _ in ranked if p == 2} == {"idle", "silent"}


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
        (4, 2, 2),
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
