"""Projects as admins keep them and leaders read them: the list, /addproject, /editproject,
/milestone, and the statuses recomputed after each change.

Every change is checked (admins only, at the action), validated against the domain's rules,
stored and audit-logged in one transaction; then the statuses of the projects concerned are
recomputed (a failure there is logged: the change is saved, and the next daily run
recomputes them anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from config import Config
from domain.money import AmountError, parse_amount
from domain.project_import import ProjectRow
from domain.stages import CATEGORIES, STAGE_ORDER, parse_category, parse_stage
from ranking.service import refresh_statuses
from services import access
from services.refusal import ADMINS_ONLY, Refusal
from services.workdays import work_calendar
from storage import Database, audit, milestones, projects
from storage.people import Person
from storage.projects import Project, ProjectLine

log = logging.getLogger(__name__)
MAX_TEXT = 100  # a name, unit, leader or milestone as stored
# What an admin may change with /editproject, by the word they type.
FIELDS = {
    "名称": "name", "单位": "unit", "类别": "category", "阶段": "stage", "总投资": "total",
    "年度计划": "plan", "包抓领导": "leader", "累计完成": "done",
}  # fmt: skip


async def listing(db: Database, person: Person, narrow: str | None = None) -> list[ProjectLine]:
    """The projects the person may read, by unit, with liaisons and last report; `narrow`
    keeps one unit's (by name) or one project (by code)."""
    lines = await projects.listing(db)
    in_view = await access.projects_in_view(db, person)
    if in_view is not None:
        own = set(in_view)
        lines = [line for line in lines if line.project.id in own]
    if narrow:
        lines = [ln for ln in lines if narrow in (ln.project.unit, ln.project.code)]
    return lines


async def refresh_after_change(
    db: Database, codes: Sequence[str] | None, today: date, config: Config
) -> None:
    """Recompute the status of the projects an admin just changed (None: every project)."""
    try:
        ids = None
        if codes is not None:
            found = [await projects.by_code(db, code) for code in codes]
            ids = [p.id for p in found if p is not None]
        await refresh_statuses(db, ids, today, await work_calendar(db), config.bot.timezone,
                               config.thresholds)  # fmt: skip
    except Exception:
        log.exception("statuses of %s not refreshed", codes or "every project")


def _bad_category(value: str) -> Refusal:
    return Refusal.of("projects.bad_category", value=value[:20], allowed="、".join(CATEGORIES))


def _bad_stage() -> Refusal:
    return Refusal.of("report.refuse_stage_unknown", stages="、".join(STAGE_ORDER))


def _bad_amount(error: AmountError) -> Refusal:
    return Refusal.of("projects.bad_amount", reason=error.reason)


@dataclass(frozen=True)
class NewProject:
    """/addproject's words as typed."""

    code: str
    name: str
    unit: str
    category: str
    stage: str
    total: str
    plan: str
    leader: str | None = None


@dataclass(frozen=True)
class Added:
    code: str
    name: str
    unit: str
    total_yuan: int
    plan_yuan: int


async def add(
    db: Database, actor: Person, new: NewProject, *, now: datetime, today: date, config: Config
) -> Added | Refusal:
    """Add one project (its status row enters the ledger 未上报 with it)."""
    if not actor.is_admin:
        return ADMINS_ONLY
    category, stage = parse_category(new.category), parse_stage(new.stage)
    if category is None:
        return _bad_category(new.category)
    if stage is None:
        return _bad_stage()
    try:
        total, plan = parse_amount(new.total), parse_amount(new.plan)
    except AmountError as error:
        return _bad_amount(error)
    if total.incremental or plan.incremental or plan.yuan > total.yuan or total.yuan == 0:
        return Refusal.of("projects.bad_amounts")
    if await projects.by_code(db, new.code):
        return Refusal.of("projects.code_exists", code=new.code)
    row = ProjectRow(
        row=0, code=new.code, name=new.name, unit=new.unit, category=category, stage=stage,
        leader=new.leader, total_yuan=total.yuan, year_plan_yuan=plan.yuan,
        monthly_plan_yuan=None, build_type=None, liaison=None, extra={},
    )  # fmt: skip
    async with db.transaction() as tx:
        await projects.upsert_imported(tx, [row], today.year, now)
        await audit.record(tx, actor.id, "project.add", code=new.code)
    await refresh_after_change(db, [new.code], today, config)
    return Added(new.code, new.name, new.unit, total.yuan, plan.yuan)


@dataclass(frozen=True)
class Edited:
    code: str
    word: str  # the field as the admin named it (名称, 总投资 ...)
    value: str | int  # as stored: text, or money in 元


def _edit_value(field: str, raw: str, project: Project) -> str | int | Refusal:
    """A typed value for a field, checked: text, a stage's name, or money in 元."""
    if field in ("name", "unit", "leader"):
        return raw[:MAX_TEXT] if raw.strip() else Refusal.of("projects.empty_value")
    if field == "category":
        return parse_category(raw) or _bad_category(raw)
    if field == "stage":
        stage = parse_stage(raw)
        return str(stage) if stage else _bad_stage()
    try:
        amount = parse_amount(raw)
    except AmountError as error:
        return _bad_amount(error)
    if amount.incremental or (field == "plan" and amount.yuan > project.total_yuan):
        return Refusal.of("projects.bad_amounts")
    return amount.yuan


async def edit(
    db: Database, actor: Person, code: str, word: str, raw: str, *, today: date, config: Config
) -> Edited | Refusal:
    """Change one field of a project (/editproject); only here can a stage move backward."""
    if not actor.is_admin:
        return ADMINS_ONLY
    if word not in FIELDS:
        return Refusal.of("projects.edit_usage", fields="、".join(FIELDS))
    project = await projects.by_code(db, code)
    if project is None:
        return Refusal.of("projects.unknown_code", code=code[:40])
    field = FIELDS[word]
    value = _edit_value(field, raw, project)
    if isinstance(value, Refusal):
        return value
    async with db.transaction() as tx:
        if field == "unit":
            assert isinstance(value, str)
            await projects.set_unit(tx, project.id, value)
        else:
            await projects.update_field(tx, project.id, field, value, today.year)
        await audit.record(
            tx, actor.id, "project.edit", code=project.code, field=field, value=value
        )
    await refresh_after_change(db, [project.code], today, config)
    return Edited(project.code, word, value)


@dataclass(frozen=True)
class MilestoneAdded:
    code: str
    name: str
    due: date


async def add_milestone(
    db: Database, actor: Person, code: str, name: str, due: date, *, today: date, config: Config
) -> MilestoneAdded | Refusal:
    """Add a node to a project's schedule, or re-date the one of that name (/milestone)."""
    if not actor.is_admin:
        return ADMINS_ONLY
    project = await projects.by_code(db, code)
    if project is None:
        return Refusal.of("projects.unknown_code", code=code[:40])
    name = name[:MAX_TEXT]
    async with db.transaction() as tx:
        await milestones.add(tx, project.id, name, due)
        await audit.record(tx, actor.id, "milestone.add", code=project.code, name=name,
                           due=due.isoformat())  # fmt: skip
    await refresh_after_change(db, [project.code], today, config)
    return MilestoneAdded(project.code, name, due)
