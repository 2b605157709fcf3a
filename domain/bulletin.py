"""The monthly bulletin's figures (一月一通报): the city's and each unit's, as of a month's end.

Published 发改局 bulletins open with one paragraph of hard figures: 全市重点项目 N 项，总投资
X 亿元，年度计划投资 Y 亿元；1-M 月累计完成投资 Z 亿元，占年度计划的 P%，超过（或落后）时间进度
Q 个百分点；计划开工 A 项，实际开工 B 项，开工率 C%. What each figure is:

- N, X, Y: the projects on the list, their total and this year's planned investment.
- Z: each project's investment completed this year, cumulative, as of the end of the month's
  last day (ProjectFacts loaded as of that day), summed. P = Z / Y.
- 时间进度 (time progress) is the share of the year elapsed at the month's end, counted in
  months: M / 12 after 1-M 月 (50% at the end of June, hence 双过半). It is the calendar, one
  yardstick for the city and every unit, as bulletins use it. It is not a project's 序时进度
  (domain.plan: the monthly plan summed), which the project's 红黄绿 status compares to.
  Q = (P - M / 12) in percentage points: 超过 when positive, 落后 when negative.
- A and B count starts the way 开工率 counts them in the weekly scores (domain.scoring): A,
  计划开工, is the projects due to start this year by the month's end, plus those that started
  this year ahead of plan; B, 实际开工, is those of them started by the month's end. A 续建
  project started before this year counts in neither. C = B / A.

Money is summed in integer 元 and shown in 亿元 with one decimal; shares and gaps are exact
fractions until shown with one decimal, each rounded half up (the gap from the exact share,
not from the rounded P).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# The 开工率 rule of one project as the scores state it, but not gated by reporting: a count of
# facts, unlike a score, does not drop a started project that was silent this month.
from domain.scoring import start_ratio
from domain.status import ProjectFacts

YI = 100_000_000  # 元 in one 亿元
STARTED, NOT_STARTED = "started", "not_started"
"""A project's place in 开工率: counted in A and B, or in A only (None: in neither)."""
_TENTH = Decimal("0.1")


def start_state(facts: ProjectFacts, as_of: date) -> str | None:
    """STARTED (in 计划开工 and 实际开工), NOT_STARTED (due, in 计划开工 only) or None."""
    ratio = start_ratio(facts, as_of)
    if ratio is None:
        return None
    return STARTED if ratio[0] >= ratio[1] else NOT_STARTED


def time_progress(month_end: date) -> Fraction:
    """时间进度 after 1-M 月: M / 12 (the months of the year elapsed at the month's end)."""
    return Fraction(month_end.month, 12)


@dataclass(frozen=True)
class Figures:
    """The bulletin's figures of one subject (the city, or one unit); money in 元."""

    name: str
    projects: int
    total_yuan: int
    year_plan_yuan: int
    done_yuan: int
    planned_starts: int
    actual_starts: int

    @property
    def share(self) -> Fraction | None:
        """Completed / year plan (P); None without a year plan."""
        return Fraction(self.done_yuan, self.year_plan_yuan) if self.year_plan_yuan else None

    def gap(self, time: Fraction) -> Fraction | None:
        """Percentage points ahead of (> 0) or behind (< 0) 时间进度; None without a plan."""
        share = self.share
        return None if share is None else (share - time) * 100

    @property
    def start_rate(self) -> Fraction | None:
        """实际开工 / 计划开工 (C); None when no project was due to start."""
        if not self.planned_starts:
            return None
        return Fraction(self.actual_starts, self.planned_starts)


@dataclass(frozen=True)
class Bulletin:
    """The city's figures, each unit's (by name), and the 时间进度 they are compared to."""

    month_end: date
    time: Fraction
    city: Figures
    units: tuple[Figures, ...]


def bulletin(projects: Iterable[ProjectFacts], month_end: date, city: str = "") -> Bulletin:
    """Figures of `projects` (facts as of `month_end`), for the city (named `city`) and per
    unit, units in name order."""
    sums: dict[str, list[int]] = {}
    for facts in projects:
        state = start_state(facts, month_end)
        add = (1, facts.total_yuan, facts.year_plan_yuan, facts.done_yuan,
               state is not None, state == STARTED)  # fmt: skip
        row = sums.setdefault(facts.unit, [0] * len(add))
        for i, value in enumerate(add):
            row[i] += int(value)
    units = tuple(Figures(unit, *row) for unit, row in sorted(sums.items()))
    total = [sum(column) for column in zip(*sums.values(), strict=True)] or [0] * 6
    return Bulletin(month_end, time_progress(month_end), Figures(city, *total), units)


def yi(yuan: int) -> Decimal:
    """元 as 亿元 with one decimal, rounded half up: 1_234_567_890 -> Decimal("12.3")."""
    return (Decimal(yuan) / YI).quantize(_TENTH, rounding=ROUND_HALF_UP)


def tenth(value: Fraction) -> Decimal:
    """A figure with one decimal, rounded half up (away from zero at .05)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(_TENTH, rounding=ROUND_HALF_UP)


def percent(value: Fraction) -> Decimal:
    """A share as a percentage with one decimal: Fraction(5, 6) -> Decimal("83.3")."""
    return tenth(value * 100)
