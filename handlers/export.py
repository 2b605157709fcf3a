"""/export: the ledger (台账) as an .xlsx file — admins for all projects, leaders for theirs;
`/export 照片` (admins): the ledger with the site photos it links to, as .zip files."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from telegram import Update
from telegram.ext import Application, CommandHandler

import sender
from archive import PhotoFolder
from handlers.common import command_args, reply, requires
from handlers.context import Context
from ledger.export_xlsx import Counts, Scope, build
from ledger.period import parse_period
from ledger.photo_zip import MAX_PARTS, pack, sizes_of, write_part
from messages import t
from services import access
from storage import audit
from storage.people import Person

PHOTO_WORDS = frozenset({"照片", "图片", "相片", "photos"})
UPLOAD_SECONDS = 600  # a 49 MB part over a slow uplink


@requires("admin", "leader")
async def export_command(update: Update, context: Context, person: Person) -> None:
    """`/export` (this month), `/export 2026-11`, `/export 2026-11-01 2026-11-30`;
    `/export 照片 [period]` adds the photos."""
    args = command_args(update)
    photos = bool(args) and args[0].lower() in PHOTO_WORDS
    if photos and not person.is_admin:  # checked here, whatever /help showed
        await reply(update, t("export.photos_admins_only"))
        return
    period = parse_period(args[1:] if photos else args, context.today())
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
        if photos:
            sent = await _send_with_photos(update, context, path, counts, start, end)
        else:
            await sender.send_document(
                context.bot, update.effective_chat.id, path,
                filename=t("export.filename", start=start.isoformat(), end=end.isoformat()),
                caption=_caption(counts, start, end),
            )  # fmt: skip
    async with context.db.transaction() as tx:
        if photos:
            await audit.record(tx, person.id, "ledger.export_photos", start=start, end=end,
                               photos=sent)  # fmt: skip
        else:
            await audit.record(tx, person.id, "ledger.export", start=start, end=end,
                               projects=counts.projects)  # fmt: skip


def _caption(counts: Counts, start: date, end: date) -> str:
    return t(
        "export.caption", start=start.isoformat(), end=end.isoformat(),
        projects=counts.projects, entries=counts.entries, problems=counts.problems,
    )  # fmt: skip


async def _send_with_photos(
    update: Update, context: Context, ledger: Path, counts: Counts, start: date, end: date
) -> int:
    """Send the ledger and its archived photos as .zip parts under 50 MB, then say what is
    not in them; returns how many photos were sent."""
    folder = PhotoFolder.beside(context.config.storage_path)
    chat_id = update.effective_chat.id
    days = {"start": start.isoformat(), "end": end.isoformat()}
    inner = t("export.zip_ledger", **days)  # ASCII: no unzip garbles it
    sizes = await asyncio.to_thread(sizes_of, folder, counts.photos)
    packing = pack(sizes, inner, (await asyncio.to_thread(ledger.stat)).st_size)
    notes = []
    if counts.photos_pending:
        notes.append(t("export.photos_pending", n=counts.photos_pending))
    if packing.left_out:
        notes.append(t("export.photos_left_out", n=len(packing.left_out), limit=MAX_PARTS))
    if packing.missing:
        notes.append(t("export.photos_missing", n=len(packing.missing),
                       names="、".join(packing.missing[:5])))  # fmt: skip
    if not packing.parts:
        await reply(update, "\n".join([t("export.photos_none", **days), *notes]))
        return 0
    total = len(packing.parts)
    for number, names in enumerate(packing.parts, start=1):
        target = ledger.with_name(f"part{number}.zip")
        await asyncio.to_thread(write_part, target, ledger, inner, folder, names)
        key = "export.zip_filename" if total == 1 else "export.zip_filename_part"
        caption = t("export.zip_caption", **days, photos=len(names), part=number, parts=total)
        await sender.send_document(
            context.bot, chat_id, target, filename=t(key, **days, part=number, parts=total),
            caption=caption, write_timeout=UPLOAD_SECONDS,
        )  # fmt: skip
        target.unlink()  # one part on disk at a time
    if notes:
        await reply(update, "\n".join(notes))
    return sum(len(names) for names in packing.parts)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("export", export_command))
