"""Project status (红黄绿, or 未上报) from the facts at a date.

Every project gets a status every workday (a scheduled run, see ranking.service), and again
after each report and each admin edit. A project that never reported is judged by the same
checks as any other, so going silent never looks better than reporting badly. The worst
check sets the colour:

- investment: completed this year / planned to date (序时进度, see domain.plan). Behind by at
  least ``yellow_points`` percentage points is yellow, by more than ``red_points`` red; less
  than ``yellow_points`` behind is a tolerance band. The gap is judged only once the plan to
  date reaches one month's share (1/12) of the year's plan: on 3 January a day or two of
  plan says nothing yet about a project (nor does a plan whose spending starts in July, until
  July's share is due). Before that the other checks still apply, so a silent project turns
  yellow after ``no_progress_workdays`` all the same. No report means 0 invested: late in the
  year a project with a plan and no report is red.
- schedule: a project not started more than ``start_yellow_days`` after its planned start is
  yellow, more than ``start_red_days`` red; an open milestone past its due day is yellow.
- reporting: ``no_progress_workdays`` workdays or more without real progress is yellow.
  Silence counts from the last real progress or, for a project that never made any, from the
  day it entered the ledger; days before it existed do not count (domain.reporting_days).

未上报 (``UNREPORTED``) is kept for a project with nothing to judge it by: no check applies
(no plan judged yet, no planned start or milestone due) and it has never reported. It is not
green: nothing is known in its favour either. Once silent for ``no_progress_workdays`` it is
yellow like any other silent project.

Red is sticky (see ``status``): a red project comes back to green only by catching up.
Reasons are stable English keys; the bot's message catalog translates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from domain.plan import planned_to_date
from domain.stages import Stage, stage_index

GREEN, YELLOW, RED = "green", "yellow", "red"
COLORS: tuple[str, ...] = (GREEN, YELLOW, RED)
"""Colours from best to worst."""
UNREPORTED = "unreported"
"""未上报: nothing is known to judge the project by; never drawn or counted as green."""
STATUSES: tuple[str, ...] = (*COLORS, UNREPORTED)
"""Every value a stored status may take."""
MONTHS_PER_YEAR = 12

# Reason keys, in the order they are reported.
INVESTMENT_FAR_BEHIND = "investment_far_behind"
START_FAR_OVERDUE = "start_far_overdue"
INVESTMENT_BEHIND = "investment_behind"
START_OVERDUE = "start_overdue"
MILESTONE_OVERDUE = "milestone_overdue"
NO_REAL_PROGRESS = "no_real_progress"
CATCHING_UP = "catching_up"


@dataclass(frozen=True, slots=True)
class Milestone:
    """A node (节点) of the year's schedule; ``done_on`` is None while open."""

    name: str
    due: date
    done_on: date | None = None


@dataclass(frozen=True, slots=True)
class ProblemFacts:
    """A problem on the ledger; ``deadline`` None means no closure date was set."""

    created: date
    deadline: date | None = None
    closed_on: date | None = None


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """What status and scoring need to know about one project, gathered by the caller.

    Money is integer 元; ``done_yuan`` is the investment completed this year (cumulative) and
    ``monthly_plan_yuan`` the per-month plan, January first. The reporting counts are computed
    by the caller with the WorkCalendar (domain.reporting_days): ``workdays_since_real_progress``
    counts the silent workdays up to the day of assessment; ``real_progress_days`` the days with
    real progress in the scoring period, ``workdays`` the workdays of the period the project
    owed a report on, ``period_workdays`` the period's workdays. ``entered`` is the local day
    the project entered the ledger, ``last_report`` its last report of any kind (None: never).
    """

    project_id: int
    code: str
    name: str
    unit: str
    group: str
    total_yuan: int
    year_plan_yuan: int
    monthly_plan_yuan: tuple[int, ...] | None
    done_yuan: int
    stage: Stage | None = None
    planned_start: date | None = None
    actual_start: date | None = None
    planned_completion: date | None = None
    actual_completion: date | None = None
    milestones: tuple[Milestone, ...] = ()
    problems: tuple[ProblemFacts, ...] = ()
    last_real_progress: date | None = None
    workdays_since_real_progress: int = 0
    real_progress_days: int = 0
    workdays: int = 0
    period_workdays: int = 0
    entered: date | None = None
    last_report: date | None = None


@dataclass(frozen=True)
class Thresholds:
    """When a project turns yellow or red; the city may configure each."""

    yellow_points: float = 10
    red_points: float = 30
    start_yellow_days: int = 30
    start_red_days: int = 90
    no_progress_workdays: int = 3


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Status:
    """A colour, the reason keys behind it (worst first, empty when green), and the memory.

    ``since_red`` is True while the project has been red and has not caught up since; the
    caller stores it with the colour and passes the status back as ``previous`` next time.
    """

    color: str
    reasons: tuple[str, ...] = ()
    since_red: bool = False


def has_reached(stage: Stage | None, target: Stage) -> bool:
    """True when ``stage`` is ``target`` or later in the life cycle."""
    return stage is not None and stage_index(stage) >= stage_index(target)


