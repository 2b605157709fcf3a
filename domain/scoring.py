"""Weekly scores and their explanations, of projects and of units (pooled).

Everything is scored on rates so that big and small compare fairly. A metric is a ratio
(numerator, denominator); its value is numerator / denominator capped (``ScoringConfig.caps``)
so that padding one number does not pay. The metrics, weights and caps are domain.weights;
places and flags are domain.ranking.

Rules:
- Scores run from 0 to 100. 100 means every applicable metric at or above its target:
  investment at or ahead of 序时进度, every start and node on time, every problem closed on
  time, real progress on every workday owed. A metric earns at most its full weight, however
  far ahead it is; its value may show more (investment up to the 1.2 cap), and that cap is
  what lets a project ahead cover another's shortfall inside its unit.
- Reporting gates the others. The reporting metric (days with real progress / workdays owed,
  domain.reporting_days) applies whenever the project owed a report in the period. In a
  period with a workday, a project with no real progress scores 0 on every metric: facts
  declared at import (a stage, a figure in the sheet) are a starting point, not evidence of
  work in the week. Its denominators still count in its unit's pooled rates (judged, not
  skipped). So a subject with no real progress can never rank above one with some.
- Not applicable: a metric with no denominator (investment before 1/12 of the year's plan is
  due, see domain.status; no milestone due ...) is left out and the weights of the remaining
  metrics are scaled up to sum to 1. A subject with no applicable metric at all (e.g. a unit
  with no projects) gets no score and is not ranked.
- Score = sum of points, points = 100 * weight * min(value, 1), rounded to 0.01 so that
  ties people see are the ties the ranking sees.
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

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from domain.ranking import Ranked as Ranked  # re-exported: older callers import it from here
from domain.ranking import rank as rank  # re-exported: scheduler.periodic imports it from here
from domain.status import ProjectFacts, is_completed, is_started, judged_plan
from domain.weights import (
    COMPLETION,
    DEFAULT_CONFIG,
    INVESTMENT,
    MILESTONES,
    PROBLEMS,
    REPORTING,
    START,
    ScoringConfig,
)

Ratio = tuple[float, float]
"""(numerator, denominator) of a metric; the denominator is positive."""
FULL = 1.0
"""The value at which a metric earns its full weight."""


@dataclass(frozen=True, slots=True)
class MetricLine:
    """One metric of an explanation.

    ``value`` is the capped rate (None: not applicable), ``weight`` the weight after
    renormalising (0 when not applicable), ``points`` = 100 * weight * min(value, 1),
    ``change`` the change of ``value`` since the previous explanation (None when either is
    n/a). ``numerator``/``denominator`` are the counts behind the value (for units: pooled,
    capped).
    """

    metric: str
    value: float | None
    weight: float
    points: float
    change: float | None
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True, slots=True)
class Explanation:
    """A score and the lines it is made of; ``score_change`` is against the previous one.

    ``gated`` of ``members`` projects had no real progress in the period and count 0 on every
    metric (the gate, see the module doc); for a project, ``members`` is 1.
    """

    subject: str
    score: float
    lines: tuple[MetricLine, ...]
    score_change: float | None = None
    gated: int = 0
    members: int = 0

    def line(self, metric: str) -> MetricLine | None:
        return next((line for line in self.lines if line.metric == metric), None)


@dataclass(frozen=True, slots=True)
class Past:
    """A kept week's score and its metrics' values (None: not applicable): all a change is
    computed against. Read back for every subject each week, so no line objects are built."""

    score: float
    values: Mapping[str, float | None]


Previous = Explanation | Past
"""What a change is computed against: an explanation, or a kept week's figures."""


@functools.cache
def not_applicable(metric: str) -> MetricLine:
    """The line of a metric that does not apply: one frozen instance per metric, shared by
    every explanation (a week's 5,150 hold some 15,000 of them)."""
    return MetricLine(metric, None, 0.0, 0.0, None, None, None)


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


def start_ratio(facts: ProjectFacts, as_of: date) -> Ratio | None:
    """开工率 of one project."""
    return _event_rate(facts.planned_start, facts.actual_start, is_started(facts, as_of), as_of)


def to_date_ratio(facts: ProjectFacts, as_of: date) -> Ratio | None:
    """Investment done / planned to date (序时进度) once judged (domain.status.judged_plan)."""
    planned = judged_plan(facts, as_of)
    return (float(facts.done_yuan), float(planned)) if planned is not None else None


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
    """Days with real progress / workdays owed in the scoring period."""
    if facts.workdays <= 0:
        return None
    return (float(facts.real_progress_days), float(facts.workdays))


def is_gated(facts: ProjectFacts) -> bool:
    """No real progress in a period that had a workday: every metric counts 0 (module doc)."""
    return facts.period_workdays > 0 and facts.real_progress_days <= 0


