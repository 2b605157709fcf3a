"""/export: the ledger (台账) as an .xlsx file — admins for all projects, leaders for theirs."""

from __future__ import annotations

import tempfile
from pathlib import Path

from telegram import Update
from telegram.ext import Application, CommandHandler

import sender
from handlers.common import command_args, reply, requires
from handlers.context import Context
from ledger.export_xlsx import Scope, build
from ledger.period import parse_period
from messages import t
from services import access
from storage import audit
from storage.people import Person


@requires("admin", "leader")
async def export_command(update: Update, context: Context, person: Person) -> None:
    """`/export` (this month), `/export 2026-11`, `/export 2026-11-01 2026-11-30`."""
    period = parse_period(command_args(update), context.today())
    if period is None:
        await reply(update, t("export.usage"))
        return
    start, end = period
    project_ids = await access.projects_in_view(context.db, person)
    if project_ids is not None and not project_ids:
        await reply(update, t("export.no_projects"))
        return
    await reply(update, t("export.working", start=start.isoformat(), end=end.isoformat()))
    scope = Scope(project_ids, start, end, context.config.bot.timezone)
    with tempfile.TemporaryDirectory(prefix="jinzhan-export-") as folder:
        path = Path(folder) / "ledger.xlsx"
        counts = await build(context.db, path, scope)
        await sender.send_document(
            context.bot,
            update.effective_chat.id,
            path,
            filename=t("export.filename", start=start.isoformat(), end=end.isoformat()),
            caption=t(
                "export.caption",
                start=start.isoformat(),
                end=end.isoformat(),
                projects=counts.projects,
                entries=counts.entries,
                problems=counts.problems,
            ),
        )
    async with context.db.transaction() as tx:
        await audit.record(tx, person.id, "ledger.export", start=start, end=end,
                           projects=counts.projects)  # fmt: skip


def register(app: Application) -> None:
    app.add_handler(CommandHandler("export", export_command))
