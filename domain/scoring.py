"""Weekly scores, explanations and rankings of projects and units (龙虎榜, 红旗/黄旗).

Everything is scored on rates so that big and small compare fairly. A metric is a ratio
(numerator, denominator); its value is numerator / denominator capped (``ScoringConfig.caps``)
so that padding one number does not pay.

Rules:
- Not applicable: a metric with no denominator (nothing planned yet, no milestone due ...) is
  left out and the weights of the remaining metrics are scaled up to sum to 1. A subject with
  no applicable metric at all (e.g. a unit with no projects) gets no score and is not ranked.
- Score = 100 * sum(weight * capped value) over applicable metrics, rounded to 0.01 so that
  ties people see are the ties the ranking sees. Investment may exceed 1 (cap 1.2), so a score
  may exceed 100.
- Units pool their projects: rate = sum(min(num_i, cap * den_i)) / sum(den_i).
  Counting rates (开工率, 节点按期率 ...) thus count projects, milestones and problems, and
  investment is money-weighted like the city's 投资完成率, while the per-project cap stops one
  padded project from covering the others' shortfall. Being rates, a unit with 2 small
  projects and one with 40 big ones compare on the same scale.
- "Due" means the planned day is before ``as_of`` (the day itself still belongs to the
  project); something done early is due too, so it counts for the project.
Metric and theme names are stable English keys; the bot's message catalog translates them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from domain.plan import planned_to_date
from domain.status import RED, YELLOW, ProjectFacts, is_completed, is_started

INVESTMENT = "investment"  # 投资完成率, against 序时进度
START = "start"  # 开工率: started / due to start (this year)
COMPLETION = "completion"  # 竣工投产率: completed or producing / due to complete (this year)
MILESTONES = "milestones"  # 节点按期完成率
PROBLEMS = "problems"  # 问题按期销号率
REPORTING = "reporting"  # 天天有新进展: days with real progress / workdays
METRICS: tuple[str, ...] = (INVESTMENT, START, COMPLETION, MILESTONES, PROBLEMS, REPORTING)

Ratio = tuple[float, float]
"""(numerator, denominator) of a metric; the denominator is positive."""

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        INVESTMENT: 0.35,
        START: 0.15,
        COMPLETION: 0.10,
        MILESTONES: 0.15,
        PROBLEMS: 0.10,
        REPORTING: 0.15,
    }
)
DEFAULT_CAPS: Mapping[str, float] = MappingProxyType(
    {INVESTMENT: 1.2, START: 1.0, COMPLETION: 1.0, MILESTONES: 1.0, PROBLEMS: 1.0, REPORTING: 1.0}
)
DEFAULT_UNIT_GROUPS: Mapping[str, str] = MappingProxyType(
    {"county": "county", "zone": "county", "department": "department", "enterprise": "enterprise"}
)
"""Unit kind -> ranking group: 区县 and 开发区 together, 市直部门 and 市管国企 each apart."""

_WEIGHT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ScoringConfig:
    """How scores are made. The metric set is the keys of ``weights`` (omit one to drop it).

    Attributes:
        weights: metric -> weight, non-negative, summing to 1.
        caps: metric -> highest value that counts; a metric not listed is capped at 1.0.
        flag_count: N red flags (top) and yellow flags (bottom) per group.
        unit_groups: unit kind -> ranking group, for callers to place units.
    """

    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    caps: Mapping[str, float] = field(default_factory=lambda: DEFAULT_CAPS)
    flag_count: int = 3
    unit_groups: Mapping[str, str] = field(default_factory=lambda: DEFAULT_UNIT_GROUPS)

    def __post_init__(self) -> None:
        unknown = (set(self.weights) | set(self.caps)) - set(METRICS)
        if unknown:
            raise ValueError(f"unknown metrics: {sorted(unknown)}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("weights must not be negative")
        if abs(sum(self.weights.values()) - 1) > _WEIGHT_TOLERANCE:
            raise ValueError(f"weights must sum to 1, got {sum(self.weights.values())}")
        if any(c <= 0 for c in self.caps.values()):
            raise ValueError("caps must be positive")
        if self.flag_count < 0:
            raise ValueError("flag_count must not be negative")

    def cap(self, metric: str) -> float:
        return self.caps.get(metric, 1.0)

    def group_of(self, unit_kind: str) -> str:
        """Ranking group of a unit kind; an unknown kind is ranked on its own."""
        return self.unit_groups.get(unit_kind, unit_kind)


DEFAULT_CONFIG = ScoringConfig()


@dataclass(frozen=True)
class MetricLine:
    """One metric of an explanation.

    ``value`` is the capped rate (None: not applicable), ``weight`` the weight after
    renormalising (0 when not applicable), ``points`` = 100 * weight * value, ``change`` the
    change of ``value`` since the previous explanation (None when either is n/a).
    ``numerator``/``denominator`` are the counts behind the value (for units: pooled, capped).
    """

    metric: str
    value: float | None
    weight: float
    points: float
    change: float | None
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class Explanation:
    """A score and the lines it is made of; ``score_change`` is against the previous one."""

    subject: str
    score: float
    lines: tuple[MetricLine, ...]
    score_change: float | None = None

    def line(self, metric: str) -> MetricLine | None:
        return next((line for line in self.lines if line.metric == metric), None)


@dataclass(frozen=True)
class Ranked:
    """A place in a group's ranking; ``change`` > 0 means moved up; ``flag`` red/yellow/None."""

    subject: str
    group: str
    score: float
    rank: int
    change: int | None
    flag: str | None


