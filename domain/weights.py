"""What a score is made of: the metrics, their weights and caps, the flags and the groups.

The deployment sets these in the ``[ranking]`` section of its config file; these are the
defaults. Metric names are stable English keys; the bot's message catalog translates them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

INVESTMENT = "investment"  # 投资完成率, against 序时进度
START = "start"  # 开工率: started / due to start (this year)
COMPLETION = "completion"  # 竣工投产率: completed or producing / due to complete (this year)
MILESTONES = "milestones"  # 节点按期完成率
PROBLEMS = "problems"  # 问题按期销号率
REPORTING = "reporting"  # 天天有新进展: days with real progress / workdays
METRICS: tuple[str, ...] = (INVESTMENT, START, COMPLETION, MILESTONES, PROBLEMS, REPORTING)

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


class ReportingWeightError(ValueError):
    """The reporting metric is missing or weighs nothing: the gate (domain.scoring) needs it."""


@dataclass(frozen=True)
class ScoringConfig:
    """How scores are made. The metric set is the keys of ``weights`` (omit one to drop it),
    except ``reporting``, which must weigh more than 0: it gates the others.

    Attributes:
        weights: metric -> weight, non-negative, summing to 1.
        caps: metric -> highest value that counts when a unit pools its projects (a project
            ahead may cover another's shortfall up to the cap); a metric not listed is capped
            at 1.0. In a score a metric never earns more than its full weight.
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
        if self.weights.get(REPORTING, 0) <= 0:
            raise ReportingWeightError(
                "must be above 0: days with real progress gate every other metric"
            )
        if any(c <= 0 for c in self.caps.values()):
            raise ValueError("caps must be positive")
        if self.flag_count < 0:
            raise ValueError("flag_count must not be negative")

    def cap(self, metric: str) -> float:
        return self.caps.get(metric, 1.0)

    @functools.cached_property
    def weighted(self) -> tuple[tuple[str, float, float], ...]:
        """(metric, weight, cap) of every weighted metric, in METRICS order: what each of a
        week's 5,000 explanations walks (domain.scoring), worked out once."""
        return tuple((m, self.weights[m], self.cap(m)) for m in METRICS if m in self.weights)

    def group_of(self, unit_kind: str) -> str:
        """Ranking group of a unit kind; an unknown kind is ranked on its own."""
        return self.unit_groups.get(unit_kind, unit_kind)


DEFAULT_CONFIG = ScoringConfig()
