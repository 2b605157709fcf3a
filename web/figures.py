"""What the overview and the unit pages show, derived from a snapshot by the bot's own rules.

Statuses are the stored ones (what /status shows); a project without one is 未上报, never
green. Scores, ranks, flags and changes are the Week that /rank computes. Reporting today is
counted the way the 18:00 board counts it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from domain.plan import planned_to_date
from domain.ranking import Ranked
from domain.scoring import Explanation
from domain.stages import STAGE_ORDER
from domain.status import GREEN, RED, UNREPORTED, YELLOW, ProjectFacts
from storage import Database, dashboard
from storage.dashboard import WeekScore
from web.access import Viewer
from web.snapshot import Snapshot

COLORS = (RED, YELLOW, GREEN, UNREPORTED)  # worst first, as the pages list them
NO_STAGE = ""
TABLE_PAGE = 50  # projects per page of a project table (a unit may have hundreds)


@dataclass(frozen=True)
class Money:
    """Investment this year, in 元: completed, the year's plan, and planned to date (序时)."""

    done: int = 0
    plan: int = 0
    to_date: int = 0

    def __add__(self, other: Money) -> Money:
        return Money(self.done + other.done, self.plan + other.plan, self.to_date + other.to_date)

    @property
    def done_share(self) -> float | None:
        """Completed / year plan."""
        return self.done / self.plan if self.plan else None

    @property
    def schedule_share(self) -> float | None:
        """序时进度: planned to date / year plan."""
        return self.to_date / self.plan if self.plan else None

    @property
    def ratio(self) -> float | None:
        """Completed / planned to date (1.0 = on schedule)."""
        return self.done / self.to_date if self.to_date else None

    @property
    def behind(self) -> bool:
        return self.to_date > 0 and self.done < self.to_date


def money_of(f: ProjectFacts, day: date) -> Money:
    return Money(f.done_yuan, f.year_plan_yuan,
                 planned_to_date(f.year_plan_yuan, f.monthly_plan_yuan, day))  # fmt: skip


def color_of(snap: Snapshot, project_id: int) -> str:
    found = snap.statuses.get(project_id)
    return found.color if found else UNREPORTED


def color_counts(snap: Snapshot, items: list[ProjectFacts]) -> dict[str, int]:
    counts = Counter(color_of(snap, f.project_id) for f in items)
    return {c: counts.get(c, 0) for c in COLORS}


@dataclass(frozen=True)
class Board:
    """Today's reporting of a unit, as its 18:00 board counts it."""

    reported: int
    total: int
    cleared: bool  # 清零: every project reported, or its liaisons are on leave


def boards(snap: Snapshot) -> dict[str, Board]:
    """unit name → today's board figures, for every unit with projects."""
    liaisons: dict[int, list[int]] = defaultdict(list)
    for a in snap.assignments:
        liaisons[a.project_id].append(a.person_id)
    by_unit: dict[str, list[ProjectFacts]] = defaultdict(list)
    for f in snap.facts:
        by_unit[f.unit].append(f)
    found = {}
    for unit, items in by_unit.items():
        reported = [f for f in items if f.project_id in snap.reported_today]
        waiting = [
            f for f in items
            if f.project_id not in snap.reported_today
            # a project with nobody to report it is missing too (the board's 无联络员 line)
            and (not liaisons[f.project_id]
                 or any(p not in snap.away for p in liaisons[f.project_id]))
        ]  # fmt: skip
        found[unit] = Board(len(reported), len(items), not waiting)
    return found


@dataclass(frozen=True)
class UnitLine:
    unit_id: int
    name: str
    group: str
    projects: int
    colors: dict[str, int]
    money: Money
    board: Board
    rank: Ranked | None  # this week
    last_rank: Ranked | None  # last week


@dataclass(frozen=True)
class GroupRanking:
    group: str
    this_week: list[Ranked]
    last_week: list[Ranked]


@dataclass(frozen=True)
class Overview:
    snap: Snapshot
    workday: bool
    projects: int
    colors: dict[str, int]
    stages: list[tuple[str, int]]
    money: Money
    rankings: list[GroupRanking]
    units: list[UnitLine]
    reported: int
    total: int
    not_cleared: list[UnitLine] = field(default_factory=list)


def unit_lines(snap: Snapshot) -> list[UnitLine]:
    """Every unit with projects, by name (derived once per snapshot)."""
    if "units" not in snap.derived:
        snap.derived["units"] = _unit_lines(snap)
    return snap.derived["units"]


