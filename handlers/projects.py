"""/projects, /addproject, /editproject: the project list as admins and leaders see it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from domain.dates import parse_day
from domain.money import AmountError, format_wan, parse_amount
from domain.project_import import ProjectRow
from domain.stages import CATEGORIES, STAGE_ORDER, parse_category, parse_stage
from handlers.common import command_args, reply, requires, svc, today
from handlers.ranking import restatus
from messages import t
from services import access
from storage import audit, milestones, projects
from storage.people import Person
from storage.projects import Project

LIST_ALL_LIMIT = 60  # more projects than this: show per-unit counts and ask for a unit


@requires("admin", "leader")
async def projects_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """Projects with liaison and last report date; `/projects 城关区` narrows to a unit."""
    db = svc(context).db
    lines_all = await projects.listing(db)
    in_view = await access.projects_in_view(db, person)
    if in_view is not None:
        own = set(in_view)
        lines_all = [line for line in lines_all if line.project.id in own]
    args = command_args(update)
    if args:
        lines_all = [
            ln for ln in lines_all if ln.project.unit == args[0] or ln.project.code == args[0]
        ]
    if not lines_all:
        await reply(update, t("projects.empty"))
        return
    day = today(context).isoformat()
    if len(lines_all) > LIST_ALL_LIMIT and not args:
        per_unit: dict[str, list[int]] = {}
        for ln in lines_all:
            counts = per_unit.setdefault(ln.project.unit, [0, 0])
            counts[0] += 1
            counts[1] += ln.last_report == day
        out = [t("projects.by_unit_title", count=len(lines_all))]
        out += [t("projects.by_unit_line", unit=u, n=n, today=r) for u, (n, r) in per_unit.items()]
        out.append(t("projects.by_unit_hint"))
        await reply(update, "\n".join(out))  # the sender splits a long list
        return
    out = [t("projects.title", count=len(lines_all))]
    unit = None
    for ln in lines_all:
        p = ln.project
        if p.unit != unit:
            unit = p.unit
            out.append(f"\n【{unit}】")
        last = (
            t("projects.today")
            if ln.last_report == day
            else (ln.last_report or t("projects.never"))
        )
        out.append(
            t(
                "projects.line",
                code=p.code,
                name=p.name,
                stage=p.stage or "—",
                liaisons=ln.liaisons or t("projects.no_liaison"),
                last=last,
            )
        )
    await reply(update, "\n".join(out))


@requires("admin")
async def addproject_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """/addproject 编号 名称 单位 类别 阶段 总投资 年度计划 [包抓领导]."""
    args = command_args(update)
    if len(args) not in (7, 8):
        await reply(update, t("projects.add_usage"))
        return
    code, name, unit, category_text, stage_text, total_text, plan_text = args[:7]
    category, stage = parse_category(category_text), parse_stage(stage_text)
    if category is None:
        await reply(
            update,
            t("projects.bad_category", value=category_text[:20], allowed="、".join(CATEGORIES)),
        )
        return
    if stage is None:
        await reply(update, t("report.refuse_stage_unknown", stages="、".join(STAGE_ORDER)))
        return
    try:
        total, plan = parse_amount(total_text), parse_amount(plan_text)
    except AmountError as exc:
        await reply(update, exc.reason)
        return
    if total.incremental or plan.incremental or plan.yuan > total.yuan or total.yuan == 0:
        await reply(update, t("projects.bad_amounts"))
        return
    db = svc(context).db
    if await projects.by_code(db, code):
        await reply(update, t("projects.code_exists", code=code))
        return
    row = ProjectRow(
        row=0, code=code, name=name, unit=unit, category=category, stage=stage,
        leader=args[7] if len(args) == 8 else None, total_yuan=total.yuan,
        year_plan_yuan=plan.yuan, monthly_plan_yuan=None, build_type=None, liaison=None,
        extra={},
    )  # fmt: skip
    async with db.transaction() as tx:
        await projects.upsert_imported(tx, [row], today(context).year, svc(context).now())
        await audit.record(tx, person.id, "project.add", code=code)
    await restatus(context, [code])
    await reply(
        update,
        t(
            "projects.added",
            code=code,
            name=name,
            unit=unit,
            total=format_wan(total.yuan),
            plan=format_wan(plan.yuan),
        ),
    )


FIELDS = {
    "名称": "name", "单位": "unit", "类别": "category", "阶段": "stage", "总投资": "total",
    "年度计划": "plan", "包抓领导": "leader", "累计完成": "done",
}  # fmt: skip


@requires("admin")
async def editproject_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """/editproject 编号 字段 新值 — admins may also move a stage backward here."""
    args = command_args(update)
    if len(args) < 3 or args[1] not in FIELDS:
        await reply(update, t("projects.edit_usage", fields="、".join(FIELDS)))
        return
    db = svc(context).db
    project = await projects.by_code(db, args[0])
    if project is None:
        await reply(update, t("projects.unknown_code", code=args[0][:40]))
        return
    field, raw = FIELDS[args[1]], " ".join(args[2:])
    value, error = _edit_value(field, raw, project)
    if error:
        await reply(update, error)
        return
    async with db.transaction() as tx:
        if field == "unit":
            await projects.set_unit(tx, project.id, value)
        else:
            await projects.update_field(tx, project.id, field, value, today(context).year)
        await audit.record(
            tx, person.id, "project.edit", code=project.code, field=field, value=value
        )
    await restatus(context, [project.code])
    shown = format_wan(value) if isinstance(value, int) else value
    await reply(update, t("projects.edited", code=project.code, field=args[1], value=shown))


def _edit_value(field: str, raw: str, project: Project) -> tuple[object, str | None]:
    """Validate a typed value for a field; return (value, None) or (None, Chinese error)."""
    if field in ("name", "unit", "leader"):
        return (raw[:100], None) if raw.strip() else (None, t("projects.empty_value"))
    if field == "category":
        value = parse_category(raw)
        return (
            (value, None)
            if value
            else (None, t("projects.bad_category", value=raw[:20], allowed="、".join(CATEGORIES)))
        )
    if field == "stage":
        stage = parse_stage(raw)
        return (
            (str(stage), None)
            if stage
            else (None, t("report.refuse_stage_unknown", stages="、".join(STAGE_ORDER)))
        )
    try:
        amount = parse_amount(raw)
    except AmountError as exc:
        return None, exc.reason
    if amount.incremental:
        return None, t("projects.bad_amounts")
    if field == "plan" and amount.yuan > project.total_yuan:
        return None, t("projects.bad_amounts")
    return amount.yuan, None


@requires("admin")
async def milestone_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """/milestone 编号 节点名称 完成时限 — add a node (or re-date one) from chat."""
    args = command_args(update)
    due = parse_day(args[-1], today(context)) if len(args) >= 3 else None
    if due is None:
        await reply(update, t("projects.milestone_usage"))
        return
    db = svc(context).db
    project = await projects.by_code(db, args[0])
    if project is None:
        await reply(update, t("projects.unknown_code", code=args[0][:40]))
        return
    name = " ".join(args[1:-1])[:100]
    async with db.transaction() as tx:
        await milestones.add(tx, project.id, name, due)
        await audit.record(tx, person.id, "milestone.add", code=project.code, name=name,
                           due=due.isoformat())  # fmt: skip
    await restatus(context, [project.code])
    await reply(update, t("projects.milestone_added", code=project.code, name=name,
                          due=due.isoformat()))  # fmt: skip


def register(app: Application) -> None:
    app.add_handler(CommandHandler("projects", projects_command))
    app.add_handler(CommandHandler("addproject", addproject_command))
    app.add_handler(CommandHandler("editproject", editproject_command))
    app.add_handler(CommandHandler("milestone", milestone_command))