# --- metrics of one project --------------------------------------------------------------


def _event_rate(
    planned: date | None, actual: date | None, reached: bool, as_of: date
) -> Ratio | None:
    """Ratio for "done / due this year" of one event (start or completion) of one project.

    Done before this year: not applicable (a 续建 project is not this year's start). Done
    this year, on time or early: 1/1. Done by stage but with no day: counted only when it
    was planned for this year. Not done and planned before ``as_of``: 0/1 (a start overdue
    since last year still counts against this year).
    """
    year_start = date(as_of.year, 1, 1)
    if actual is not None and actual <= as_of:
        return None if actual < year_start else (1.0, 1.0)
    if actual is None and reached:
        return (1.0, 1.0) if planned is not None and planned >= year_start else None
    if planned is not None and planned < as_of:
        return (0.0, 1.0)
    return None


def _start_ratio(facts: ProjectFacts, as_of: date) -> Ratio | None:
    """开工率 of one project."""
    return _event_rate(facts.planned_start, facts.actual_start, is_started(facts, as_of), as_of)


def _to_date_ratio(facts: ProjectFacts, as_of: date) -> Ratio | None:
    """Investment done / planned to date (序时进度) of one project."""
    planned = planned_to_date(facts.year_plan_yuan, facts.monthly_plan_yuan, as_of)
    return (float(facts.done_yuan), float(planned)) if planned > 0 else None


def _on_time_rate(items: Iterable[tuple[date, date | None]], as_of: date) -> Ratio | None:
    """On time / due over (deadline, done_on) pairs; done items count as due."""
    due = on_time = 0
    for deadline, done in items:
        finished = done is not None and done <= as_of
        if finished or deadline < as_of:
            due += 1
            if finished and done <= deadline:
                on_time += 1
    return (float(on_time), float(due)) if due else None


def _reporting_ratio(facts: ProjectFacts) -> Ratio | None:
    """Days with real progress / workdays of the scoring period."""
    if facts.workdays <= 0:
        return None
    return (float(facts.real_progress_days), float(facts.workdays))


def project_metrics(facts: ProjectFacts, as_of: date) -> dict[str, Ratio | None]:
    """Every metric of one project as (numerator, denominator), or None when not applicable."""
    return {
        INVESTMENT: _to_date_ratio(facts, as_of),
        START: _start_ratio(facts, as_of),
        COMPLETION: _event_rate(
            facts.planned_completion,
            facts.actual_completion,
            is_completed(facts, as_of),
            as_of,
        ),
        MILESTONES: _on_time_rate(((m.due, m.done_on) for m in facts.milestones), as_of),
        PROBLEMS: _on_time_rate(
            (
                (p.deadline, p.closed_on)
                for p in facts.problems
                if p.deadline is not None and p.created <= as_of
            ),
            as_of,
        ),
        REPORTING: _reporting_ratio(facts),
    }


def pool(
    per_project: Iterable[Mapping[str, Ratio | None]], config: ScoringConfig = DEFAULT_CONFIG
) -> dict[str, Ratio | None]:
    """Unit ratios: sum of each project's numerator capped at cap * denominator, over the sum
    of denominators; None for a metric no project has."""
    sums = {m: [0.0, 0.0] for m in config.weights}
    for metrics in per_project:
        for metric, acc in sums.items():
            ratio = metrics.get(metric)
            if ratio is not None:
                acc[0] += min(ratio[0], config.cap(metric) * ratio[1])
                acc[1] += ratio[1]
    return {m: (n, d) if d > 0 else None for m, (n, d) in sums.items()}


# --- explanations ------------------------------------------------------------------------


def _capped(ratio: Ratio | None, cap: float) -> float | None:
    if ratio is None or ratio[1] <= 0:
        return None
    return min(max(ratio[0] / ratio[1], 0.0), cap)