def _unit_lines(snap: Snapshot) -> list[UnitLine]:
    by_unit: dict[str, list[ProjectFacts]] = defaultdict(list)
    for f in snap.facts:
        by_unit[f.unit].append(f)
    this = {r.subject: r for r in snap.week.unit_ranks}
    last = {r.subject: r for r in snap.last_week.unit_ranks}
    day_boards = boards(snap)
    lines = []
    for unit in sorted(by_unit):
        items = by_unit[unit]
        money = sum((money_of(f, snap.today) for f in items), Money())
        lines.append(
            UnitLine(snap.unit_ids.get(unit, 0), unit, items[0].group, len(items),
                     color_counts(snap, items), money, day_boards[unit], this.get(unit),
                     last.get(unit))
        )  # fmt: skip
    return lines


def _groups(ranks: list[Ranked]) -> dict[str, list[Ranked]]:
    found: dict[str, list[Ranked]] = defaultdict(list)
    for r in ranks:
        found[r.group].append(r)
    return found


def overview(snap: Snapshot) -> Overview:
    """The overview's figures (derived once per snapshot)."""
    if "overview" not in snap.derived:
        snap.derived["overview"] = _overview(snap)
    return snap.derived["overview"]


def _overview(snap: Snapshot) -> Overview:
    units = unit_lines(snap)
    stages = Counter(str(f.stage) if f.stage else NO_STAGE for f in snap.facts)
    ordered = [(s.value, stages[s.value]) for s in STAGE_ORDER if stages.get(s.value)]
    if stages.get(NO_STAGE):
        ordered.append((NO_STAGE, stages[NO_STAGE]))
    this, last = _groups(snap.week.unit_ranks), _groups(snap.last_week.unit_ranks)
    rankings = [GroupRanking(g, this.get(g, []), last.get(g, [])) for g in sorted({*this, *last})]
    return Overview(
        snap=snap,
        workday=snap.calendar.is_workday(snap.today),
        projects=len(snap.facts),
        colors=color_counts(snap, snap.facts),
        stages=ordered,
        money=sum((u.money for u in units), Money()),
        rankings=rankings,
        units=units,
        reported=sum(u.board.reported for u in units),
        total=sum(u.board.total for u in units),
        not_cleared=[u for u in units if not u.board.cleared],
    )


@dataclass(frozen=True)
class ProjectLine:
    facts: ProjectFacts
    color: str
    reasons: tuple[str, ...]
    last_report: date | None
    money: Money
    open_problems: int
    overdue_milestones: list[str]
    rank: Ranked | None


def project_lines(snap: Snapshot, items: list[ProjectFacts]) -> list[ProjectLine]:
    """Lines of a project table, worst status first, then by code."""
    ranks = {r.subject: r for r in snap.week.project_ranks}
    lines = []
    for f in items:
        st = snap.statuses.get(f.project_id)
        lines.append(
            ProjectLine(
                f, st.color if st else UNREPORTED, st.reasons if st else (),
                f.last_report, money_of(f, snap.today),
                sum(1 for p in f.problems if p.closed_on is None),
                [m.name for m in f.milestones if m.done_on is None and m.due < snap.today],
                ranks.get(f.code),
            )
        )  # fmt: skip
    lines.sort(key=lambda line: (COLORS.index(line.color), line.facts.code))
    return lines


@dataclass(frozen=True)
class Table:
    """One page of a project table, worst status first."""

    lines: list[ProjectLine]
    total: int
    page: int
    pages: int


def table(snap: Snapshot, items: list[ProjectFacts], page: int) -> Table:
    """Page `page` of these projects, worst status first."""
    ordered = sorted(
        items, key=lambda f: (COLORS.index(color_of(snap, f.project_id)), f.code)
    )  # the same order project_lines keeps
    pages = max(1, -(-len(ordered) // TABLE_PAGE))
    page = min(max(page, 1), pages)
    shown = ordered[(page - 1) * TABLE_PAGE : page * TABLE_PAGE]
    return Table(project_lines(snap, shown), len(ordered), page, pages)


@dataclass(frozen=True)
class UnitPage:
    line: UnitLine
    projects: Table
    hidden: int  # projects of the unit outside the viewer's scope (a leader sees counts only)
    history: list[WeekScore]
    explanation: Explanation | None


async def unit_page(
    db: Database, snap: Snapshot, viewer: Viewer, unit_id: int, page: int
) -> UnitPage | None:
    """A unit's page for this viewer; None when the unit has no projects (a 404)."""
    line = next((u for u in unit_lines(snap) if u.unit_id == unit_id), None)
    if line is None:
        return None
    items = [f for f in snap.facts if f.unit == line.name]
    visible = [f for f in items if viewer.sees_project(f.project_id)]
    return UnitPage(
        line=line,
        projects=table(snap, visible, page),
        hidden=len(items) - len(visible),
        history=await dashboard.score_history(db, "unit", unit_id),
        explanation=snap.week.units.get(line.name),
    )


def own_projects(snap: Snapshot, viewer: Viewer, page: int) -> Table:
    """The viewer's own projects (a leader's or a liaison's), as a table."""
    items = [f for f in snap.facts if f.project_id in viewer.own_projects]
    return table(snap, items, page)
