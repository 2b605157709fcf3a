"""/schedule and /pushnow: admins see and change every reminder and push, effective at once."""

from __future__ import annotations

import re
from datetime import time, timedelta

from telegram import Update
from telegram.ext import Application, CommandHandler

from callback_data import SCHEDULE_TOGGLE
from domain.dates import parse_day
from domain.schedule_kinds import (
    ALIASES,
    DIGEST_GROUPS,
    KINDS,
    LEADERS,
    LIAISONS,
    PUSH_KINDS,
    REMIND,
    REMINDERS,
    SCHEDULE,
    UNITS,
)
from domain.text import number_in
from domain.workdays import OFF, WORK
from handlers import buttons
from handlers.common import command_args, keyboard, reply, requires
from handlers.context import Context
from messages import catalog, t
from storage import audit, outbox, people, push_targets, schedule
from storage.people import Person
from timeutil import show

ON = {"on", "开", "开启", "打开"}
OFF_WORDS = {"off", "关", "关闭"}
EXCEPTION_KINDS = {"off": OFF, "休息": OFF, "休": OFF, "work": WORK, "上班": WORK, "班": WORK,
                   "clear": None, "取消": None}  # fmt: skip
HHMM = re.compile(r"^(\d{1,2})[:：](\d{2})$")
FAILED_WINDOW = timedelta(days=31)  # a failed monthly ledger stays listed until the next one
FAILED_SHOWN = 10
ERROR_SHOWN = 80  # characters of the error, so each failure stays one line


@requires("admin")
async def schedule_command(update: Update, context: Context, person: Person) -> None:
    """Show the schedule, or change one thing: `/schedule <item> <HH:MM|开|关>` ..."""
    args = command_args(update)
    if args:
        await _change(update, context, person, args)
        return
    await _show(update, context)


async def _show(update: Update, context: Context) -> None:
    db = context.db
    items = await schedule.items(db)
    targets = [x for x in await push_targets.all_targets(db) if x.active]
    groups = {  # how many groups each audience reaches (liaisons: those missing, no count)
        LIAISONS: 0,
        UNITS: sum(x.kind == "unit" for x in targets),
        DIGEST_GROUPS: sum(x.digest and x.kind in ("unit", "leaders") for x in targets),
        LEADERS: sum(x.kind == "leaders" for x in targets),
    }
    lines = [t("schedule.title", tz=context.config.bot.timezone.key)]
    buttons = []
    for declared in SCHEDULE:
        kind = declared.name
        item = items[kind]
        name = t(f"schedule.{kind}")
        lines.append(t("schedule.line", name=name, kind=kind,
                       days=t(f"schedule.days_{declared.cadence}"),
                       time=item.at.strftime("%H:%M"),
                       state=t("schedule.on" if item.enabled else "schedule.off"),
                       targets=t(f"schedule.targets_{declared.audience}",
                                 n=groups[declared.audience])))  # fmt: skip
        label = "schedule.btn_toggle_off" if item.enabled else "schedule.btn_toggle_on"
        buttons.append((t(label, name=name), SCHEDULE_TOGGLE.make("tg", kind)))
    lines.append(t("schedule.streak", n=await schedule.setting(db, "streak_days", "3")))
    calendar = await context.calendar()
    year = context.today().year
    known = calendar.knows_year(year)
    lines.append(
        t("schedule.calendar_known" if known else "schedule.calendar_fallback", year=year)
    )
    upcoming = sorted(d for d in calendar.exceptions if d >= context.today())
    if upcoming:
        shown = "、".join(
            f"{d.isoformat()}{t('schedule.exception_' + calendar.exceptions[d])}"
            for d in upcoming[:10]
        )
        lines.append(t("schedule.exceptions", days=shown))
    blocked = await _blocked_chats(context)
    if blocked:
        lines.append(t("schedule.blocked", chats="、".join(blocked[:20])))
    lines += await _failed_lines(context)
    since = context.now() - timedelta(hours=24)
    counts = await outbox.status_counts(db, since)
    lines.append(t("schedule.today_stats", **{
        k: counts.get(k, 0) for k in ("sent", "skipped", "failed", "expired", "blocked")
    }))  # fmt: skip
    lines.append(t("schedule.hint"))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    await reply(update, "\n".join(lines), reply_markup=keyboard(rows))


async def _failed_lines(context: Context) -> list[str]:
    """Deliveries given up on lately, most recent first: what, to whom, tries, the error."""
    found, total = await outbox.failed(context.db, context.now() - FAILED_WINDOW, FAILED_SHOWN)
    if not found:
        return []
    lines = [t("schedule.failed_title", n=total)]
    for row in found:
        base = row.kind.split(":")[0]  # week_units:<group> is one kind of push
        key = f"schedule.what_{base}"
        error = row.error if len(row.error) <= ERROR_SHOWN else row.error[: ERROR_SHOWN - 1] + "…"
        lines.append(t(
            "schedule.failed_line", what=t(key) if key in catalog() else base,
            period=row.period, chat=row.chat_name or row.chat_id, n=row.attempts,
            at=show(row.tried_at, context.config.bot.timezone), error=error,
        ))  # fmt: skip
    if total > len(found):
        lines.append(t("schedule.failed_more", n=total - len(found)))
    lines.append(t("schedule.failed_hint"))
    return lines


