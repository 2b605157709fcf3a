"""/mine: a liaison's projects with today's status, and a button to report each.

A liaison may answer for a hundred projects: the list is sent as several messages if it must
be (the keyboard under the last), and the buttons stop at MAX_BUTTONS, those not yet reported
today first, with a line saying how to reach the rest.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from callback_data import REPORT_PROJECT
from domain.money import format_wan
from handlers.common import keyboard, reply, requires
from handlers.context import Context
from messages import t
from storage import projects, reports
from storage.people import Person

MAX_BUTTONS = 20  # a phone screen of buttons; more is scrolling, not choosing


@requires("liaison")
async def mine_command(update: Update, context: Context, person: Person) -> None:
    """Each project: reported today or not, cumulative investment, stage; a button to report."""
    db = context.db
    mine = await projects.of_person(db, person.id, "liaison")
    if not mine:
        await reply(update, t("report.no_projects"))
        return
    day = context.today()
    done = await reports.reported_on(db, [p.id for p in mine], day)
    lines = [t("mine.title", date=day.isoformat(), done=len(done), total=len(mine))]
    buttons: list[tuple[bool, list[tuple[str, str]]]] = []
    for p in mine:
        status = t("mine.reported") if p.id in done else t("mine.missing")
        lines.append(
            t(
                "mine.line",
                status=status,
                code=p.code,
                name=p.name,
                stage=p.stage or "—",
                done=format_wan(p.done_yuan),
                plan=format_wan(p.year_plan_yuan),
            )
        )
        label = t("mine.btn_correct") if p.id in done else t("mine.btn_report")
        buttons.append((p.id in done, [(f"{label} {p.name[:24]}", REPORT_PROJECT.make(p.id))]))
    buttons.sort(key=lambda b: b[0])  # not yet reported first (a stable sort keeps the order)
    if len(buttons) > MAX_BUTTONS:
        lines.append(t("mine.buttons_capped", shown=MAX_BUTTONS, rest=len(buttons) - MAX_BUTTONS))
    rows = [row for _, row in buttons[:MAX_BUTTONS]]
    await reply(update, "\n".join(lines), reply_markup=keyboard(rows))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("mine", mine_command))
