"""What status and scoring read about projects, gathered in a handful of set-based queries.

Everything is "as of" a local day, so last week's scores can be recomputed exactly and a
5,000-project province is read in one pass per table rather than one query per project.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from domain.reporting_days import owed_workdays, period_workdays, silent_workdays
from domain.stages import parse_stage
from domain.status import Milestone, ProblemFacts, ProjectFacts
from domain.weights import DEFAULT_UNIT_GROUPS
from storage.db import Database, Tx

if TYPE_CHECKING:
    from domain.workdays import WorkCalendar

LOOKBACK_DAYS = 120  # "no real progress for N workdays" never needs to look further back


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _day(stamp: str, tz: ZoneInfo) -> date:
    """The local day of a stored UTC time (fromisoformat: strptime costs ~10x per row)."""
    return datetime.fromisoformat(stamp).astimezone(tz).date()


def _in(ids: Sequence[int] | None) -> tuple[str, list[int]]:
    if ids is None:
        return "", []
    return f" AND p.id IN ({','.join('?' * len(ids))})", list(ids)


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
    look_back: date | None = None,
) -> list[ProjectFacts]:
    """Facts of every project (or of `project_ids`) as of the end of local day `as_of`;
    reporting counts cover `period_start`..`as_of`. `day_over` False: `as_of` is today and
    not over, so it does not count as a silent workday yet (domain.reporting_days).

    Silence is counted back to `look_back` at most (default LOOKBACK_DAYS before `as_of`):
    a caller that only compares it with a threshold looks back just far enough, and reads a
    few days of reports instead of months (the daily status run; scoring needs none).
    """
    if project_ids is not None and not project_ids:
        return []
    where, params = _in(project_ids)
    # The same filter for tables keyed by project_id (one project after a report: cheap).
    only = where.replace("p.id", "project_id")
    year_start = date(as_of.year, 1, 1).isoformat()
    projects = await db.fetchall(
        "SELECT p.id, p.code, p.name, u.name AS unit, u.kind, p.stage, p.total_yuan,"
        " p.year_plan_yuan, p.planned_start, p.planned_completion, p.actual_start,"
        " p.actual_completion, p.actual_operation, p.done_yuan, p.done_year, p.created_at,"
        " (SELECT MAX(r.report_date) FROM reports r WHERE r.project_id = p.id"
        " AND r.report_date <= ?) AS last_report"
        " FROM projects p JOIN units u ON u.id = p.unit_id WHERE 1=1" + where,
        [as_of.isoformat(), *params],
    )
    months: dict[int, list[int]] = defaultdict(lambda: [0] * 12)
    for r in await db.fetchall(
        "SELECT p.id, m.month, m.plan_yuan FROM monthly_plans m JOIN projects p"
        " ON p.id = m.project_id WHERE m.year = ?" + where,
        [as_of.year, *params],
    ):
        months[r["id"]][r["month"] - 1] = r["plan_yuan"]
    # Cumulative investment as of the day. The project row holds the latest figure; only the
    # few projects reported after `as_of` (e.g. on Monday morning, scoring last week) need
    # their figure from history: the latest revision of the latest report up to `as_of`.
    later = [
        r["project_id"]
        for r in await db.fetchall(
            "SELECT DISTINCT project_id FROM reports WHERE report_date > ?" + only,
            [as_of.isoformat(), *params],
        )
    ]
    done_at: dict[int, int] = {}
    if later:
        marks = ",".join("?" * len(later))
        for r in await db.fetchall(
            "WITH last AS (SELECT project_id, MAX(report_date) AS d FROM reports"
            f" WHERE report_date BETWEEN ? AND ? AND project_id IN ({marks})"
            " GROUP BY project_id)"
            " SELECT r.project_id, v.done_yuan FROM last"
            " JOIN reports r ON r.project_id = last.project_id AND r.report_date = last.d"
            " JOIN report_revisions v ON v.report_id = r.id AND v.revision ="
            " (SELECT MAX(revision) FROM report_revisions WHERE report_id = r.id)",
            [year_start, as_of.isoformat(), *later],
        ):
            done_at[r["project_id"]] = r["done_yuan"]
    # Real progress (the latest revision decides): the last day, the days in the period and
    # the first of them, counted in SQL so a province's year of reports never comes to Python
    # row by row.
    if look_back is None:
        look_back = as_of - timedelta(days=LOOKBACK_DAYS)
    lookback_start = min(period_start, look_back)
    since = lookback_start.isoformat()
    real: dict[int, tuple[date, int, date | None]] = {}
    for r in await db.fetchall(
        "SELECT r.project_id, MAX(r.report_date) AS last_day,"
        " SUM(r.report_date >= ?) AS in_period,"
        " MIN(CASE WHEN r.report_date >= ? THEN r.report_date END) AS first_in_period"
        " FROM reports r JOIN report_revisions v"
        " ON v.report_id = r.id AND v.revision ="
        " (SELECT MAX(revision) FROM report_revisions WHERE report_id = r.id)"
        " WHERE r.report_date BETWEEN ? AND ? AND v.real_progress = 1"
        + where.replace("p.id", "r.project_id")
        + " GROUP BY r.project_id",
        [period_start.isoformat(), period_start.isoformat(), since, as_of.isoformat(), *params],
    ):
        real[r["project_id"]] = (
            date.fromisoformat(r["last_day"]),
            r["in_period"],
            _d(r["first_in_period"]),
        )
    nodes: dict[int, list[Milestone]] = defaultdict(list)
    for r in await db.fetchall(
        "SELECT project_id, name, due, done_on FROM milestones WHERE 1=1" + only, params
    ):
        nodes[r["project_id"]].append(Milestone(r["name"], _d(r["due"]), _d(r["done_on"])))
    issues: dict[int, list[ProblemFacts]] = defaultdict(list)
    deadline = "deadline" if await _has_column(db, "problems", "deadline") else "NULL"
    for r in await db.fetchall(
        f"SELECT project_id, created_at, {deadline} AS deadline, closed_at FROM problems"
        " WHERE 1=1" + only,
        params,
    ):
        created = _day(r["created_at"], tz)
        if created > as_of:
            continue
        closed = _day(r["closed_at"], tz) if r["closed_at"] else None
        issues[r["project_id"]].append(ProblemFacts(created, _d(r["deadline"]), closed))

    span = (as_of - lookback_start).days + 1
    days = (lookback_start + timedelta(days=i) for i in range(span))
    workdays = [d for d in days if calendar.is_workday(d)]
    in_period = period_workdays(workdays, period_start, as_of)
    facts = []
    for p in projects:
        last_real, real_in_period, first_real = real.get(p["id"], (None, 0, None))
        entered = _day(p["created_at"], tz)
        # Beyond the look back a project is long silent: count from its start at most.
        silent = silent_workdays(workdays, as_of, last_real, max(entered, lookback_start),
                                 day_over=day_over)  # fmt: skip
        owed = owed_workdays(workdays, period_start, as_of, entered, first_real == entered)
        if p["id"] in done_at:
            done = done_at[p["id"]]
        elif p["id"] in later:
            done = 0  # reported after as_of but not before it this year
        else:
            done = p["done_yuan"] if p["done_year"] in (as_of.year, None) else 0
        facts.append(
            ProjectFacts(
                project_id=p["id"], code=p["code"], name=p["name"], unit=p["unit"],
                group=unit_groups.get(p["kind"], p["kind"]), total_yuan=p["total_yuan"],
                year_plan_yuan=p["year_plan_yuan"],
                monthly_plan_yuan=tuple(months[p["id"]]) if p["id"] in months else None,
                done_yuan=done, stage=parse_stage(p["stage"] or ""),
                planned_start=_d(p["planned_start"]), actual_start=_d(p["actual_start"]),
                planned_completion=_d(p["planned_completion"]),
                actual_completion=_d(p["actual_completion"] or p["actual_operation"]),
                milestones=tuple(nodes.get(p["id"], ())),
                problems=tuple(issues.get(p["id"], ())),
                last_real_progress=last_real,
                workdays_since_real_progress=silent,
                real_progress_days=real_in_period,
                workdays=owed,
                period_workdays=in_period,
                entered=entered,
                last_report=_d(p["last_report"]),
            )
        )  # fmt: skip
    return facts


async def _has_column(db: Database | Tx, table: str, column: str) -> bool:
    rows = await db.fetchall(f"PRAGMA table_info({table})")
    return any(r["name"] == column for r in rows)