def project_metrics(facts: ProjectFacts, as_of: date) -> dict[str, Ratio | None]:
    """Every metric of one project as (numerator, denominator), or None when not applicable;
    a gated project keeps its denominators with every numerator 0."""
    ratios = {
        INVESTMENT: to_date_ratio(facts, as_of),
        START: start_ratio(facts, as_of),
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
    if is_gated(facts):
        return {m: (0.0, r[1]) if r is not None else None for m, r in ratios.items()}
    return ratios


def pool(
    per_project: Iterable[Mapping[str, Ratio | None]], config: ScoringConfig = DEFAULT_CONFIG
) -> dict[str, Ratio | None]:
    """Unit ratios: sum of each project's numerator capped at cap * denominator, over the sum
    of denominators; None for a metric no project has."""
    sums = [(m, config.cap(m), [0.0, 0.0]) for m in config.weights]
    for metrics in per_project:
        for metric, cap, acc in sums:
            ratio = metrics.get(metric)
            if ratio is not None:
                acc[0] += min(ratio[0], cap * ratio[1])
                acc[1] += ratio[1]
    return {m: (n, d) if d > 0 else None for m, _, (n, d) in sums}


# --- explanations ------------------------------------------------------------------------


def _capped(ratio: Ratio | None, cap: float) -> float | None:
    if ratio is None or ratio[1] <= 0:
        return None
    return min(max(ratio[0] / ratio[1], 0.0), cap)


def explain(
    subject: str,
    ratios: Mapping[str, Ratio | None],
    config: ScoringConfig = DEFAULT_CONFIG,
    previous: Previous | None = None,
    *,
    gated: int = 0,
    members: int = 0,
) -> Explanation | None:
    """Score ``ratios`` line by line; None when no weighted metric applies."""
    # 5,150 of these for a province's week: the config's metrics walked as worked out once.
    scored = []
    for metric, weight, cap in config.weighted:
        ratio = ratios.get(metric)
        scored.append((metric, weight, ratio, _capped(ratio, cap)))
    total_weight = sum(weight for _, weight, _, value in scored if value is not None)
    if total_weight <= 0:
        return None
    if previous is None:
        before: Mapping[str, float | None] = {}
    elif isinstance(previous, Past):
        before = previous.values
    else:
        before = {line.metric: line.value for line in previous.lines}
    lines = []
    for metric, full_weight, ratio, value in scored:
        if value is None or ratio is None:
            lines.append(not_applicable(metric))
            continue
        weight = full_weight / total_weight
        was = before.get(metric)
        change = None if was is None else value - was
        # Positional: metric, value, weight, points, change, numerator, denominator.
        points = 100 * weight * min(value, FULL)
        lines.append(MetricLine(metric, value, weight, points, change, ratio[0], ratio[1]))
    score = round(sum(line.points for line in lines), 2)
    score_change = round(score - previous.score, 2) if previous is not None else None
    return Explanation(subject, score, tuple(lines), score_change, gated, members)


def explain_project(
    facts: ProjectFacts,
    as_of: date,
    config: ScoringConfig = DEFAULT_CONFIG,
    previous: Explanation | None = None,
) -> Explanation | None:
    """A project's score and lines; the subject is the project's name."""
    return explain(facts.name, project_metrics(facts, as_of), config, previous,
                   gated=int(is_gated(facts)), members=1)  # fmt: skip


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
    ratios = pool((project_metrics(p, as_of) for p in projects), config)
    return explain(unit, ratios, config, previous, gated=sum(map(is_gated, projects)),
                   members=len(projects))  # fmt: skip


def explain_units(
    projects: Iterable[ProjectFacts],
    as_of: date,
    config: ScoringConfig = DEFAULT_CONFIG,
    previous: Mapping[str, Previous] | None = None,
) -> list[tuple[str, str, Explanation]]:
    """(unit, group, explanation) for every unit that has projects and a score, in one pass.

    A unit's group is its projects' ``group``. Units without projects do not appear.
    """
    every = [(facts, project_metrics(facts, as_of)) for facts in projects]
    return _units(every, config, previous or {})


def explain_week(
    projects: Sequence[ProjectFacts],
    as_of: date,
    config: ScoringConfig = DEFAULT_CONFIG,
    previous_projects: Mapping[int, Previous] | None = None,
    previous_units: Mapping[str, Previous] | None = None,
) -> tuple[list[tuple[ProjectFacts, Explanation]], list[tuple[str, str, Explanation]]]:
    """explain_project of every project (those with a score) and explain_units of their
    units, each project's metrics computed once: a province's week is 5,000 projects.
    Previous explanations are by project id and by unit name."""
    previous_projects = previous_projects or {}
    every = [(facts, project_metrics(facts, as_of)) for facts in projects]
    explained = []
    for facts, metrics in every:
        found = explain(facts.name, metrics, config, previous_projects.get(facts.project_id),
                        gated=int(is_gated(facts)), members=1)  # fmt: skip
        if found is not None:
            explained.append((facts, found))
    return explained, _units(every, config, previous_units or {})


def _units(
    every: Iterable[tuple[ProjectFacts, dict[str, Ratio | None]]],
    config: ScoringConfig,
    previous: Mapping[str, Previous],
) -> list[tuple[str, str, Explanation]]:
    by_unit: dict[str, list[dict[str, Ratio | None]]] = {}
    groups: dict[str, str] = {}
    gated: dict[str, int] = {}
    for facts, metrics in every:
        by_unit.setdefault(facts.unit, []).append(metrics)
        groups.setdefault(facts.unit, facts.group)
        gated[facts.unit] = gated.get(facts.unit, 0) + is_gated(facts)
    result = []
    for unit, metrics in by_unit.items():
        explanation = explain(unit, pool(metrics, config), config, previous.get(unit),
                              gated=gated[unit], members=len(metrics))  # fmt: skip
        if explanation is not None:
            result.append((unit, groups[unit], explanation))
    return result


# --- quarterly themes --------------------------------------------------------------------
