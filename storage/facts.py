"""What status and scoring read about projects, gathered in a handful of set-based queries.

Everything is "as of" a local day, so last week's scores can be recomputed exactly and a
5,000-project province is read in one pass per table rather than one query per project.
Reports are read for the period only; what is needed of the history before it comes from each
project's running totals (storage.totals), so the cost is the same with three years of
reports as with one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import heap
from domain.reporting_days import owed_workdays, period_workdays, silent_workdays
from domain.stages import parse_stage
from domain.status import Milestone, ProblemFacts, ProjectFacts
from domain.weights import DEFAULT_UNIT_GROUPS
from storage.db import Database, Tx

if TYPE_CHECKING:
    from domain.workdays import WorkCalendar

# Silence is counted back this many days at most: a project silent longer is long silent
# whatever the exact count (it is only compared with a threshold of a few workdays).
LOOKBACK_DAYS = 120
# A project's months as group_concat lists them when it has a plan for each (as it is written).
_EVERY_MONTH = ",".join(map(str, range(1, 13)))


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@functools.lru_cache(maxsize=4096)
def _day(stamp: str, tz: ZoneInfo) -> date:
    """The local day of a stored UTC time (fromisoformat: strptime costs ~10x per row).
    Cached: the projects of one import share their stamp."""
    return datetime.fromisoformat(stamp).astimezone(tz).date()


def _in(column: str, ids: Sequence[int] | None) -> tuple[str, list[int]]:
    if ids is None:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(ids))})", list(ids)


async def load(
    db: Database | Tx,
    as_of: date,
    period_start: date,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    project_ids: Sequence[int] | None = None,
    unit_groups: Mapping[str, str] = DEFAULT_UNIT_GROUPS,
    *,
    day_over: bool = True,
    reporting: bool = True,
) -> list[ProjectFacts]:
    """Facts of every project (or of `project_ids`) as of the end of local day `as_of`;
    reporting counts cover `period_start`..`as_of`. `day_over` False: `as_of` is today and
    not over, so it does not count as a silent workday yet (domain.reporting_days).

    `reporting` False skips the period's reports, leaving the days with real progress at 0:
    for callers that read figures as of the day only (the bulletin, the quarter's flags).
    """
    if project_ids is not None and not project_ids:
        return []
    with heap.quiet():  # thousands of rows and facts, no reference cycle among them
        return await _load(db, as_of, period_start, calendar, tz, project_ids, unit_groups,
                           day_over, reporting)  # fmt: skip


async def _load(
    db: Database | Tx,
    as_of: date,
    period_start: date,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    project_ids: Sequence[int] | None,
    unit_groups: Mapping[str, str],
    day_over: bool,
    reporting: bool,
) -> list[ProjectFacts]:
    look_back = as_of - timedelta(days=LOOKBACK_DAYS)
    queries = [
        _projects(project_ids),
        _monthly_plans(as_of.year, project_ids),
        # A project reported after `as_of` (e.g. on Monday morning, scoring last week) has
        # running totals newer than the day: its figures as of the day come from its history.
        _as_of(as_of, look_back, project_ids),
        _milestones(project_ids),
        _problems(project_ids),
    ]
    if reporting:
        queries.append(_real_in_period(period_start, as_of, project_ids))
    # One hop to the connection's thread and one snapshot for all of them (Reads.fetch_batch);
    # each list of rows is let go as soon as it is read, not kept through the facts' making.
    found = await db.fetch_batch(queries)
    found.reverse()
    projects = found.pop()
    months = _plans(found.pop())
    then = {pid: (done or 0, _d(last_report), _d(last_real))
            for pid, done, last_report, last_real in found.pop()}  # fmt: skip
    nodes = _nodes(found.pop())
    issues = _issues(found.pop(), as_of, tz)
    real: dict[int, tuple[int, date]] = {}
    if reporting:
        real = {pid: (days, date.fromisoformat(first)) for pid, days, first in found.pop()}

    first = min(period_start, look_back)
    days = (first + timedelta(days=i) for i in range((as_of - first).days + 1))
    workdays = [d for d in days if calendar.is_workday(d)]
    in_period = period_workdays(workdays, period_start, as_of)
    facts = []
    for (pid, code, name, unit, kind, stage, total_yuan, year_plan_yuan, planned_start,
         planned_completion, actual_start, actual_completion, actual_operation, done_yuan,
         done_year, created_at, last_report_on, last_real_on) in projects:  # fmt: skip
        if pid in then:
            done, last_report, last_real = then[pid]
        else:
            done = done_yuan if done_year in (as_of.year, None) else 0
            last_report, last_real = _d(last_report_on), _d(last_real_on)
        real_in_period, first_real = real.get(pid, (0, None))
        entered = _day(created_at, tz)
        # Beyond the look back a project is long silent: count from its start at most.
        silent = silent_workdays(workdays, as_of, last_real, max(entered, first),
                                 day_over=day_over)  # fmt: skip
        owed = owed_workdays(workdays, period_start, as_of, entered, first_real == entered)
        facts.append(
            ProjectFacts(
                project_id=pid, code=code, name=name, unit=unit,
                group=unit_groups.get(kind, kind), total_yuan=total_yuan,
                year_plan_yuan=year_plan_yuan, monthly_plan_yuan=months.get(pid),
                done_yuan=done, stage=parse_stage(stage or ""),
                planned_start=_d(planned_start), actual_start=_d(actual_start),
                planned_completion=_d(planned_completion),
                actual_completion=_d(actual_completion or actual_operation),
                milestones=nodes.get(pid, ()), problems=issues.get(pid, ()),
                last_real_progress=last_real, workdays_since_real_progress=silent,
                real_progress_days=real_in_period, workdays=owed, period_workdays=in_period,
                entered=entered, last_report=last_report,
            )
        )  # fmt: skip
    return facts


Query = tuple[str, list]


def _projects(ids: Sequence[int] | None) -> Query:
    where, params = _in("p.id", ids)
    return (
        "SELECT p.id, p.code, p.name, u.name AS unit, u.kind, p.stage, p.total_yuan,"
        " p.year_plan_yuan, p.planned_start, p.planned_completion, p.actual_start,"
        " p.actual_completion, p.actual_operation, p.done_yuan, p.done_year, p.created_at,"
        " p.last_report_on, p.last_real_on"
        " FROM projects p JOIN units u ON u.id = p.unit_id WHERE 1=1" + where,
        params,
    )


def _monthly_plans(year: int, ids: Sequence[int] | None) -> Query:
    """project id, its months and their plans, each as one comma-separated list in the same
    order (projects that have a plan for the year; see _plans)."""
    where, params = _in("project_id", ids)
    # A row per project, not per month: a twelfth of the rows. Two lists rather than a column
    # per month (SUM(CASE month ...) twelve times over every row took ~3x the time).
    return (
        "SELECT project_id, group_concat(month), group_concat(plan_yuan) FROM monthly_plans"
        " WHERE year = ?" + where + " GROUP BY project_id",
        [year, *params],
    )  # fmt: skip


def _plans(rows: list) -> dict[int, tuple[int, ...]]:
    """project id -> its plan per month, January first (0 for a month without one).

    group_concat lists a group's rows in no promised order, but both lists of a row in the
    same one: a month and its plan are paired by position. A project has at most one row a
    month (the primary key)."""
    found = {}
    for pid, months, plans in rows:
        values = _numbers(plans)
        if months == _EVERY_MONTH:  # as set_monthly_plan writes them: every month, in order
            found[pid] = tuple(values)
            continue
        year = [0] * 12
        for month, plan in zip(months.split(","), values, strict=True):
            year[int(month) - 1] = plan
        found[pid] = tuple(year)
    return found


def _numbers(text: str) -> list:
    """Plans as group_concat wrote them: whole 元 (a REAL stored by hand reads as a float)."""
    parts = text.split(",")
    try:
        return list(map(int, parts))
    except ValueError:
        return [int(part) if part.lstrip("-").isdigit() else float(part) for part in parts]


def _as_of(as_of: date, look_back: date, ids: Sequence[int] | None) -> Query:
    """project id, investment this year, last report, last real progress as of `as_of`, for
    the projects that reported after it; a few index seeks each, never a scan.

    The investment is the latest revision of the latest report this year up to the day (NULL
    when none); real progress is looked for back to `look_back` only.
    """
    where, params = _in("p.id", ids)
    day, since = as_of.isoformat(), look_back.isoformat()
    return (
        "SELECT p.id,"
        " (SELECT v.done_yuan FROM report_revisions v WHERE v.report_id ="
        "   (SELECT r.id FROM reports r WHERE r.project_id = p.id"
        "     AND r.report_date BETWEEN ? AND ? ORDER BY r.report_date DESC LIMIT 1)"
        "  ORDER BY v.revision DESC LIMIT 1) AS done,"
        " (SELECT MAX(r.report_date) FROM reports r WHERE r.project_id = p.id"
        "   AND r.report_date <= ?) AS last_report,"
        " (SELECT r.report_date FROM reports r WHERE r.project_id = p.id"
        "   AND r.report_date BETWEEN ? AND ?"
        "   AND (SELECT v.real_progress FROM report_revisions v WHERE v.report_id = r.id"
        "        ORDER BY v.revision DESC LIMIT 1) = 1"
        "   ORDER BY r.report_date DESC LIMIT 1) AS last_real"
        " FROM projects p WHERE p.last_report_on > ?" + where,
        [date(as_of.year, 1, 1).isoformat(), day, day, since, day, day, *params],
    )


def _real_in_period(start: date, end: date, ids: Sequence[int] | None) -> Query:
    """project id, days with real progress in start..end, the first of them; the latest
    revision of a day decides. Counted in SQL over the period's reports only."""
    where, params = _in("r.project_id", ids)
    return (
        "SELECT r.project_id, COUNT(*) AS days, MIN(r.report_date) AS first_day"
        " FROM reports r JOIN report_revisions v ON v.report_id = r.id AND v.revision ="
        " (SELECT MAX(revision) FROM report_revisions WHERE report_id = r.id)"
        " WHERE r.report_date BETWEEN ? AND ? AND v.real_progress = 1"
        + where
        + " GROUP BY r.project_id",
        [start.isoformat(), end.isoformat(), *params],
    )


def _milestones(ids: Sequence[int] | None) -> Query:
    where, params = _in("project_id", ids)
    return "SELECT project_id, name, due, done_on FROM milestones WHERE 1=1" + where, params


def _nodes(rows: list) -> dict[int, tuple[Milestone, ...]]:
    nodes: dict[int, list[Milestone]] = {}
    for pid, name, due, done in rows:
        nodes.setdefault(pid, []).append(Milestone(name, date.fromisoformat(due), _d(done)))
    return {pid: tuple(found) for pid, found in nodes.items()}


def _problems(ids: Sequence[int] | None) -> Query:
    where, params = _in("project_id", ids)
    return (
        "SELECT project_id, created_at, deadline, closed_at FROM problems WHERE 1=1" + where,
        params,
    )


def _issues(rows: list, as_of: date, tz: ZoneInfo) -> dict[int, tuple[ProblemFacts, ...]]:
    """Problems raised by the end of `as_of`, with their deadline and local closing day."""
    issues: dict[int, list[ProblemFacts]] = {}
    for pid, created_at, deadline, closed_at in rows:
        created = _day(created_at, tz)
        if created > as_of:
            continue
        closed = _day(closed_at, tz) if closed_at else None
        issues.setdefault(pid, []).append(ProblemFacts(created, _d(deadline), closed))
    return {pid: tuple(found) for pid, found in issues.items()}