def explain(
    subject: str,
    ratios: Mapping[str, Ratio | None],
    config: ScoringConfig = DEFAULT_CONFIG,
    previous: Explanation | None = None,
) -> Explanation | None:
    """Score ``ratios`` line by line; None when no weighted metric applies."""
    metrics = [m for m in METRICS if m in config.weights]
    values = {m: _capped(ratios.get(m), config.cap(m)) for m in metrics}
    total_weight = sum(config.weights[m] for m in metrics if values[m] is not None)
    if total_weight <= 0:
        return None
    lines = []
    for metric in metrics:
        value, ratio = values[metric], ratios.get(metric)
        weight = config.weights[metric] / total_weight if value is not None else 0.0
        before = previous.line(metric) if previous else None
        change = None
        if value is not None and before is not None and before.value is not None:
            change = value - before.value
        lines.append(
            MetricLine(
                metric=metric,
                value=value,
                weight=weight,
                points=100 * weight * value if value is not None else 0.0,
                change=change,
                numerator=ratio[0] if value is not None and ratio else None,
                denominator=ratio[1] if value is not None and ratio else None,
            )
        )
    score = round(sum(line.points for line in lines), 2)
    score_change = round(score - previous.score, 2) if previous else None
    return Explanation(subject, score, tuple(lines), score_change)


def explain_project(
    facts: ProjectFacts,
    as_of: date,
    config: ScoringConfig = DEFAULT_CONFIG,
    previous: Explanation | None = None,
) -> Explanation | None:
    """A project's score and lines; the subject is the project's name."""
    return explain(facts.name, project_metrics(facts, as_of), config, previous)


def explain_unit(
    unit: str,
    projects: Sequence[ProjectFacts],
    as_of: date,
    config: ScoringConfig = DEFAULT_CONFIG,
    previous: Explanation | None = None,
) -> Explanation | None:
    """A unit's score from its projects, pooled (see module doc); None with no projects."""
    if not projects:
        return None
    return explain(
        unit, pool((project_metrics(p, as_of) for p in projects), config), config, previous
    )


def explain_units(
    projects: Iterable[ProjectFacts],
    as_of: date,
    config: ScoringConfig = DEFAULT_CONFIG,
    previous: Mapping[str, Explanation] | None = None,
) -> list[tuple[str, str, Explanation]]:
    """(unit, group, explanation) for every unit that has projects and a score, in one pass.

    A unit's group is its projects' ``group``. Units without projects do not appear.
    """
    by_unit: dict[str, list[dict[str, Ratio | None]]] = {}
    groups: dict[str, str] = {}
    for facts in projects:
        by_unit.setdefault(facts.unit, []).append(project_metrics(facts, as_of))
        groups.setdefault(facts.unit, facts.group)
    previous = previous or {}
    result = []
    for unit, metrics in by_unit.items():
        explanation = explain(unit, pool(metrics, config), config, previous.get(unit))
        if explanation is not None:
            result.append((unit, groups[unit], explanation))
    return result


# --- ranking -----------------------------------------------------------------------------


def rank(
    entries: Iterable[tuple[str, str, float]],
    previous_ranks: Mapping[str, int],
    config: ScoringConfig = DEFAULT_CONFIG,
) -> list[Ranked]:
    """Rank (subject, group, score) entries within each group, groups in name order.

    Score descending, ties broken by subject name, ranks 1..n. ``change`` = previous rank -
    rank (positive: moved up; None: not ranked before). The top N get the red flag and the
    bottom N the yellow flag, N = min(flag_count, n // 2) so nobody gets both. Scores are
    plain numbers so quarterly figures rank the same way as weekly scores.
    """
    by_group: dict[str, list[tuple[str, float]]] = {}
    for subject, group, score in entries:
        by_group.setdefault(group, []).append((subject, score))
    ranked: list[Ranked] = []
    for group in sorted(by_group):
        items = sorted(by_group[group], key=lambda item: (-item[1], item[0]))
        flags = min(config.flag_count, len(items) // 2)
        for place, (subject, score) in enumerate(items, start=1):
            before = previous_ranks.get(subject)
            flag = RED if place <= flags else YELLOW if place > len(items) - flags else None
            change = None if before is None else before - place
            ranked.append(Ranked(subject, group, score, place, change, flag))
    return ranked


# --- quarterly themes --------------------------------------------------------------------

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
    Q1_STARTS: (START, _start_ratio),
    Q2_HALF: (INVESTMENT, _year_share(2)),
    Q3_GAP: (INVESTMENT, _to_date_ratio),
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
