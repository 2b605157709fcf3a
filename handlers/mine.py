"""/mine: a liaison's projects with today's status."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from callback_data import REPORT_PROJECT
from domain.money import format_wan
from handlers.common import keyboard, reply, requires, svc, today
from messages import t
from storage import projects, reports
from storage.people import Person


@requires("liaison")
async def mine_command(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """Each project: reported today or not, cumulative investment, stage; a button to report."""
    db = svc(context).db
    mine = await projects.of_person(db, person.id, "liaison")
    if not mine:
        await reply(update, t("report.no_projects"))
        return
    day = today(context)
    done = await reports.reported_on(db, [p.id for p in mine], day)
    lines = [t("mine.title", date=day.isoformat(), done=len(done), total=len(mine))]
    buttons = []
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
        buttons.append([(f"{label} {p.name[:24]}", REPORT_PROJECT.make(p.id))])
    await reply(update, "\n".join(lines), reply_markup=keyboard(buttons[:20]))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("mine", mine_command))