async def _blocked_chats(context: Context) -> list[str]:
    """People whose chat blocked the bot, then groups that removed it."""
    db = context.db
    gone = sorted({x.title or "" for x in await push_targets.all_targets(db) if not x.active})
    return await people.blocked_names(db) + [title or "群" for title in gone]


async def _change(update: Update, context: Context, person: Person, args: list[str]) -> None:
    db = context.db
    head, rest = args[0].lower(), args[1:]
    if head in ("streak", "连续"):
        days = number_in(rest[0], 1, 30) if len(rest) == 1 else None
        if days is None:
            await reply(update, t("schedule.bad_streak"))
            return
        async with db.transaction() as tx:
            await schedule.set_setting(tx, "streak_days", str(days))
            await audit.record(tx, person.id, "schedule.streak", value=days)
        await reply(update, t("schedule.changed_streak", n=days))
        return
    if head in ("exception", "例外"):
        await _exception(update, context, person, rest)
        return
    kind = ALIASES.get(head)
    if kind is None or len(rest) != 1:
        await reply(update, t("schedule.unknown_item", value=args[0][:20]))
        return
    value = rest[0].lower()
    name = t(f"schedule.{kind}")
    if value in ON or value in OFF_WORDS:
        await _set_enabled(db, person, kind, value in ON)
        state = t("schedule.on" if value in ON else "schedule.off")
        await reply(update, t("schedule.changed_state", name=name, state=state))
        return
    match = HHMM.match(value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        await reply(update, t("schedule.bad_time"))
        return
    at = time(int(match.group(1)), int(match.group(2)))
    async with db.transaction() as tx:
        await schedule.set_time(tx, kind, at, person.id)
        await audit.record(tx, person.id, "schedule.time", kind=kind, at=at.strftime("%H:%M"))
    await reply(update, t("schedule.changed_time", name=name, time=at.strftime("%H:%M")))


async def _set_enabled(db, person: Person, kind: str, enabled: bool) -> None:
    async with db.transaction() as tx:
        await schedule.set_enabled(tx, kind, enabled, person.id)
        await audit.record(tx, person.id, "schedule.enabled", kind=kind, enabled=enabled)


async def _exception(update: Update, context: Context, person: Person, rest: list[str]) -> None:
    day = parse_day(rest[0], context.today()) if rest else None
    if day is None or len(rest) < 2 or rest[1].lower() not in EXCEPTION_KINDS:
        await reply(update, t("schedule.bad_exception"))
        return
    kind = EXCEPTION_KINDS[rest[1].lower()]
    async with context.db.transaction() as tx:
        await schedule.set_exception(tx, day, kind, " ".join(rest[2:])[:100], person.id)
        await audit.record(tx, person.id, "schedule.exception", day=day.isoformat(), kind=kind)
    if kind is None:
        await reply(update, t("schedule.exception_cleared", day=day.isoformat()))
    else:
        await reply(update, t("schedule.changed_exception", day=day.isoformat(),
                              kind=t(f"schedule.exception_{kind}")))  # fmt: skip


@requires("admin")
async def on_toggle(update: Update, context: Context, person: Person) -> None:
    """sch:tg:<kind>: turn one schedule item on or off."""
    _, kind = SCHEDULE_TOGGLE.read(update)
    if kind not in KINDS:
        await reply(update, t("common.stale_button"))
        return
    items = await schedule.items(context.db)
    enabled = not items[kind].enabled
    await _set_enabled(context.db, person, kind, enabled)
    state = t("schedule.on" if enabled else "schedule.off")
    await reply(update, t("schedule.changed_state", name=t(f"schedule.{kind}"), state=state))


@requires("admin")
async def pushnow_command(update: Update, context: Context, person: Person) -> None:
    """/pushnow <remind|board|digest|weekly|monthly>: run one now; sent chats are not resent."""
    args = command_args(update)
    kind = args[0].lower() if args else ""
    kind = ALIASES.get(kind, kind)
    if kind in REMINDERS:
        kind = REMIND  # the latest reminder that is due
    if kind not in PUSH_KINDS:
        await reply(update, t("schedule.pushnow_usage"))
        return
    added = await context.scheduler.run_now(kind, person.id)
    name = t(f"schedule.{REMINDERS[0] if kind == REMIND else kind}")
    await reply(update, t("schedule.pushnow_done", name=name, n=added))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("schedule", schedule_command))
    app.add_handler(CommandHandler("pushnow", pushnow_command))
    app.add_handler(buttons.handler(SCHEDULE_TOGGLE, on_toggle))