def is_started(facts: ProjectFacts, as_of: date) -> bool:
    """Started by ``as_of``: a start date on or before it, or a stage of 在建 or later."""
    if facts.actual_start is not None:
        return facts.actual_start <= as_of
    return has_reached(facts.stage, Stage.CONSTRUCTION)


def is_completed(facts: ProjectFacts, as_of: date) -> bool:
    """Completed (竣工) or producing (投产) by ``as_of``."""
    if facts.actual_completion is not None:
        return facts.actual_completion <= as_of
    return has_reached(facts.stage, Stage.COMPLETED)


def points_behind(done: int, planned: int) -> Fraction:
    """Percentage points behind plan, exactly: 70 of 100 is 30 behind (not 30.000000000000004)."""
    return (1 - Fraction(done, planned)) * 100


def year_plan_in_force(facts: ProjectFacts) -> int:
    """The year's plan the 序时进度 is taken from: the monthly plan's sum when there is one."""
    if facts.monthly_plan_yuan is not None:
        return sum(facts.monthly_plan_yuan)
    return facts.year_plan_yuan


def judged_plan(facts: ProjectFacts, as_of: date) -> int | None:
    """Planned investment to date once it is judged, else None.

    Judged from the day the plan to date reaches one month's share (1/12) of the year's plan:
    before that a gap says nothing yet (see the module doc). Scores use the same rule.
    """
    planned = planned_to_date(facts.year_plan_yuan, facts.monthly_plan_yuan, as_of)
    if planned <= 0 or planned * MONTHS_PER_YEAR < year_plan_in_force(facts):
        return None
    return planned


def investment_color(
    done_yuan: int, planned_yuan: int | None, thresholds: Thresholds
) -> str | None:
    """Colour of the investment check; None when the plan to date is not judged."""
    if planned_yuan is None or planned_yuan <= 0:
        return None
    behind = points_behind(done_yuan, planned_yuan)
    # str() so a configured 12.5 means exactly 12.5, not its binary neighbour.
    if behind > Fraction(str(thresholds.red_points)):
        return RED
    if behind >= Fraction(str(thresholds.yellow_points)):
        return YELLOW
    return GREEN


def _causes(
    facts: ProjectFacts, as_of: date, planned: int | None, thresholds: Thresholds
) -> list[tuple[str, str]]:
    """(colour, reason) of every check that is not green."""
    causes: list[tuple[str, str]] = []
    invest = investment_color(facts.done_yuan, planned, thresholds)
    if invest == RED:
        causes.append((RED, INVESTMENT_FAR_BEHIND))
    elif invest == YELLOW:
        causes.append((YELLOW, INVESTMENT_BEHIND))
    if facts.planned_start is not None and not is_started(facts, as_of):
        late = (as_of - facts.planned_start).days
        if late > thresholds.start_red_days:
            causes.append((RED, START_FAR_OVERDUE))
        elif late > thresholds.start_yellow_days:
            causes.append((YELLOW, START_OVERDUE))
    if any(m.done_on is None and m.due < as_of for m in facts.milestones):
        causes.append((YELLOW, MILESTONE_OVERDUE))
    if facts.workdays_since_real_progress >= thresholds.no_progress_workdays:
        causes.append((YELLOW, NO_REAL_PROGRESS))
    return causes


def nothing_to_judge(facts: ProjectFacts, as_of: date, planned: int | None) -> bool:
    """No check applies (no plan judged, no start or milestone due) and it never reported."""
    start_due = facts.planned_start is not None and facts.planned_start < as_of
    node_due = any(m.due < as_of for m in facts.milestones)
    return planned is None and not start_due and not node_due and facts.last_report is None


def status(
    facts: ProjectFacts,
    as_of: date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    previous: Status | None = None,
) -> Status:
    """The project's status at ``as_of`` and why.

    The colour is a function of the facts, with one memory, carried by ``since_red``: a
    project that has been red comes back to green only by catching up, meaning investment at
    or above plan to date (not merely inside the tolerance band; any plan while it is not yet
    judged) and no cause left. Until then it is at least yellow, with reason "catching_up"
    when nothing else is wrong. So red never turns green because a week ended, or because it
    crawled back to 9 points behind. It may improve from red to yellow at once, and the memory
    lasts across any number of yellow weeks. ``previous`` is the status last computed (None:
    no history). With no cause and nothing to judge it by, the status is 未上报, never green.
    """
    planned = judged_plan(facts, as_of)
    causes = _causes(facts, as_of, planned, thresholds)
    reasons = tuple(r for c, r in causes if c == RED) + tuple(r for c, r in causes if c == YELLOW)
    if any(c == RED for c, _ in causes):
        return Status(RED, reasons, since_red=True)
    was_red = previous is not None and (previous.color == RED or previous.since_red)
    caught_up = not causes and (planned is None or facts.done_yuan >= planned)
    if was_red and not caught_up:
        return Status(YELLOW, reasons or (CATCHING_UP,), since_red=True)
    if causes:
        return Status(YELLOW, reasons)
    if nothing_to_judge(facts, as_of, planned):
        return Status(UNREPORTED)
    return Status(GREEN)
