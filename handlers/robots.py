"""/robots: admins see each group robot's pushes, last delivery and failures, and send a test."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from handlers.common import command_args, reply, requires
from handlers.context import Context
from messages import catalog, t
from robots import RobotService
from storage import robots as robot_store
from storage.people import Person
from timeutil import show

TEST_WORDS = {"test", "测试"}


@requires("admin")
async def robots_command(update: Update, context: Context, person: Person) -> None:
    """/robots, or /robots 测试 <name>."""
    args = command_args(update)
    service = context.bot_data.robots
    if service is None or not service.workers:
        await reply(update, t("robots.none"))
        return
    if args and args[0].lower() in TEST_WORDS:
        await _test(update, context, service, " ".join(args[1:]))
        return
    await reply(update, "\n".join(await _lines(context, service)))


async def _lines(context: Context, service: RobotService) -> list[str]:
    s = context.services
    tz = s.config.bot.timezone
    lines = [t("robots.title", n=len(service.workers))]
    for worker in service.workers.values():
        robot = worker.robot
        standing = await robot_store.standing(s.db, worker.id)
        last = t("robots.never")
        if standing.last_sent is not None and standing.last_kind is not None:
            last = t("robots.last", time=show(standing.last_sent, tz), period=standing.last_period,
                     what=_what(standing.last_kind))  # fmt: skip
        states = []
        if worker.paused_until is not None and worker.paused_until > s.now():
            states.append(t("robots.paused", time=show(worker.paused_until, tz, "%H:%M")))
        if standing.pending:
            states.append(t("robots.pending", n=standing.pending))
        if standing.failed and standing.failed_at is not None:
            states.append(t("robots.failed", n=standing.failed, at=show(standing.failed_at, tz),
                            error=standing.last_error or "-"))  # fmt: skip
        lines.append(t("robots.line", name=robot.name, kind=t(f"robots.kind_{robot.kind}"),
                       unit=t("robots.unit", unit=robot.unit) if robot.unit else "",
                       pushes="、".join(t(f"robots.push_{p}") for p in robot.pushes),
                       last=last, state="；".join(states) or t("robots.ok")))  # fmt: skip
    lines.append(t("robots.hint"))
    return lines


def _what(kind: str) -> str:
    """robot:week_units:county → 单位排名图."""
    base = kind.removeprefix(robot_store.PREFIX).split(":")[0]
    key = f"robots.what_{base}"
    return t(key) if key in catalog() else base


async def _test(update: Update, context: Context, service: RobotService, name: str) -> None:
    if not name:
        await reply(update, t("robots.test_usage"))
        return
    worker = service.workers.get(name)
    if worker is None:
        await reply(update, t("robots.unknown", name=name, names="、".join(service.workers)))
        return
    s = context.services
    now = show(s.now(), s.config.bot.timezone, "%Y-%m-%d %H:%M")
    error = await worker.send_test(t("robots.test_text", name=worker.robot.name, time=now))
    if error is None:
        await reply(update, t("robots.test_ok", name=name))
    else:
        await reply(update, t("robots.test_failed", name=name, error=error))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("robots", robots_command))
