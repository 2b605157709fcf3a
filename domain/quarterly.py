"""The quarter's theme and the single figure a unit's quarterly flags are given by."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

from domain.scoring import Ratio, start_ratio, to_date_ratio
from domain.status import ProjectFacts
from domain.weights import DEFAULT_CONFIG, INVESTMENT, START, ScoringConfig

Q1_STARTS = "q1_starts"  # 开门红: starts
Q2_HALF = "q2_half"  # 双过半: past half the year's plan
Q3_GAP = "q3_gap"  # 攻坚: gap to the time-proportional target
Q4_COMPLETION = "q4_completion"  # 收官: year completion
THEMES: tuple[str, ...] = (Q1_STARTS, Q2_HALF, Q3_GAP, Q4_COMPLETION)


def quarter_theme(day: date) -> str:
    """The theme of ``day``'s quarter: Jan-Mar q1_starts ... Oct-Dec q4_completion."""
    return THEMES[(day.month - 1) // 3]


def _year_share(divisor: int) -> Callable[[ProjectFacts, date], Ratio | None]:
    def ratio(facts: ProjectFacts, as_of: date) -> Ratio | None:
        plan = facts.year_plan_yuan / divisor
        return (float(facts.done_yuan), plan) if plan > 0 else None

    return ratio


_THEME_RATIOS: Mapping[str, tuple[str, Callable[[ProjectFacts, date], Ratio | None]]] = {
    Q1_STARTS: (START, start_ratio),
    Q2_HALF: (INVESTMENT, _year_share(2)),
    Q3_GAP: (INVESTMENT, to_date_ratio),
    Q4_COMPLETION: (INVESTMENT, _year_share(1)),
}


def quarterly_metric(
    theme: str,
    projects: Iterable[ProjectFacts],
    as_of: date,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> float | None:
    """The single figure a unit is ranked by for a quarter's flags; higher is better.

    q1_starts: 开工率 (started / due to start). q2_half: done / half the year plan (1.0 = 过半
    reached). q3_gap: done / planned to date (1 - figure is the gap to 序时进度). q4_completion:
    done / year plan. Projects pool as for units, each capped (investment cap for money
    figures); None when no project has a denominator.
    """
    cap_metric, ratio_of = _THEME_RATIOS[theme]
    cap = config.cap(cap_metric)
    numerator = denominator = 0.0
    for facts in projects:
        ratio = ratio_of(facts, as_of)
        if ratio is not None:
            numerator += min(ratio[0], cap * ratio[1])
            denominator += ratio[1]
    return numerator / denominator if denominator > 0 else None
