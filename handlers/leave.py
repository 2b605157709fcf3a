"""/leave (no reminders while away) and the reminder's "remind me in 30 minutes" button."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CommandHandler

from callback_data import SNOOZE_REMINDER
from domain.dates import parse_day
from handlers import buttons
from handlers.common import command_args, reply, requires
from handlers.context import Context
from messages import t
from storage import audit, outbox, people, schedule
from storage.people import Person
from timeutil import show

MAX_LEAVE_DAYS = 90
SNOOZE = timedelta(minutes=30)


@requires("liaison", "leader", "admin")
async def leave_command(update: Update, context: Context, person: Person) -> None:
    """/leave FROM [TO] for oneself; admins: /leave NAME FROM [TO]."""
    db = context.db
    args = command_args(update)
    day0 = context.today()
    if not args:
        spans = await schedule.leave_days(db, person.id, day0)
        if not spans:
            await reply(update, t("leave.none"))
        else:
            items = "；".join(f"{a.isoformat()} 至 {b.isoformat()}" for a, b in spans)
            await reply(update, t("leave.list", items=items))
        return
    target = person
    if parse_day(args[0], day0) is None and person.is_admin:
        named = await people.ids_named(db, args[0])
        if not named:
            await reply(update, t("leave.unknown_person", name=args[0][:20]))
            return
        if len(named) > 1:
            await reply(update, t("leave.ambiguous_person", name=args[0][:20]))
            return
        found = await people.by_id(db, named[0])
        assert found is not None
        target, args = found, args[1:]
    if not args or len(args) > 2:
        await reply(update, t("leave.usage"))
        return
    start = parse_day(args[0], day0)
    end = parse_day(args[1], day0) if len(args) == 2 else start
    if start is None or end is None:
        bad = args[0] if start is None else args[1]
        await reply(update, t("leave.bad_date", value=bad[:20]))
        return
    if end < start or (end - start).days > MAX_LEAVE_DAYS:
        await reply(update, t("leave.bad_range"))
        return
    async with db.transaction() as tx:
        await schedule.add_leave(tx, target.id, start, end, person.id)
        await audit.record(tx, person.id, "leave.add", person=target.id, start=start.isoformat(),
                           end=end.isoformat())  # fmt: skip
    await reply(update, t("leave.saved", name=target.name, start=start.isoformat(),
                          end=end.isoformat()))  # fmt: skip


@requires("liaison")
async def on_snooze(update: Update, context: Context, person: Person) -> None:
    """sz:<outbox id>: send this reminder again in 30 minutes (once per reminder)."""
    row = await outbox.by_id(context.db, SNOOZE_REMINDER.read(update)[0])
    if row is None or row.chat_id != person.tg_user_id or row.spec.get("render") != "remind":
        await reply(update, t("common.stale_button"))
        return
    at = context.now() + SNOOZE
    if at >= row.expires_at:
        await reply(update, t("push.snooze_too_late"))
        return
    async with context.db.transaction() as tx:
        await outbox.enqueue(
            tx, kind="snooze", period=f"{row.period}:{row.kind}:{row.id}", chat_id=row.chat_id,
            spec=row.spec, not_before=at, expires_at=row.expires_at, now=context.now(),
        )  # fmt: skip
    await reply(update, t("push.snoozed", time=show(at, context.config.bot.timezone, "%H:%M")))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("leave", leave_command))
    app.add_handler(buttons.handler(SNOOZE_REMINDER, on_snooze))
