"""/problems: the open problems in the caller's scope, oldest first; `/problems 设置` (admins).

A long list is sent as several messages by the one sender; the card link (/p<id>) on each line
opens the problem.
"""

from __future__ import annotations

from telegram import Update

from domain import problem_flow as flow
from handlers.common import command_args, reply, requires
from handlers.context import Context
from handlers.problem_steps import calendar
from ledger.texts import category_label, link, short
from messages import t
from services import problem_settings, problems
from storage.people import Person

MAX_LIST = 60
REPLY, OFFICE = problem_settings.REPLY_KEY, problem_settings.OFFICE_KEY
SETTING_WORDS = {"回复": REPLY, "受理": REPLY, "督办": OFFICE, "上报": OFFICE}


@requires("admin", "leader", "liaison", "department")
async def problems_command(update: Update, context: Context, person: Person) -> None:
    """Open problems in the caller's scope, oldest first; admins: `/problems 设置 …`."""
    args = command_args(update)
    if args and args[0] in ("设置", "settings"):
        await _settings(update, context, person, args[1:])
        return
    found = await problems.open_in_scope(context.db, person, today=context.today(),
                                         calendar=await calendar(context),
                                         tz=context.config.bot.timezone)  # fmt: skip
    if not found:
        await reply(update, t("problems.none_open"))
        return
    lines = [t("problems.list_title", n=len(found))]
    for seen in found[:MAX_LIST]:
        p = seen.problem
        lines.append(
            t("problems.list_line", link=link(p.id), category=category_label(p.category),
              code=p.code, text=short(p.description, 30), owner=p.owner,
              state=t(f"problems.state_{p.state}"), age=seen.age_days,
              mark=t("problems.mark_late") if seen.late or seen.late_reply else "")
        )  # fmt: skip
    if len(found) > MAX_LIST:
        lines.append(t("problems.list_more", n=len(found) - MAX_LIST))
    await reply(update, "\n".join(lines))


async def _settings(update: Update, context: Context, person: Person, args: list[str]) -> None:
    """Show or change the problem settings (admins): reply and escalation delays, deadlines."""
    if not person.is_admin:
        await reply(update, t("common.denied", roles=t("role.admin")))
        return
    db = context.db
    usage = t("problems.settings_usage", max=problem_settings.MAX_WORKDAYS)
    if len(args) == 2:
        word, value = args
        key = SETTING_WORDS.get(word)
        category = flow.parse_category(word)
        if key is None and category is not None:
            key = flow.settings_key(category)
        refused = "bad_setting"
        if key is not None and value.isascii() and value.isdigit() and len(value) <= 4:
            refused = await problem_settings.change_setting(db, person, key, int(value))
        if refused:
            await reply(update, usage)
            return
    elif args:
        await reply(update, usage)
        return
    now = await problem_settings.settings(db)
    deadlines = "、".join(f"{category_label(c)} {n}" for c, n in now.deadline_workdays.items())
    await reply(update, t("problems.settings", reply=now.reply_workdays,
                          office=now.office_workdays, deadlines=deadlines,
                          max=problem_settings.MAX_WORKDAYS))  # fmt: skip
