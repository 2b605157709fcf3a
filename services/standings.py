"""Standings: a week's scores, and where one project or unit stands, as /rank, /why and
/status read them.

Who may read what is checked here, at the action: admins and leaders read the rankings and any
unit's aggregate (as public inside the city as /rank); a project's card and explanation only
those who may read that project (services.access.sees_project).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from config import Config
from domain.status import COLORS, UNREPORTED, ProjectFacts, Status
from ranking.service import Week, score_week
from services import access
from services.refusal import Refusal
from services.workdays import work_calendar
from storage import Database, facts, milestones, projects, snapshots
from storage.milestones import Milestone
from storage.people import Person
from storage.projects import Project

TREND_WEEKS = 4
READERS_ONLY = Refusal.of("common.denied_readers")


async def week(
    db: Database, person: Person, as_of: date, *, today: date, config: Config
) -> Week | Refusal:
    """The week ending `as_of` scored and ranked. A finished week is kept as a snapshot; the
    current one is scored live, not saved."""
    if not access.holds(person, access.READERS):
        return READERS_ONLY
    return await score_week(db, as_of, await work_calendar(db), config.bot.timezone,
                            config.scoring, save=as_of < today)  # fmt: skip


@dataclass(frozen=True)
class Subject:
    """What a /why or /status asks about: one project, or one unit."""

    project: Project | None = None
    unit: str | None = None


async def subject(db: Database, person: Person, word: str) -> Subject | Refusal:
    """The project (by code) or unit (by name) a word names, if the person may read it."""
    if not access.holds(person, access.READERS):
        return READERS_ONLY
    project = await projects.by_code(db, word)
    if project is not None:
        if not await access.sees_project(db, person, project.id):
            return Refusal.of("status.not_yours", code=word[:40])
        return Subject(project=project)
    if await projects.unit_by_name(db, word) is not None:
        return Subject(unit=word)
    return Refusal.of("why.unknown", value=word[:40])


@dataclass(frozen=True)
class ProjectStanding:
    """One project now (its facts today, its stored status) and in the asked week."""

    facts: ProjectFacts
    status: Status | None  # None: never assessed (未上报)
    score: float | None  # the week's score; None when it was not scored
    milestones: list[Milestone]
    trend: list[tuple[str, float]]  # the last saved weeks' (period, score), oldest first


async def project_standing(
    db: Database, scored: Week, project_id: int, *, today: date, config: Config
) -> ProjectStanding:
    """A readable project's card (the caller has its Subject from `subject`)."""
    calendar = await work_calendar(db)
    (found,) = await facts.load(db, today, today, calendar, config.bot.timezone, [project_id],
                                config.scoring.unit_groups)  # fmt: skip
    score = next((e.score for f, e in scored.projects if f.project_id == project_id), None)
    trend = await snapshots.trend(db, project_id, TREND_WEEKS)
    return ProjectStanding(found, scored.statuses.get(project_id), score,
                           await milestones.of_project(db, project_id),
                           list(reversed(trend)))  # fmt: skip


@dataclass(frozen=True)
class UnitStanding:
    unit: str
    projects: int
    colors: dict[str, int]  # every colour and 未上报, counted over the unit's projects
    score: float | None  # the week's score; None when it was not scored


async def unit_standing(db: Database, scored: Week, unit: str) -> UnitStanding:
    """Every project of the unit counted by colour (未上报 apart), and the week's score."""
    mine = await projects.of_unit(db, await projects.unit_by_name(db, unit) or 0)
    colors = Counter(scored.statuses[p.id].color if p.id in scored.statuses else UNREPORTED
                     for p in mine)  # fmt: skip
    explained = scored.units.get(unit)
    return UnitStanding(unit, len(mine), {c: colors[c] for c in (*COLORS, UNREPORTED)},
                        explained.score if explained else None)  # fmt: skip
