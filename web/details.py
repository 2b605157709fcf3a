"""What the project page and the problem ledger show: figures, history, problems, photos."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain import problem_flow as flow
from domain.ranking import Ranked
from domain.scoring import Explanation
from domain.status import UNREPORTED, ProjectFacts, judged_plan
from scheduler import escalation
from storage import Database, dashboard, milestones, problem_events, problems
from storage.dashboard import Entry, Photo, WeekScore
from storage.milestones import Milestone
from storage.problem_events import Event
from storage.problems import Problem
from storage.projects import Project, by_id
from timeutil import local_date
from web.access import Viewer
from web.figures import Money, money_of
from web.snapshot import Snapshot

HISTORY_DAYS = 30  # report days per page of a project's history
LEDGER_PAGE = 100  # problems per page of the ledger
EPOCH = date(2000, 1, 1)
PAGE = 1000


@dataclass(frozen=True)
class ProblemLine:
    problem: Problem
    age: int  # days since raised
    late_reply: bool  # the department has not answered in time
    late: bool  # past its deadline, not done
    events: list[Event]


@dataclass(frozen=True)
class ProjectPage:
    project: Project
    facts: ProjectFacts
    color: str
    reasons: tuple[str, ...]
    money: Money
    judged: bool  # the plan to date is large enough for the investment check (as /status)
    milestones: list[Milestone]
    entries: list[Entry]
    older: date | None  # the "earlier reports" link starts before this day
    report_days: int
    photos: list[Photo]
    problems: list[ProblemLine]
    explanation: Explanation | None
    rank: Ranked | None
    history: list[WeekScore]


async def project_page(
    db: Database, snap: Snapshot, viewer: Viewer, project_id: int, before: date | None
) -> ProjectPage | None:
    """The project's page; None when it does not exist or is outside the viewer's scope."""
    if not viewer.sees_project(project_id):
        return None
    project = await by_id(db, project_id)
    f = snap.facts_of(project_id)
    if project is None or f is None:
        return None
    st = snap.statuses.get(project_id)
    entries = await dashboard.report_history(db, project_id, before, HISTORY_DAYS)
    days = sorted({e.report_date for e in entries})
    explained = next((e for pf, e in snap.week.projects if pf.project_id == project_id), None)
    return ProjectPage(
        project=project,
        facts=f,
        color=st.color if st else UNREPORTED,
        reasons=st.reasons if st else (),
        money=money_of(f, snap.today),
        judged=judged_plan(f, snap.today) is not None,
        milestones=await milestones.of_project(db, project_id),
        entries=entries,
        older=days[0] if len(days) == HISTORY_DAYS else None,
        report_days=await dashboard.report_day_count(db, project_id),
        photos=await dashboard.photos_of(db, project_id),
        problems=await problem_lines(db, snap, await _problems_of(db, [project_id]), True),
        explanation=explained,
        rank=next((r for r in snap.week.project_ranks if r.subject == f.code), None),
        history=await dashboard.score_history(db, "project", project_id),
    )


async def _problems_of(db: Database, project_ids: list[int] | None) -> list[Problem]:
    """Every problem of these projects (None: all), closed ones included, by id."""
    found: list[Problem] = []
    after = 0
    while True:
        # The export's reader: problems raised by the end of the period and not closed before
        # its start; a period from 2000 to the far future is "every problem".
        page = await problems.page(db, project_ids, EPOCH, date.max - timedelta(days=1), after,
                                   PAGE)  # fmt: skip
        found += page
        if len(page) < PAGE:
            return found
        after = page[-1].id


async def problem_lines(
    db: Database, snap: Snapshot, items: list[Problem], with_history: bool
) -> list[ProblemLine]:
    """Age and overdue marks as /problems shows them; newest first."""
    tz = snap.tz
    reply_n = await escalation.workdays_setting(db, escalation.REPLY_KEY, escalation.DEFAULT_REPLY)
    histories = await problem_events.histories(db, [p.id for p in items]) if with_history else {}
    lines = []
    for p in items:
        assigned = local_date(p.assigned_at, tz) if p.assigned_at else None
        late_reply, late = flow.overdue(
            flow.Standing(p.state, assigned, p.deadline), snap.today, snap.calendar, reply_n
        )
        age = max((snap.today - local_date(p.created_at, tz)).days, 0)
        lines.append(ProblemLine(p, age, late_reply, late, histories.get(p.id, [])))
    lines.sort(key=lambda line: -line.problem.id)
    return lines


@dataclass(frozen=True)
class Filters:
    state: str = ""
    unit: int = 0
    department: int = 0
    page: int = 1


@dataclass(frozen=True)
class Ledger:
    lines: list[ProblemLine]  # this page's
    matching: int  # after filters
    total: int  # in scope, before filters
    pages: int
    states: list[str]
    units: list[tuple[int, str]]  # the filter choices, from the problems in scope
    departments: list[tuple[int, str]]
    filters: Filters


async def ledger(db: Database, snap: Snapshot, viewer: Viewer, filters: Filters) -> Ledger:
    """Every problem the viewer may see, filtered; the choices come from what is in scope."""
    if viewer.is_admin:
        items = await _problems_of(db, None)
    else:
        mine = sorted(viewer.own_projects)
        items = await _problems_of(db, mine) if mine else []
        if viewer.departments:
            seen = {p.id for p in items}
            items += [p for p in await _problems_of(db, None)
                      if p.department_id in viewer.departments and p.id not in seen]  # fmt: skip
    units = sorted({(p.unit_id, p.unit) for p in items}, key=lambda u: u[1])
    departments = sorted(
        {(p.department_id, p.department or "") for p in items if p.department_id},
        key=lambda d: d[1],
    )
    chosen = [
        p for p in items
        if (not filters.state or p.state == filters.state)
        and (not filters.unit or p.unit_id == filters.unit)
        and (not filters.department or p.department_id == filters.department)
    ]  # fmt: skip
    chosen.sort(key=lambda p: -p.id)
    pages = max(1, -(-len(chosen) // LEDGER_PAGE))
    first = (min(filters.page, pages) - 1) * LEDGER_PAGE
    shown = await problem_lines(db, snap, chosen[first : first + LEDGER_PAGE], False)
    return Ledger(shown, len(chosen), len(items), pages, list(flow.STATES), units, departments,
                  filters)  # fmt: skip


async def problem_detail(
    db: Database, snap: Snapshot, viewer: Viewer, problem_id: int
) -> ProblemLine | None:
    found = await problems.by_id(db, problem_id)
    if found is None or not viewer.sees_problem(found):
        return None
    return (await problem_lines(db, snap, [found], True))[0]
