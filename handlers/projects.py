"""/projects, /addproject, /editproject, /milestone: the project list as admins and leaders
see it, and admins' changes (services.projects decides and stores)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from domain.dates import parse_day
from domain.money import format_wan
from handlers.common import command_args, refuse, reply, requires
from handlers.context import Context
from messages import t
from services import projects as service
from services.projects import FIELDS, NewProject
from services.refusal import Refusal
from storage.people import Person

LIST_ALL_LIMIT = 60  # more projects than this: show per-unit counts and ask for a unit


@requires("admin", "leader")
async def projects_command(update: Update, context: Context, person: Person) -> None:
    """Projects with liaison and last report date; `/projects 城关区` narrows to a unit."""
    args = command_args(update)
    lines_all = await service.listing(context.db, person, args[0] if args else None)
    if not lines_all:
        await reply(update, t("projects.empty"))
        return
    day = context.today().isoformat()
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
async def addproject_command(update: Update, context: Context, person: Person) -> None:
    """/addproject 编号 名称 单位 类别 阶段 总投资 年度计划 [包抓领导]."""
    args = command_args(update)
    if len(args) not in (7, 8):
        await reply(update, t("projects.add_usage"))
        return
    new = NewProject(*args[:7], leader=args[7] if len(args) == 8 else None)
    added = await service.add(
        context.db, person, new, now=context.now(), today=context.today(), config=context.config
    )
    if isinstance(added, Refusal):
        await refuse(update, added)
        return
    await reply(
        update,
        t(
            "projects.added",
            code=added.code,
            name=added.name,
            unit=added.unit,
            total=format_wan(added.total_yuan),
            plan=format_wan(added.plan_yuan),
        ),
    )


@requires("admin")
async def editproject_command(update: Update, context: Context, person: Person) -> None:
    """/editproject 编号 字段 新值 — admins may also move a stage backward here."""
    args = command_args(update)
    if len(args) < 3 or args[1] not in FIELDS:
        await reply(update, t("projects.edit_usage", fields="、".join(FIELDS)))
        return
    edited = await service.edit(context.db, person, args[0], args[1], " ".join(args[2:]),
                                today=context.today(), config=context.config)  # fmt: skip
    if isinstance(edited, Refusal):
        await refuse(update, edited)
        return
    shown = format_wan(edited.value) if isinstance(edited.value, int) else edited.value
    await reply(update, t("projects.edited", code=edited.code, field=edited.word, value=shown))


@requires("admin")
async def milestone_command(update: Update, context: Context, person: Person) -> None:
    """/milestone 编号 节点名称 完成时限 — add a node (or re-date one) from chat."""
    args = command_args(update)
    due = parse_day(args[-1], context.today()) if len(args) >= 3 else None
    if due is None:
        await reply(update, t("projects.milestone_usage"))
        return
    added = await service.add_milestone(context.db, person, args[0], " ".join(args[1:-1]), due,
                                        today=context.today(), config=context.config)  # fmt: skip
    if isinstance(added, Refusal):
        await refuse(update, added)
        return
    await reply(update, t("projects.milestone_added", code=added.code, name=added.name,
                          due=added.due.isoformat()))  # fmt: skip


def register(app: Application) -> None:
    app.add_handler(CommandHandler("projects", projects_command))
    app.add_handler(CommandHandler("addproject", addproject_command))
    app.add_handler(CommandHandler("editproject", editproject_command))
    app.add_handler(CommandHandler("milestone", milestone_command))
